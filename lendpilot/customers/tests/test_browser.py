"""In a real browser: a director builds a segment in the segment builder, sees the live count, saves it."""

import pytest
from playwright.sync_api import expect

from lendpilot.customers import services
from lendpilot.customers.models import Segment
from lendpilot.customers.portrait.demo import seed_reference

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_director_builds_a_segment_and_sees_the_count(live_world, page_as):
    from datetime import date

    seed_reference()
    services.portrait_recompute(actor=live_world.user("director"), as_of=date(2025, 6, 30))
    page = page_as("director")
    page.click("#nav-group-customers")  # the menu group opens its drop-down
    page.click("#nav-segments")
    page.fill("#segment-query", "制造业 AND 华东")
    expect(page.locator("#segment-count-value")).to_have_text("3")
    page.fill("#segment-query", "制造业 AND 华东 AND NOT 不存在")
    expect(page.locator("#segment-count-error")).to_be_visible()
    page.fill("#segment-query", "制造业 AND NOT 华东")
    expect(page.locator("#segment-count-value")).to_have_text("1")
    page.fill("#segment-name", "华南制造业")
    page.click("#segment-save")
    expect(page.locator('#segment-table [data-segment]')).to_have_count(1)
    assert Segment.objects.get().member_count == 1
