from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum

from lendpilot.lending.models import Instalment
from lendpilot.monitoring import services
from lendpilot.monitoring.models import (
    Alert,
    EodRun,
    EodStage,
    Intervention,
    Outbox,
    PortfolioSnapshot,
    Signal,
)
from lendpilot.monitoring.tests.conftest import make_loan, pay_first

FIRST_DUE = date(2025, 2, 10)


def state():
    return {
        "signals": Signal.objects.count(), "alerts": Alert.objects.count(),
        "steps": Intervention.objects.count(), "outbox": Outbox.objects.count(),
        "snapshots": list(PortfolioSnapshot.objects.order_by("dimension", "key").values_list(
            "business_date", "dimension", "key", "loans", "balance", "overdue_loans", "npl_loans")),
        "penalty": Instalment.objects.aggregate(s=Sum("penalty_accrued"))["s"],
        "alert_levels": list(Alert.objects.order_by("pk").values_list("severity", "tier", "planned_tier", "status")),
    }


def test_first_missed_then_bucket_jump_escalates_one_alert(world):
    loan = make_loan(world)
    services.eod_run(actor=None, business_date=FIRST_DUE + timedelta(days=5))
    alert = Alert.objects.get(loan=loan)
    assert (alert.severity, alert.tier, alert.status) == (1, 1, "open")
    assert set(alert.signals.values_list("code", flat=True)) == {"first_missed"}
    assert set(alert.interventions.values_list("kind", flat=True)) == {"sms_reminder", "manager_call"}
    assert Outbox.objects.filter(channel="sms", customer=loan.borrower).count() == 1
    services.eod_run(actor=None, business_date=FIRST_DUE + timedelta(days=6))
    assert Signal.objects.filter(loan=loan).count() == 1  # the same bucket again is no new signal
    services.eod_run(actor=None, business_date=FIRST_DUE + timedelta(days=35))
    assert Alert.objects.filter(loan=loan).count() == 1
    alert.refresh_from_db()
    assert alert.severity == 2 and alert.tier >= 2
    assert alert.signals.filter(code="dpd_bucket").exists()
    assert alert.interventions.filter(tier=2, kind="visit").exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(loan=loan, opened_on=FIRST_DUE, last_signal_on=FIRST_DUE)


def test_current_loan_raises_nothing(world):
    loan = make_loan(world)
    pay_first(loan, 2)
    services.eod_run(actor=None, business_date=date(2025, 3, 20))
    assert not Alert.objects.exists()
    snap = PortfolioSnapshot.objects.get(business_date=date(2025, 3, 20), dimension="all")
    assert snap.loans == 1 and snap.overdue_loans == 0


def test_rerun_changes_nothing(world):
    make_loan(world)
    make_loan(world, customer="am_chen_company")
    day = FIRST_DUE + timedelta(days=40)
    run = services.eod_run(actor=None, business_date=day)
    assert run.status == "completed" and run.counts["snapshot"]["snapshot_rows"] > 0
    before = state()
    assert before["penalty"] > 0
    services.eod_run(actor=None, business_date=day)  # completed: left alone
    services.eod_run(actor=None, business_date=day, rerun=True)  # every stage again
    assert state() == before


def test_killed_run_resumes_to_the_same_result(world):
    make_loan(world)
    day = FIRST_DUE + timedelta(days=40)
    run = services.eod_run(actor=None, business_date=day, stop_after="signals")
    assert run.status == "running"
    assert EodStage.objects.filter(run=run, completed=True).count() == 3
    run = services.eod_run(actor=None, business_date=day)
    assert run.status == "completed" and run.attempts == 2
    resumed = state()
    services.eod_run(actor=None, business_date=day, rerun=True)
    assert state() == resumed
    # the penalty equals the pure accrual from the due dates to the business date
    from lendpilot.lending.allocation import accrue_penalty
    from lendpilot.lending.services import open_instalments
    insts = list(Instalment.objects.filter(due_date__lt=day, is_settled=False).order_by("seq"))
    expected = sum(a.penalty for a in accrue_penalty(
        open_instalments([Instalment(seq=i.seq, due_date=i.due_date, principal_due=i.principal_due,
                                     interest_due=i.interest_due) for i in insts]),
        value_date=day, annual_rate=Decimal("0.12"), multiplier=Decimal("1.5")))
    assert sum(i.penalty_accrued for i in insts) == expected


