"""The lending demo leaves the status history a real case would: every disbursed application moved through
submitted, approved, contract issued and signed before its disbursement day, and some applications were
rejected, so the command centre's approval rate (B9) has decisions to count."""

from datetime import date

import pytest
from django.utils import timezone

from lendpilot.core.seeding import SeedContext
from lendpilot.demo.steps import run_steps
from lendpilot.lending.models import Application, Loan, StatusChange

STEPS = ("lendpilot.org.demo", "lendpilot.products.demo", "lendpilot.customers.demo", "lendpilot.scoring.demo",
         "lendpilot.lending.demo")


@pytest.mark.django_db
def test_demo_applications_carry_their_status_history_and_some_are_rejected():
    run_steps(SeedContext.create(scale="tiny", seed=5, show_progress=False, today=date(2025, 6, 30)), steps=STEPS)
    for loan in Loan.objects.select_related("contract__application"):
        app = loan.contract.application
        moves = list(app.status_history.order_by("id").values_list("to_status", "at"))
        assert [m[0] for m in moves] == ["in_review", "approved", "contracted", "signed", "disbursed"]
        assert [m[1] for m in moves] == sorted(m[1] for m in moves)
        assert timezone.localdate(moves[-1][1]) == loan.disbursed_on
    rejected = Application.objects.filter(status=Application.Status.REJECTED)
    assert rejected.exists()
    assert StatusChange.objects.filter(to_status="rejected").count() == rejected.count()
    approved = StatusChange.objects.filter(to_status="approved").count()
    assert 0.5 < approved / (approved + rejected.count()) < 0.9
