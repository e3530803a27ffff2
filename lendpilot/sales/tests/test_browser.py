"""In a real browser: an account manager moves an opportunity across the kanban (HTMX, no page reload) up
to the proposal; from there the loan application moves it, as the page loads; the assignment screen
starts with nothing selected and selects all shown with one click."""

import pytest
from playwright.sync_api import expect

from lendpilot.sales import services
from lendpilot.sales.funnel import Node
from lendpilot.sales.models import Opportunity, Transition
from lendpilot.sales.tests.factories import new_lead, submitted_application

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_opportunity_moves_across_the_kanban(live_world, sign_in):
    world = live_world
    opp = services.opportunity_create(actor=world.user("am_wang"), customer=world.customers["am_wang_person"],
                                      product=world.products["credit"], amount="150000")
    page = sign_in("am_wang")
    page.click("#nav-group-customers")  # the menu group opens its drop-down
    page.click("#nav-sales")
    card = page.locator(f'[data-node="screening"] [data-opportunity="{opp.pk}"]')
    expect(card).to_be_visible()
    card.locator('[data-move-to="first_contact"]').click()
    moved = page.locator(f'[data-node="first_contact"] [data-opportunity="{opp.pk}"]')
    expect(moved).to_be_visible()
    moved.locator('[data-move-to="proposal"]').click()
    expect(page.locator(f'[data-node="proposal"] [data-opportunity="{opp.pk}"]')).to_be_visible()
    # The proposal column offers no move: the qualification review follows the loan application.
    expect(page.locator(f'[data-opportunity="{opp.pk}"] [data-move-to]')).to_have_count(0)
    assert Opportunity.objects.get(pk=opp.pk).node == Node.PROPOSAL
    assert Transition.objects.filter(opportunity=opp).count() == 3
    submitted_application(world, world.customers["am_wang_person"])
    page.reload()  # the page posts the pass as it loads and reloads once when something moved
    expect(page.locator(f'[data-node="qualification"] [data-opportunity="{opp.pk}"]')).to_be_visible()
    assert Opportunity.objects.get(pk=opp.pk).node == Node.QUALIFICATION


def test_assignment_starts_with_nothing_selected(live_world, sign_in):
    world = live_world
    leads = [new_lead(world, name=f"待分配{n}") for n in range(3)]
    page = sign_in("east_a_lead")
    page.goto("/sales/assignment/")
    boxes = page.locator('#assignment-candidates input[name="lead"]')
    expect(boxes).to_have_count(len(leads))
    for n in range(len(leads)):
        expect(boxes.nth(n)).not_to_be_checked()
    page.click("#select-all")
    for n in range(len(leads)):
        expect(boxes.nth(n)).to_be_checked()
    page.click("#select-none")
    expect(boxes.first).not_to_be_checked()
