"""A pilot is planned on a page (teams and branches randomised within their region, a pre-period, the power and
the cluster design effect shown before the start), started, and decided on its page."""

import pytest
from django.test import Client

from lendpilot.market.models import Pilot, PilotStatus

pytestmark = pytest.mark.django_db
CLUSTERS = ["team:T-EA", "team:T-EB", "team:T-SA", "branch:SH01", "branch:GZ01"]


def director(world) -> Client:
    c = Client()
    c.force_login(world.user("director"))
    return c


def plan(**overrides) -> dict:
    return {"name": "预填申请表", "change": "客户经理使用预填表单", "metric": "签约转化率", "baseline_pct": "10",
            "target_pct": "12", "icc": "0.02", "cases_per_cluster": "800", "clusters": CLUSTERS,
            "pre_starts": "2026-01-05", "starts": "2026-03-02", "ends": "2026-04-27", "seed": "3"} | overrides


def test_the_power_is_shown_before_anything_is_saved(world):
    page = director(world).post("/market/pilots/new/", plan(preview="1")).content.decode()
    preview = page[page.index('id="power-preview"'):].split("</div>")[0]
    assert "3841" in preview and "16.98" in preview  # design effect 1 + 799 x 0.02
    assert not Pilot.objects.exists()


def test_plan_start_and_decide_on_the_pages(world):
    c = director(world)
    assert c.get("/market/pilots/").content.decode().count('id="pilot-new"') == 1
    created = c.post("/market/pilots/new/", plan())
    pilot = Pilot.objects.get()
    assert created.url == f"/market/pilots/{pilot.pk}/"
    strata = {cl.code: (cl.stratum, cl.treated) for cl in pilot.clusters.all()}
    assert {s for s, _t in strata.values()} == {"EAST", "SOUTH"} and len(strata) == 5
    assert sum(t for s, t in strata.values() if s == "SOUTH") == 1  # each region splits between the arms
    page = c.get(created.url).content.decode()
    power = page[page.index('id="power"'):].split("</ul>")[0]
    assert "3841" in power and "16.98" in power and 'id="pilot-start"' in page and 'id="decide-form"' not in page
    c.post(created.url, {"action": "start"})
    pilot.refresh_from_db()
    assert pilot.status == PilotStatus.RUNNING
    assert 'id="decide-form"' in c.get(created.url).content.decode()
    c.post(created.url, {"decision": "extend"})
    pilot.refresh_from_db()
    assert (pilot.status, pilot.decision) == (PilotStatus.RUNNING, "extend")


def test_bad_plans_are_named_on_their_fields(world):
    c = director(world)
    page = c.post("/market/pilots/new/", plan(ends="2026-02-01", clusters=CLUSTERS[:2])).content.decode()
    assert 'data-field="ends"' in page and 'data-field="clusters"' in page
    page = c.post("/market/pilots/new/", plan(pre_starts="2026-03-10", target_pct="10")).content.decode()
    assert 'data-field="pre_starts"' in page and 'data-field="target_pct"' in page
    assert not Pilot.objects.exists()


def test_api_starts_a_planned_pilot(world):
    c = director(world)
    body = {"name": "Forms", "change": "c", "metric": "m", "baseline_rate": "0.10", "target_rate": "0.12",
            "starts": "2026-01-05", "ends": "2026-02-27", "cases_per_cluster": 500,
            "clusters": {f"T{i}": "EAST" for i in range(6)}}
    pilot_id = c.post("/api/v1/market/pilots", body, content_type="application/json").json()["id"]
    assert c.get(f"/api/v1/market/pilots/{pilot_id}").json()["design_effect"] == pytest.approx(5.99)
    assert c.post(f"/api/v1/market/pilots/{pilot_id}/start").json()["status"] == "running"
    assert c.post(f"/api/v1/market/pilots/{pilot_id}/start").status_code == 409
