"""Browser: a team lead diagnoses the team's funnel, follows the flagged node to its action item, and the
owner works it to done with the status history on the page."""

import pytest
from playwright.sync_api import expect

from lendpilot.core.models import ActionItem
from lendpilot.insights.tests.test_review_api import PERIOD, build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_flagged_node_is_worked_to_done(live_world, page_as):
    build(live_world)
    team = live_world.teams["east-a"].pk
    lead = page_as("east_a_lead")
    lead.goto(f"/insights/funnel/?slice=team:{team}&start={PERIOD['start']}&end={PERIOD['end']}")
    expect(lead.locator("#node-meeting")).to_have_attribute("data-flagged", "1")
    expect(lead.locator("#chart-funnel canvas")).to_have_count(1)
    lead.click("#diagnose-submit")
    lead.click("#item-link-meeting")
    expect(lead.locator("#item-status")).to_have_attribute("data-status", "open")
    item = ActionItem.objects.get()

    owner = page_as("east_a_lead")
    owner.goto(f"/insights/actions/{item.pk}/")
    owner.click("#start-submit")
    expect(owner.locator("#item-status")).to_have_attribute("data-status", "in_progress")
    owner.fill("#close-outcome", "面谈前发送材料清单，流失率回落")
    owner.click("#close-submit")
    expect(owner.locator("#item-status")).to_have_attribute("data-status", "done")
    expect(owner.locator("#history tbody tr")).to_have_count(3)
    item.refresh_from_db()
    assert item.outcome == "面谈前发送材料清单，流失率回落"
