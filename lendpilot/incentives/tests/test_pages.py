"""Every planning and incentives page renders for the director and an account manager; the director goes
from an annual target to approved quotas through the pages."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.test import Client

from lendpilot.incentives import services
from lendpilot.incentives.commission import DEFAULT_PLAN
from lendpilot.planning.models import Quota, TargetPlan
from lendpilot.testing import make_loan

pytestmark = pytest.mark.django_db


def client_for(world, key) -> Client:
    c = Client()
    c.force_login(world.user(key))
    return c


def test_director_target_to_quotas_through_pages(world):
    make_loan(world, on=date(2025, 5, 1))
    c = client_for(world, "director")
    r = c.post("/planning/", {"code": "FY2026", "name": "2026", "period_start": "2026-01-01",
                              "total_amount": "120000000", "driver_last_year": "1", "driver_capacity": "0",
                              "driver_heat": "0", "new_customers": "300", "npl_ceiling_pct": "1.5"})
    assert r.status_code == 302
    plan = TargetPlan.objects.get()
    assert (plan.new_customers, plan.npl_ceiling) == (300, Decimal("0.015"))
    page = c.get(f"/planning/plans/{plan.pk}/")
    assert page.status_code == 200 and b"split-table" in page.content and b"people-table" in page.content
    for metric in ("customers", "npl"):
        assert c.get(f"/planning/plans/{plan.pk}/?metric={metric}").status_code == 200
    cell = plan.cells.filter(level="cell", new_customers__gt=0).first()
    r = c.post(f"/planning/plans/{plan.pk}/edit/", {"cell": cell.pk, "amount": str(cell.new_customers + 1),
                                                     "metric": "customers"})
    assert r.status_code == 302 and r.url.endswith("?metric=customers")
    cell.refresh_from_db()
    assert cell.edited and plan.cells.filter(level="cell").aggregate(s=Sum("new_customers"))["s"] == 300
    cell = plan.cells.filter(level="cell", amount__gt=0).first()
    c.post(f"/planning/plans/{plan.pk}/edit/", {"cell": cell.pk, "amount": str(cell.amount + 10000)})
    c.post(f"/planning/plans/{plan.pk}/approve/")
    plan.refresh_from_db()
    assert plan.status == "approved" and Quota.objects.exists()


def test_pages_render(world):
    make_loan(world, on=date(2026, 3, 2))
    services.commission_plan_publish(actor=world.user("director"), name="p", spec=DEFAULT_PLAN)
    services.commission_run(actor=world.user("director"), month=date(2026, 3, 1))
    services.honours_award(actor=world.user("director"), month=date(2026, 3, 1))
    pool = services.pool_create(actor=world.user("director"), name="p", kind="equity", total=Decimal(100000))
    services.grant_make(actor=world.user("director"), pool=pool, staff=world.staff["am_wang"],
                        amount=Decimal(1000), granted_on=date(2025, 1, 1))
    statement = world.staff["am_wang"].commission_statements.get()
    for key in ("director", "am_wang"):
        c = client_for(world, key)
        for url in ("/planning/", "/planning/quotas/?month=2026-03", "/planning/attainment/?month=2026-03",
                    "/planning/attainment/?month=2026-03&group=product", "/incentives/?month=2026-03",
                    f"/incentives/statements/{statement.pk}/", "/incentives/honours/?month=2026-03",
                    "/incentives/retention/", "/incentives/export.xlsx?month=2026-03",
                    "/incentives/peers/?month=2026-03"):
            assert c.get(url).status_code == 200, url
    assert client_for(world, "am_zhao").get(f"/incentives/statements/{statement.pk}/").status_code == 404
