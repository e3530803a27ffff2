from datetime import date
from io import BytesIO

import pytest
from django.test import Client
from openpyxl import load_workbook

from lendpilot.incentives.commission import DEFAULT_PLAN
from lendpilot.incentives.models import CommissionPlan
from lendpilot.planning.services import quota_set
from lendpilot.testing import make_loan

pytestmark = pytest.mark.django_db
API = "/api/v1/incentives"


def client_for(world, key) -> Client:
    c = Client()
    c.force_login(world.user(key))
    return c


@pytest.mark.parametrize(("spec", "field"), [("not json object", "spec"), ({"rates": {"credit": "x"}}, "rates.credit"),
                                             ({"accelerators": []}, "accelerators")])
def test_unparseable_plan_422(world, spec, field):
    r = client_for(world, "director").post(f"{API}/plans", {"name": "x", "spec": spec}, content_type="application/json")
    assert r.status_code == 422
    assert field in {d["loc"][-1] for d in r.json()["detail"]}
    assert not CommissionPlan.objects.exists()


def test_run_statement_export_dispute(world):
    from decimal import Decimal

    d = client_for(world, "director")
    assert d.post(f"{API}/plans", {"name": "2026", "spec": DEFAULT_PLAN}, content_type="application/json"
                  ).status_code == 201
    quota_set(actor=world.user("director"), staff=world.staff["am_wang"], month=date(2026, 3, 1),
              base=Decimal("1000000"), sprint=Decimal(0))
    loan = make_loan(world, amount="900000", on=date(2026, 3, 3))
    r = d.post(f"{API}/statements/run", {"month": "2026-03-01"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["statements"] == 4
    am = client_for(world, "am_wang")
    mine = am.get(f"{API}/statements", {"month": "2026-03-01"}).json()
    assert len(mine) == 1
    detail = am.get(f"{API}/statements/{mine[0]['id']}").json()
    assert detail["lines"][0]["loan_id"] == loan.pk and detail["lines"][0]["rule"] == "rate:creditx1.0"
    xlsx = am.get(f"{API}/statements/export.xlsx", {"month": "2026-03-01"})
    assert xlsx.status_code == 200
    assert load_workbook(BytesIO(xlsx.content))["statements"].max_row == 2
    r = am.post(f"{API}/statements/{mine[0]['id']}/disputes", {"reason": "少算", "line_id": 10**9},
                content_type="application/json")
    assert r.status_code == 422
    r = am.post(f"{API}/statements/{mine[0]['id']}/disputes", {"reason": "少算"}, content_type="application/json")
    assert r.status_code == 201
    assert d.post(f"{API}/statements/{mine[0]['id']}/approve").status_code == 409
    assert d.post(f"{API}/disputes/{r.json()['id']}/resolve", {"resolution": "ok"},
                  content_type="application/json").status_code == 200
    assert d.post(f"{API}/statements/{mine[0]['id']}/approve").status_code == 200
    assert d.post(f"{API}/honours/run", {"month": "2026-03-01"}, content_type="application/json").json()[0][
        "staff_id"] == world.staff["am_wang"].pk
    zhao = client_for(world, "am_zhao")
    assert zhao.get(f"{API}/statements/{mine[0]['id']}").status_code == 404


def test_appraisal_quarterly(world):
    make_loan(world, amount="900000", on=date(2026, 2, 3))
    r = client_for(world, "east_a_lead").get(
        f"{API}/appraisal", {"start": "2026-01-01", "months": 3})
    assert r.status_code == 200
    assert {row["staff_id"] for row in r.json()} == {world.staff["am_wang"].pk, world.staff["am_zhao"].pk}
    assert all("nps" in row["missing"] for row in r.json())
    assert client_for(world, "director").get(f"{API}/appraisal", {"start": "2026-01-01", "months": 2}
                                             ).status_code == 422
