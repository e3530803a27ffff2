"""In a real browser: the director enters the annual targets (amount, new customers, NPL ceiling), sees the
split, edits an amount cell and a new-customers cell (their siblings are re-balanced), approves, and finds
the managers' quotas with all three targets."""

from datetime import date

import pytest
from django.db.models import Sum

from lendpilot.planning.models import Quota, TargetCell, TargetPlan
from lendpilot.testing import PASSWORD, make_loan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_director_from_annual_target_to_approved_quotas(live_world, chromium, live_server):
    make_loan(live_world, on=date(2025, 4, 2), amount="300000")
    make_loan(live_world, customer="am_chen_person", on=date(2025, 5, 2), amount="100000")
    context = chromium.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/login/")
    page.fill("#id_username", "director")
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url("**/")
    page.goto("/planning/")
    page.fill("#id_code", "FY2026")
    page.fill("#id_name", "2026 年度计划")
    page.fill("#id_period_start", "2026-01-01")
    page.fill("#id_total_amount", "120000000")
    page.fill("#id_new_customers", "480")
    page.fill("#id_npl_ceiling_pct", "1.5")
    page.click("#plan-submit")
    page.wait_for_selector("#split-table")
    plan = TargetPlan.objects.get()
    assert page.inner_text("#split-total").replace(",", "").startswith("120000000")
    cell = TargetCell.objects.filter(plan=plan, level="cell", amount__gt=0).order_by("id").first()
    page.select_option("#id_cell", str(cell.pk))
    page.fill("#id_amount", str(int(cell.amount) + 10000))
    page.click("#edit-submit")
    page.wait_for_selector("#split-table")
    assert TargetCell.objects.filter(plan=plan, level="cell").aggregate(s=Sum("amount"))["s"] == plan.total_amount
    assert page.inner_text("#split-customers").replace(",", "") == "480"
    page.click("#metric-customers")
    page.wait_for_selector("#metric-customers.active")
    cell = TargetCell.objects.filter(plan=plan, level="cell", new_customers__gt=0).order_by("id").first()
    page.select_option("#id_cell", str(cell.pk))
    page.fill("#id_amount", str(cell.new_customers + 1))
    page.click("#edit-submit")
    page.wait_for_selector("#metric-customers.active")
    cell.refresh_from_db()
    assert cell.edited and TargetCell.objects.filter(plan=plan, level="cell").aggregate(
        s=Sum("new_customers"))["s"] == 480
    page.click("#approve-button")
    page.wait_for_selector("#split-table")
    plan.refresh_from_db()
    assert plan.status == "approved"
    page.goto("/planning/quotas/?month=2026-03")
    page.wait_for_selector("#quota-table")
    wang = live_world.staff["am_wang"]
    quota = Quota.objects.get(staff=wang, month=date(2026, 3, 1))
    assert quota.new_customers >= 0 and quota.npl_amount > 0
    assert wang.name in page.inner_text("#quota-table")
    assert Quota.objects.aggregate(s=Sum("new_customers"))["s"] == 480
    context.close()
