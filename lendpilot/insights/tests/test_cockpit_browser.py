"""In a real browser: the director opens the command centre, drills into a region, and the region's tile
equals the API value for the same slice and period."""

import pytest

pytestmark = pytest.mark.browser


def test_director_drills_into_a_region_and_the_tile_matches_the_api(live_book, page_as):
    world = live_book.world
    east = str(world.regions["east"].pk)
    page = page_as("director")
    page.click("#nav-group-analysis")  # the menu group opens its drop-down
    page.click("#nav-insights")
    page.wait_for_selector("#tiles")
    page.goto("/insights/?period=month:2026-11")
    bank = page.locator('.kpi-tile[data-metric="disbursed_amount"]').get_attribute("data-value")
    assert float(bank) == 750000.0
    page.wait_for_selector(f'#drill-table tr[data-key="{east}"] a.drill-row')
    page.click(f'#drill-table tr[data-key="{east}"] a.drill-row')
    page.wait_for_selector(f'#cockpit-slice[data-dimension="region"][data-key="{east}"]')
    shown = page.locator('.kpi-tile[data-metric="disbursed_amount"]').get_attribute("data-value")
    api = page.request.get(f"/api/v1/insights/values?period=month:2026-11&dimension=region&key={east}").json()
    value = next(v["value"] for v in api["values"] if v["code"] == "disbursed_amount")
    assert float(shown) == value == 700000.0
    # the region's own drill-down lists its teams, and the page offers the way back up
    page.wait_for_selector(f'#drill-table tr[data-key="{world.teams["east-a"].pk}"]')
    assert page.locator("#cockpit-up").is_visible()
