"""The command centre page: every tile equals the API value for the same slice and period, drill-downs,
scope and bad input on the page."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from lendpilot.insights.tests.conftest import TODAY
from lendpilot.testing import PASSWORD

TILE = re.compile(r'data-metric="(?P<code>\w+)" data-value="(?P<value>[^"]*)"')


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)


def client_for(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def tiles(html: str) -> dict[str, float | None]:
    return {m["code"]: (float(m["value"]) if m["value"] else None) for m in TILE.finditer(html)}


@pytest.mark.parametrize("query", ["period=month:2026-11", "period=month:2026-11&dimension=region&key={east}",
                                   "period=biweek:2026-11-02&dimension=team&key={east_a}",
                                   "period=month:2026-11&dimension=product&key={credit}",
                                   "period=month:2026-11&dimension=channel&key=channel"])
def test_every_tile_equals_the_api_value(world, book, query):
    query = query.format(east=world.regions["east"].pk, east_a=world.teams["east-a"].pk,
                         credit=world.products["credit"].pk)
    client = client_for("director")
    page = client.get(f"/insights/?{query}")
    assert page.status_code == 200
    shown = tiles(page.content.decode())
    api = {v["code"]: v["value"] for v in client.get(f"/api/v1/insights/values?{query}").json()["values"]}
    assert len(shown) == 12
    assert shown == api


def test_the_page_opens_on_the_users_own_slice(world, book):
    page = client_for("east_a_lead").get("/insights/?period=month:2026-11").content.decode()
    assert f'data-dimension="team" data-key="{world.teams["east-a"].pk}"' in page
    assert tiles(page)["disbursed_amount"] == 700000.0


def test_drilldown_fragment_lists_the_teams_of_a_region(world, book):
    east = world.regions["east"].pk
    html = client_for("director").get(f"/insights/drilldown/?by=team&period=month:2026-11&dimension=region"
                                      f"&key={east}").content.decode()
    assert f'data-key="{world.teams["east-a"].pk}"' in html
    assert f'data-key="{world.teams["south-a"].pk}"' not in html


def test_scope_denial_and_bad_input_on_the_page(world, book):
    south = world.regions["south"].pk
    client = client_for("east_head")
    assert client.get(f"/insights/?dimension=region&key={south}").status_code == 404
    bad = client.get("/insights/?period=nonsense")
    assert bad.status_code == 422 and b'data-field="period"' in bad.content
    assert client_for("operations").get("/insights/").status_code == 403


def test_empty_period_is_shown_as_such(world, book):
    page = client_for("director").get("/insights/?period=month:2023-01").content.decode()
    assert 'id="cockpit-empty"' in page
    assert all(v is None for v in tiles(page).values())


def test_nav_link_for_viewers(world):
    assert b'id="nav-insights"' in client_for("director").get("/").content
    assert b'id="nav-insights"' not in client_for("operations").get("/").content
