"""The planning and incentives demo steps on the tiny demo bank: an approved plan with quotas that add up,
a year of statements, honours every month, grants; the audit chain still verifies."""

from datetime import date

import pytest
from django.db.models import Sum

from lendpilot.compliance.audit import verify_chain
from lendpilot.compliance.models import AuditEvent
from lendpilot.core.seeding import SeedContext
from lendpilot.demo.steps import run_steps
from lendpilot.incentives.models import CommissionStatement, Dispute, Grant, Honour, PeerRating
from lendpilot.planning.models import Quota, QuotaReset, TargetCell, TargetPlan

STEPS = ("lendpilot.org.demo", "lendpilot.products.demo", "lendpilot.customers.demo", "lendpilot.scoring.demo",
         "lendpilot.lending.demo",
         "lendpilot.planning.demo", "lendpilot.incentives.demo")


@pytest.mark.django_db(transaction=True)
def test_planning_and_incentives_demo_steps():
    ctx = SeedContext.create(scale="tiny", seed=5, show_progress=False, today=date(2025, 6, 30))
    run_steps(ctx, steps=STEPS)
    plan = TargetPlan.objects.get(code="FY2025", status="approved")
    assert TargetCell.objects.filter(plan=plan, level="cell").aggregate(s=Sum("amount"))["s"] == plan.total_amount
    assert Quota.objects.filter(month=date(2025, 6, 1)).exists()
    assert QuotaReset.objects.filter(month=date(2025, 7, 1), status="proposed").exists()
    assert CommissionStatement.objects.values("month").distinct().count() == 13
    assert CommissionStatement.objects.filter(month=date(2025, 6, 1), status="draft").exists()
    assert Honour.objects.filter(kind="sales_champion").count() >= 6
    assert Grant.objects.exists()
    # Past months signed off through the approval service: one audit record per month naming each statement.
    events = AuditEvent.objects.filter(event_code="incentives.statements_approved")
    assert events.count() == 12
    assert sum(len(e.after["statements"]) for e in events) == CommissionStatement.objects.filter(
        status="approved").count() > 0
    assert not CommissionStatement.objects.filter(month__lt=date(2025, 6, 1), status="draft").exists()
    assert Dispute.objects.filter(status="resolved").exists() and Dispute.objects.filter(status="open").exists()
    assert PeerRating.objects.filter(month=date(2025, 6, 1)).exists()
    assert TargetCell.objects.filter(plan=plan, level="cell").aggregate(s=Sum("new_customers"))["s"] == \
        plan.new_customers
    assert verify_chain().ok
