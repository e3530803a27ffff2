"""The command centre's API: catalogue, values, drill-down, scope denial, bad input (422 naming the field) and
the explicit empty state."""

import pytest
from django.test import Client
from django.utils import timezone

from lendpilot.insights.tests.conftest import TODAY
from lendpilot.testing import PASSWORD


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)


def client_for(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_catalogue_lists_twelve_metrics(world):
    body = client_for("director").get("/api/v1/insights/metrics").json()
    assert [m["number"] for m in body] == list(range(1, 13))
    assert {m["unit"] for m in body} >= {"cny", "count", "ratio", "days"}


def test_values_of_the_bank(world, book):
    body = client_for("director").get("/api/v1/insights/values?period=month:2026-11").json()
    values = {v["code"]: v for v in body["values"]}
    assert values["disbursed_amount"]["value"] == 750000.0
    assert values["disbursed_amount"]["mom"] == 2.75
    assert values["nps"]["available"] is False and values["nps"]["reason"]
    assert body["slice"] == {"dimension": "all", "key": "all", "label": body["slice"]["label"]}


def test_drilldown_by_region(world, book):
    body = client_for("director").get(
        "/api/v1/insights/drilldown?dimension=region&metric=disbursed_amount&period=month:2026-11").json()
    by_key = {r["key"]: r["values"][0]["value"] for r in body["rows"]}
    assert by_key[str(world.regions["east"].pk)] == 700000.0
    assert by_key[str(world.regions["south"].pk)] == 50000.0


def test_a_regional_head_is_scoped_to_the_region(world, book):
    client = client_for("east_head")
    body = client.get("/api/v1/insights/values?period=month:2026-11").json()
    assert body["slice"]["dimension"] == "region" and body["slice"]["key"] == str(world.regions["east"].pk)
    south = str(world.regions["south"].pk)
    denied = client.get(f"/api/v1/insights/values?dimension=region&key={south}")
    missing = client.get("/api/v1/insights/values?dimension=region&key=999999")
    assert denied.status_code == missing.status_code == 404
    assert client.get("/api/v1/insights/drilldown?dimension=product").status_code == 422
    assert client.get("/api/v1/insights/values?dimension=all").status_code == 403


def test_a_manager_sees_own_figures_only(world, book):
    client = client_for("am_wang")
    body = client.get("/api/v1/insights/values?period=month:2026-11&metric=disbursed_amount").json()
    assert body["values"][0]["value"] == 100000.0
    zhao = world.staff["am_zhao"].pk
    assert client.get(f"/api/v1/insights/values?dimension=manager&key={zhao}").status_code == 404


def test_roles_without_the_permission_are_refused(world):
    assert client_for("operations").get("/api/v1/insights/values").status_code == 403
    assert client_for("partner").get("/api/v1/insights/metrics").status_code == 403


@pytest.mark.parametrize(("query", "field"), [
    ("period=2026-13", "period"), ("dimension=galaxy&key=1", "dimension"), ("dimension=team&key=x", "key"),
    ("metric=bogus", "metric"), ("dimension=tier&key=gold", "key"),
])
def test_bad_input_is_a_422_naming_the_field(world, query, field):
    response = client_for("director").get(f"/api/v1/insights/values?{query}")
    assert response.status_code == 422
    assert field in [e["loc"][-1] for e in response.json()["detail"]]


def test_unknown_key_is_a_404(world):
    assert client_for("director").get("/api/v1/insights/values?dimension=team&key=999999").status_code == 404


def test_a_period_without_data_says_so(world, book):
    body = client_for("director").get("/api/v1/insights/values?period=month:2023-01").json()
    assert body["has_data"] is False and body["empty_reason"]
    assert all(v["value"] is None for v in body["values"])


def test_cockpit_endpoint(world, book):
    body = client_for("director").get("/api/v1/insights/cockpit?period=month:2026-11").json()
    assert body["months"][-1] == "2026-11"
    assert body["sparklines"]["disbursed_amount"][-1] == 750000.0
    assert [s["value"] for s in body["funnel"]][0] == 4  # leads received
    assert body["comparison"]["dimension"] == "region"
