"""The planning API: director from annual target to approved quotas; bad input is a 422 naming the field
with nothing saved."""

from datetime import date

import pytest
from django.test import Client

from lendpilot.planning.models import Quota, TargetCell, TargetPlan
from lendpilot.testing import make_loan

pytestmark = pytest.mark.django_db
API = "/api/v1/planning"


def client_for(world, key) -> Client:
    c = Client()
    c.force_login(world.user(key))
    return c


def _fields(response):
    return {tuple(d["loc"])[-1] for d in response.json()["detail"]}


def _create(c, **kw):
    body = {"code": "FY2026", "name": "2026", "period_start": "2026-01-01", "total_amount": "120000000",
            "drivers": {"last_year": "1"}, **kw}
    return c.post(f"{API}/plans", body, content_type="application/json")


def test_target_to_quotas(world):
    make_loan(world, on=date(2025, 5, 1))
    c = client_for(world, "director")
    r = _create(c)
    assert r.status_code == 201, r.content
    pid = r.json()["id"]
    r = c.post(f"{API}/plans/{pid}/split", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["cells"] > 0
    matrix = c.get(f"{API}/plans/{pid}").json()
    assert sum(float(cell["total"]) for cell in matrix["cells"]) == 120000000
    cell = next(cell for cell in matrix["cells"] if float(cell["total"]) > 0)
    first = cell["months"][0]
    too_much = str(int(float(cell["total"])) + 10000)
    r = c.patch(f"{API}/plans/{pid}/cells/{first['id']}", {"amount": too_much}, content_type="application/json")
    assert r.status_code == 422 and _fields(r) == {"amount"}
    r = c.patch(f"{API}/plans/{pid}/cells/{first['id']}", {"amount": "0"}, content_type="application/json")
    assert r.status_code == 200
    assert client_for(world, "east_head").post(f"{API}/plans/{pid}/approve").status_code == 403
    r = c.post(f"{API}/plans/{pid}/approve")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert c.post(f"{API}/plans/{pid}/approve").status_code == 409
    assert Quota.objects.count() > 0
    mine = client_for(world, "am_wang").get(f"{API}/quotas", {"month": "2026-03-01"}).json()
    assert {q["staff_id"] for q in mine} == {world.staff["am_wang"].pk}
    att = c.get(f"{API}/attainment", {"month": "2026-03-01", "group": "region"})
    assert att.status_code == 200 and att.json()
    row = att.json()[0]  # the selector's row as the schema reads it: computed shares, flags and milestones
    assert isinstance(row["key"], str) and isinstance(row["at_risk"], bool)
    assert [m["share"] for m in row["milestones"]] == ["0.25", "0.50", "0.75", "1.00"]
    assert all(isinstance(m["reached"], bool) for m in row["milestones"])


@pytest.mark.parametrize(("body", "field"), [
    ({"total_amount": "-10000"}, "total_amount"), ({"drivers": {"last_year": "0"}}, "drivers"),
    ({"drivers": {"bogus": "1"}}, "drivers"), ({"period_start": "nope"}, "period_start"),
])
def test_bad_input_422_nothing_saved(world, body, field):
    r = _create(client_for(world, "director"), **body)
    assert r.status_code == 422, r.content
    assert field in _fields(r)
    assert not TargetPlan.objects.exists()


def test_overlap_422(world):
    c = client_for(world, "director")
    assert _create(c).status_code == 201
    r = _create(c, code="OTHER", period_start="2026-06-01")
    assert r.status_code == 422 and _fields(r) == {"period_start"}
    assert TargetPlan.objects.count() == 1 and not TargetCell.objects.exists()


def test_reset_via_api(world):
    c = client_for(world, "director")
    for m in ("2026-01-01", "2026-02-01", "2026-03-01"):
        r = c.put(f"{API}/quotas", {"staff_id": world.staff["am_wang"].pk, "month": m, "base": "1000000",
                                    "sprint": "200000"}, content_type="application/json")
        assert r.status_code == 200, r.content
    r = c.post(f"{API}/resets", {"month": "2026-04-01"}, content_type="application/json")
    assert r.status_code == 201
    line = r.json()["lines"][0]
    assert line["new_base"] == "800000.00" and any(x["code"] == "capped_down" for x in line["reasons"])
    r = c.post(f"{API}/resets/{r.json()['id']}/decide", {"approve": True}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    r = c.post(f"{API}/resets", {"month": "2026-05-01", "rules": {"cap_up": "5"}}, content_type="application/json")
    assert r.status_code == 422 and _fields(r) == {"rules"}


def test_attainment_outside_the_holiday_calendar(world):
    r = client_for(world, "director").get(f"{API}/attainment", {"month": "2000-01-01"})
    assert r.status_code == 200


def test_three_targets_via_api(world):
    make_loan(world, on=date(2025, 5, 1))
    c = client_for(world, "director")
    pid = _create(c, new_customers=240, npl_ceiling="0.02").json()["id"]
    c.post(f"{API}/plans/{pid}/split", {}, content_type="application/json")
    matrix = c.get(f"{API}/plans/{pid}").json()
    assert matrix["totals"]["customers"] == 240 and float(matrix["totals"]["npl"]) == 2_400_000
    assert float(matrix["totals"]["npl_ratio"]) == 0.02
    cell = next(cell for cell in matrix["cells"] if cell["new_customers"] > 0)
    first = cell["months"][0]
    r = c.patch(f"{API}/plans/{pid}/cells/{first['id']}", {"new_customers": first["new_customers"] + 1},
                content_type="application/json")
    assert r.status_code == 200, r.content
    again = next(x for x in r.json()["cells"] if x["months"][0]["id"] == first["id"])
    assert again["months"][0]["new_customers"] == first["new_customers"] + 1
    assert again["new_customers"] == cell["new_customers"] and r.json()["totals"]["customers"] == 240
    r = c.patch(f"{API}/plans/{pid}/cells/{first['id']}", {"npl_amount": "150"}, content_type="application/json")
    assert r.status_code == 422 and _fields(r) == {"npl_amount"}
    r = c.patch(f"{API}/plans/{pid}/cells/{first['id']}", {"amount": "10000", "new_customers": 1},
                content_type="application/json")
    assert r.status_code == 422
    r = c.patch(f"{API}/plans/{pid}/cells/{first['id']}", {"new_customers": 10**6}, content_type="application/json")
    assert r.status_code == 422 and _fields(r) == {"new_customers"}
    people = client_for(world, "am_wang").get(f"{API}/plans/{pid}/people")
    assert people.status_code == 200
    assert {row["manager_id"] for row in people.json()} == {world.staff["am_wang"].pk}
    assert c.post(f"{API}/plans/{pid}/approve").status_code == 200
    quotas = c.get(f"{API}/quotas", {"month": "2026-01-01"}).json()
    assert sum(q["new_customers"] for q in quotas) > 0 and sum(float(q["npl_amount"]) for q in quotas) > 0