def test_date_before_last_run_and_future_refused(world):
    services.eod_run(actor=None, business_date=date(2025, 3, 3))
    for bad in (date(2025, 3, 1), date(2099, 1, 1), "2025-13-01"):
        with pytest.raises(ValidationError) as exc:
            services.eod_run(actor=None, business_date=bad)
        assert "business_date" in exc.value.message_dict
    assert EodRun.objects.count() == 1


def test_sla_passed_escalates_a_tier(world):
    loan = make_loan(world)
    day = FIRST_DUE + timedelta(days=3)
    services.eod_run(actor=None, business_date=day)
    alert = Alert.objects.get(loan=loan)
    due = alert.interventions.get(kind="manager_call").due_on
    services.eod_run(actor=None, business_date=due + timedelta(days=1))
    alert.refresh_from_db()
    assert alert.tier == 2
    assert alert.interventions.filter(tier=1, status="escalated").count() == 2
    assert alert.interventions.filter(tier=2, status="open").count() == 2
    assert alert.signals.filter(code="sla_escalation").exists()


def test_penalty_accrues_incrementally(world):
    make_loan(world)
    d1, d2 = FIRST_DUE + timedelta(days=10), FIRST_DUE + timedelta(days=20)
    services.eod_run(actor=None, business_date=d1)
    p1 = Instalment.objects.get(seq=1).penalty_accrued
    services.eod_run(actor=None, business_date=d2)
    inst = Instalment.objects.get(seq=1)
    assert inst.penalty_through == d2
    # 10 more days on the same principal: about the same again (rounded per accrual)
    assert abs(inst.penalty_accrued - 2 * p1) <= Decimal("0.01")


def test_close_alert_with_reason(world):
    loan = make_loan(world)
    services.eod_run(actor=None, business_date=FIRST_DUE + timedelta(days=3))
    alert = Alert.objects.get(loan=loan)
    step = alert.interventions.get(kind="manager_call")
    with pytest.raises(ValidationError):
        services.intervention_complete(actor=world.user("am_wang"), intervention=step, outcome=" ")
    services.intervention_complete(actor=world.user("am_wang"), intervention=step, outcome="客户承诺三日内还款")
    with pytest.raises(ValidationError) as exc:
        services.alert_close(actor=world.user("risk_l1"), alert=alert, reason="")
    assert "reason" in exc.value.message_dict
    services.alert_close(actor=world.user("risk_l1"), alert=alert, reason="已还款")
    alert.refresh_from_db()
    assert alert.status == "closed"
    assert not alert.interventions.filter(status="open").exists()
    from django.core.exceptions import PermissionDenied
    with pytest.raises(PermissionDenied):
        services.alert_close(actor=world.user("compliance"), alert=alert, reason="x")


def test_sla_past_the_published_calendar_counts_the_provisional_year():
    # 2099 and 2100 have no official arrangement: weekdays count, New Year (a fixed-date holiday) does not.
    assert services.sla_due(date(2099, 12, 30), 3) == date(2100, 1, 5)


def test_penalty_is_one_update_per_accrual_start_not_per_instalment(world):
    for customer in ("am_wang_person", "am_chen_company", "am_zhao_person"):
        make_loan(world, customer=customer)
    services.eod_run(actor=None, business_date=FIRST_DUE + timedelta(days=40))  # two instalments each overdue
    run = services.eod_run(actor=None, business_date=FIRST_DUE + timedelta(days=41))
    penalty = run.counts["penalty"]
    assert penalty["instalments"] == 6
    assert penalty["accrual_starts"] == 2  # the never-accrued ones, and everything accrued through yesterday
