"""Schedules: exact principal sums for every method, agreement with numpy-financial, dates, APR."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

import numpy_financial as npf
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lendpilot.core.reference import RepaymentMethod
from lendpilot.lending.schedule import (
    ScheduleError,
    add_months,
    annualised_rate,
    broken_period_interest,
    build_schedule,
    equal_instalment_payment,
    totals,
)

METHODS = list(RepaymentMethod.values)
amounts = st.integers(min_value=100, max_value=10_000_000_000).map(lambda fen: Decimal(fen) / 100)
rates = st.integers(min_value=0, max_value=360_000).map(lambda r: Decimal(r) / 1_000_000)  # 0 .. 36%
terms = st.integers(min_value=1, max_value=360)
starts = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@settings(max_examples=300, deadline=None)
@given(principal=amounts, rate=rates, periods=terms, method=st.sampled_from(METHODS), start=starts)
def test_principal_column_sums_exactly_to_the_loan(principal, rate, periods, method, start):
    rows = build_schedule(principal=principal, annual_rate=rate, periods=periods, method=method, start=start)
    assert sum(r.principal for r in rows) == principal
    assert all(r.principal >= 0 and r.interest >= 0 for r in rows)
    assert all(r.principal == r.principal.quantize(Decimal("0.01")) for r in rows)
    assert rows[-1].balance_after == 0
    assert [r.due_date for r in rows] == sorted(r.due_date for r in rows)


@settings(max_examples=1000, deadline=None)
@given(principal=amounts, rate=rates.filter(lambda r: r >= Decimal("0.01")), periods=terms)
def test_equal_instalment_payment_agrees_with_numpy_financial_to_the_fen(principal, rate, periods):
    """numpy_financial.pmt(r/12, n, -P) works in binary floats; its result is rounded half-up to the fen
    through its shortest decimal repr and must equal ours exactly. Two allowances, both float artefacts:
    rates are from 1% a year up (below that the float formula loses digits to cancellation in
    (1 + r)^n - 1, e.g. P = 10,860,000 at 0.0001% over one month), and a one-fen difference is accepted
    only when the exact payment lies within 1e-6 fen of a half-fen boundary."""
    ours = equal_instalment_payment(principal, rate, periods)
    theirs_float = float(-npf.pmt(float(rate) / 12, periods, float(principal)))
    theirs = Decimal(repr(theirs_float)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if ours != theirs:
        with localcontext() as ctx:
            ctx.prec = 40
            r = rate / 12
            exact = principal * r / (1 - (1 + r) ** -periods)
        assert abs((exact * 100) % 1 - Decimal("0.5")) < Decimal("1e-6")
        assert abs(ours - theirs) == Decimal("0.01")


@settings(max_examples=200, deadline=None)
@given(principal=amounts, rate=rates, periods=st.integers(min_value=2, max_value=360))
def test_equal_instalment_rows_pay_the_level_payment_except_the_last(principal, rate, periods):
    # With less than a yuan per period, the rounded-up payment can exhaust the balance early; no product
    # lends that little, so the property is stated for at least CNY 100 per period.
    assume(principal >= 100 * periods)
    rows = build_schedule(principal=principal, annual_rate=rate, periods=periods,
                          method=RepaymentMethod.EQUAL_INSTALMENT, start=date(2025, 1, 15))
    payment = equal_instalment_payment(principal, rate, periods)
    assert all(r.payment == payment for r in rows[:-1])
    # The last payment differs only by rounding (half a fen of payment and half a fen of interest a period)
    # carried forward with interest: |difference| <= 0.01 * n * (1 + r)^n.
    growth = (1 + rate / 12) ** periods
    assert abs(rows[-1].payment - payment) <= Decimal("0.01") * periods * growth


def test_equal_instalment_known_figure():
    # 100,000 at 12% over 12 months: 8,884.88 a month (any mortgage calculator).
    rows = build_schedule(principal=Decimal("100000"), annual_rate=Decimal("0.12"), periods=12,
                          method=RepaymentMethod.EQUAL_INSTALMENT, start=date(2025, 1, 10))
    assert rows[0].payment == Decimal("8884.88")
    assert rows[0].interest == Decimal("1000.00")
    assert totals(rows)["principal"] == Decimal("100000.00")
    assert rows[-1].due_date == date(2026, 1, 10)


def test_equal_principal_last_row_absorbs_rounding():
    rows = build_schedule(principal=Decimal("100000"), annual_rate=Decimal("0.12"), periods=12,
                          method=RepaymentMethod.EQUAL_PRINCIPAL, start=date(2025, 1, 10))
    assert {r.principal for r in rows[:-1]} == {Decimal("8333.33")}
    assert rows[-1].principal == Decimal("8333.37")
    assert rows[0].interest == Decimal("1000.00") and rows[1].interest == Decimal("916.67")


def test_interest_first_and_bullet():
    first = build_schedule(principal=Decimal("500000"), annual_rate=Decimal("0.06"), periods=6,
                           method=RepaymentMethod.INTEREST_FIRST, start=date(2025, 1, 10))
    assert [r.principal for r in first] == [Decimal("0.00")] * 5 + [Decimal("500000.00")]
    assert {r.interest for r in first} == {Decimal("2500.00")}
    bullet = build_schedule(principal=Decimal("500000"), annual_rate=Decimal("0.06"), periods=6,
                            method=RepaymentMethod.BULLET, start=date(2025, 1, 10))
    assert len(bullet) == 1
    assert bullet[0].principal == Decimal("500000.00") and bullet[0].interest == Decimal("15000.00")
    assert bullet[0].due_date == date(2025, 7, 10)


def test_zero_rate_splits_principal_only():
    rows = build_schedule(principal=Decimal("1000.00"), annual_rate=Decimal("0"), periods=3,
                          method=RepaymentMethod.EQUAL_INSTALMENT, start=date(2025, 1, 10))
    assert [r.principal for r in rows] == [Decimal("333.33"), Decimal("333.33"), Decimal("333.34")]
    assert sum(r.interest for r in rows) == 0


def test_due_dates_clamp_to_month_end_and_keep_the_anchor():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2025, 1, 31), 2) == date(2025, 3, 31)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert add_months(date(2025, 12, 15), 1) == date(2026, 1, 15)


def test_business_day_roll_moves_due_dates_off_holidays():
    # 2025-10-01 is National Day; the roll moves the due date to the first business day after the holiday.
    rows = build_schedule(principal=Decimal("1000"), annual_rate=Decimal("0.1"), periods=1,
                          method=RepaymentMethod.EQUAL_INSTALMENT, start=date(2025, 9, 1), roll_business_days=True)
    assert rows[0].due_date == date(2025, 10, 9)


def test_broken_period_is_actual_over_360():
    assert broken_period_interest(Decimal("360000"), Decimal("0.10"), 10) == Decimal("1000.00")


def test_apr_equals_the_rate_without_fees_and_rises_with_fees():
    principal = Decimal("100000")
    rows = build_schedule(principal=principal, annual_rate=Decimal("0.12"), periods=12,
                          method=RepaymentMethod.EQUAL_INSTALMENT, start=date(2025, 1, 10))
    assert abs(annualised_rate(principal=principal, rows=rows, periods=12) - Decimal("0.12")) < Decimal("0.00002")
    with_fee = annualised_rate(principal=principal, rows=rows, periods=12, fees=Decimal("1000"))
    # Cross-check with numpy-financial's IRR on the same flows.
    flows = [-99000.0] + [float(r.payment) for r in rows]
    assert abs(with_fee - Decimal(repr(float(npf.irr(flows)) * 12))) < Decimal("0.000002")


@pytest.mark.parametrize("kwargs", [
    {"principal": Decimal("0"), "annual_rate": Decimal("0.1"), "periods": 12},
    {"principal": Decimal("100.001"), "annual_rate": Decimal("0.1"), "periods": 12},
    {"principal": Decimal("100"), "annual_rate": Decimal("-0.1"), "periods": 12},
    {"principal": Decimal("100"), "annual_rate": Decimal("0.1"), "periods": 0},
])
def test_bad_terms_are_refused(kwargs):
    with pytest.raises(ScheduleError):
        build_schedule(method=RepaymentMethod.EQUAL_INSTALMENT, start=date(2025, 1, 1), **kwargs)
