"""The book as it stood on past days: snapshots and month-end buckets rebuilt from schedules and
repayment value dates agree with the EOD where nothing was paid since, and see the late payers that
an EOD run today for a past date would miss."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from lendpilot.compliance.models import AuditEvent
from lendpilot.lending import services as lending
from lendpilot.monitoring import services
from lendpilot.monitoring.models import LoanMonthBucket, PortfolioAlert, PortfolioSnapshot
from lendpilot.monitoring.tests.conftest import make_loan

FIRST_DUE = date(2025, 2, 10)
FIGURES = ("dimension", "key", "loans", "balance", "overdue_loans", "overdue_balance", "npl_loans", "npl_balance")


def figures(day: date) -> list[tuple]:
    return list(PortfolioSnapshot.objects.filter(business_date=day).order_by("dimension", "key")
                .values_list(*FIGURES))


def test_rebuilt_day_equals_the_eod_of_that_day_when_nothing_was_paid_since(world):
    make_loan(world)
    make_loan(world, customer="am_chen_company", principal="80000", disbursed_on=date(2024, 9, 10))
    day = date(2025, 5, 20)  # both loans are 90+ days past due: NPL
    services.eod_run(actor=None, business_date=day)
    by_eod = figures(day)
    assert {r[0] for r in by_eod} == {"all", "product", "region", "team", "manager", "industry", "tier", "class"}
    assert any(r[0] == "all" and r[6] == 2 for r in by_eod)
    counts = services.history_rebuild(actor=None, start=day, end=day)
    assert counts["days"] == 1 and counts["snapshot_rows"] == len(by_eod)
    assert figures(day) == by_eod


def test_a_late_payment_is_overdue_in_the_rebuilt_past_and_current_after_it(world):
    loan = make_loan(world)
    first = loan.instalments.get(seq=1)
    paid_on = FIRST_DUE + timedelta(days=20)
    lending.repayment_post(actor=None, loan=loan, external_ref="R-LATE-1",
                           amount=first.principal_due + first.interest_due + Decimal("200.00"), value_date=paid_on)
    late, after = FIRST_DUE + timedelta(days=10), paid_on + timedelta(days=1)  # 2025-02-20, 2025-03-03
    services.history_rebuild(actor=None, start=date(2025, 2, 1), end=date(2025, 3, 5))
    snap = PortfolioSnapshot.objects.get(business_date=late, dimension="all")
    assert (snap.loans, snap.overdue_loans) == (1, 1)
    assert snap.balance == snap.overdue_balance == loan.principal
    assert PortfolioSnapshot.objects.get(business_date=late, dimension="class").key == "2"
    snap = PortfolioSnapshot.objects.get(business_date=after, dimension="all")
    assert snap.overdue_loans == 0 and snap.balance == loan.principal - first.principal_due
    # before the disbursement the loan is not on the book
    assert not PortfolioSnapshot.objects.filter(business_date=date(2025, 2, 3), dimension="all", loans__gt=0).exists()
    # month end of February (last business day 2025-02-28): the loan sits in bucket 1-30
    assert list(LoanMonthBucket.objects.values_list("month", "loan_id", "bucket")) == [(date(2025, 2, 1), loan.pk, 1)]
    # the EOD run today for the same past date reads today's state: it cannot see the late payment
    services.eod_run(actor=None, business_date=late)
    assert PortfolioSnapshot.objects.get(business_date=late, dimension="all").overdue_loans == 0
    assert AuditEvent.objects.filter(event_code="monitoring.history_rebuilt").count() == 1


def test_rebuild_is_idempotent_and_settled_loans_leave_the_book(world):
    loan = make_loan(world)
    for inst in loan.instalments.order_by("seq"):
        lending.repayment_post(actor=None, loan=loan, external_ref=f"R-{inst.seq}",
                               amount=inst.principal_due + inst.interest_due, value_date=inst.due_date)
    loan.refresh_from_db()
    assert loan.status == "settled"
    last_due = loan.instalments.order_by("-seq").first().due_date
    services.history_rebuild(actor=None, start=date(2025, 1, 1), end=last_due + timedelta(days=10))
    once = list(PortfolioSnapshot.objects.order_by("business_date", "dimension", "key").values_list(
        "business_date", *FIGURES))
    services.history_rebuild(actor=None, start=date(2025, 1, 1), end=last_due + timedelta(days=10))
    assert list(PortfolioSnapshot.objects.order_by("business_date", "dimension", "key").values_list(
        "business_date", *FIGURES)) == once
    alls = dict(PortfolioSnapshot.objects.filter(dimension="all").values_list("business_date", "loans"))
    assert alls[date(2025, 6, 3)] == 1 and alls[last_due + timedelta(days=3)] == 0
    assert not PortfolioSnapshot.objects.filter(dimension="all", overdue_loans__gt=0).exists()
    assert LoanMonthBucket.objects.filter(bucket__gt=0).count() == 0
    assert LoanMonthBucket.objects.count() == 12  # on the book at 12 month ends


def test_rebuilt_history_raises_the_portfolio_alerts_of_its_breaches(world):
    # Two loans on time for months, then one stops paying: the overdue rate jumps above its band.
    good = make_loan(world, disbursed_on=date(2024, 6, 10))
    bad = make_loan(world, customer="am_chen_company", disbursed_on=date(2024, 6, 10))
    for loan, upto in ((good, 12), (bad, 8)):
        for inst in loan.instalments.order_by("seq")[:upto]:
            lending.repayment_post(actor=None, loan=loan, external_ref=f"R-{loan.pk}-{inst.seq}",
                                   amount=inst.principal_due + inst.interest_due, value_date=inst.due_date)
    counts = services.history_rebuild(actor=None, start=date(2024, 6, 1), end=date(2025, 4, 30))
    assert counts["portfolio_alerts"] >= 1
    first = PortfolioAlert.objects.filter(segment="all:all", metric="overdue_rate").order_by("business_date").first()
    assert first.business_date == date(2025, 3, 11) and first.value > first.upper  # the day after the 9th due date


@pytest.mark.parametrize(("start", "end", "field"), [
    (date(2025, 3, 1), date(2099, 1, 1), "end"),
    (date(2025, 3, 1), date(2025, 2, 1), "start"),
    (date(2021, 1, 1), date(2025, 2, 1), "start"),
    ("2025-13-01", date(2025, 2, 1), "start"),
])
def test_bad_ranges_are_refused_and_change_nothing(world, start, end, field):
    make_loan(world)
    services.eod_run(actor=None, business_date=date(2025, 2, 20))
    before = figures(date(2025, 2, 20))
    with pytest.raises(ValidationError) as exc:
        services.history_rebuild(actor=None, start=start, end=end)
    assert field in exc.value.message_dict
    assert figures(date(2025, 2, 20)) == before


def test_only_eod_operators_rebuild_history(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.history_rebuild(actor=world.user("am_wang"), start=date(2025, 2, 1), end=date(2025, 2, 5))
