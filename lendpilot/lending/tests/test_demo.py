"""The lending demo step on the tiny demo bank: loans with schedules, repayments with delinquency, live cases."""

from datetime import date

import pytest

from lendpilot.compliance.audit import verify_chain
from lendpilot.core.seeding import SeedContext
from lendpilot.demo.steps import run_steps
from lendpilot.lending.models import Application, Instalment, Loan, Repayment

STEPS = ("lendpilot.org.demo", "lendpilot.products.demo", "lendpilot.customers.demo", "lendpilot.scoring.demo",
         "lendpilot.lending.demo")


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


@pytest.mark.django_db(transaction=True)
def test_demo_cases_are_graded_by_the_engine_and_every_size_can_be_decided():
    from decimal import Decimal

    from lendpilot.lending import authority, services
    from lendpilot.lending.selectors import eligible_approvers

    ctx = SeedContext.create(scale="tiny", seed=5, show_progress=False, today=date(2025, 6, 30))
    run_steps(ctx, steps=STEPS)
    assert not Application.objects.filter(scorecard_version__isnull=True).exists()
    live = Application.objects.filter(submitted_at__isnull=False)
    assert live.exists() and not live.filter(prescreen__isnull=True).exists()
    assert all(a.risk_grade == a.prescreen.grade for a in live.select_related("prescreen"))
    showcase = {a.amount: a for a in Application.objects.filter(
        status=Application.Status.IN_REVIEW, amount__in=[Decimal("300000"), Decimal("4000000"), Decimal("25000000")])}
    assert sorted(showcase) == [Decimal("300000"), Decimal("4000000"), Decimal("25000000")]
    assert showcase[Decimal("25000000")].route[-1] == authority.DIRECTOR
    for app in showcase.values():
        while app.status == Application.Status.IN_REVIEW:
            able = list(eligible_approvers(app).select_related("user"))
            assert able, f"nobody can act at L{app.current_level} of {app.amount}"
            services.application_decide(actor=able[0].user, application=app, outcome="approve", reason="同意",
                                        expected_step=app.step)
            app.refresh_from_db()
        assert app.status == Application.Status.APPROVED
