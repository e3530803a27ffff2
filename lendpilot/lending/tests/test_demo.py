"""The lending demo step on the tiny demo bank: loans with schedules, repayments with delinquency, live cases."""

from datetime import date

import pytest

from lendpilot.compliance.audit import verify_chain
from lendpilot.core.seeding import SeedContext
from lendpilot.demo.steps import run_steps
from lendpilot.lending.models import Application, Instalment, Loan, Repayment

STEPS = ("lendpilot.org.demo", "lendpilot.products.demo", "lendpilot.customers.demo", "lendpilot.lending.demo")


@pytest.mark.django_db(transaction=True)
def test_lending_demo_step():
    ctx = SeedContext.create(scale="tiny", seed=5, show_progress=False, today=date(2025, 6, 30))
    run_steps(ctx, steps=STEPS)
    loans = Loan.objects.count()
    assert loans >= 20
    assert Repayment.objects.count() > loans  # months of history
    for loan in Loan.objects.all()[:10]:
        assert sum(i.principal_due for i in loan.instalments.all()) == loan.principal
    assert Loan.objects.filter(days_past_due__gt=0).exists() or Instalment.objects.filter(is_settled=False).exists()
    assert Application.objects.filter(status=Application.Status.IN_REVIEW).exists()
    assert verify_chain().ok
