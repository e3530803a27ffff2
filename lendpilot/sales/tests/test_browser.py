"""In a real browser: an account manager moves an opportunity across the kanban (HTMX, no page reload),
and an illegal move is refused with the reason shown on the board."""

import pytest
from playwright.sync_api import expect

from lendpilot.sales import services
from lendpilot.sales.funnel import Node
from lendpilot.sales.models import Opportunity, Transition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_opportunity_moves_across_the_kanban(live_world, sign_in):
    world = live_world
    opp = services.opportunity_create(actor=world.user("am_wang"), customer=world.customers["am_wang_person"],
                                      product=world.products["credit"], amount="150000")
    page = sign_in("am_wang")
    page.click("#nav-sales")
    card = page.locator(f'[data-node="screening"] [data-opportunity="{opp.pk}"]')
    expect(card).to_be_visible()
    card.locator('[data-move-to="first_contact"]').click()
    moved = page.locator(f'[data-node="first_contact"] [data-opportunity="{opp.pk}"]')
    expect(moved).to_be_visible()
    moved.locator('[data-move-to="proposal"]').click()
    expect(page.locator(f'[data-node="proposal"] [data-opportunity="{opp.pk}"]')).to_be_visible()
    # The proposal column's next step is the qualification review, which needs a submitted application.
    page.locator(f'[data-opportunity="{opp.pk}"] [data-move-to="qualification"]').click()
    expect(page.locator("#kanban-error")).to_be_visible()
    expect(page.locator(f'[data-node="proposal"] [data-opportunity="{opp.pk}"]')).to_be_visible()
    assert Opportunity.objects.get(pk=opp.pk).node == Node.PROPOSAL
    assert Transition.objects.filter(opportunity=opp).count() == 3
