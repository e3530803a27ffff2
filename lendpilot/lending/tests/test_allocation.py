"""Allocation order, partial and advance payments, penalty interest, early repayment with recalculation."""

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lendpilot.core.reference import RepaymentMethod
from lendpilot.lending.allocation import (
    AllocationError,
    OpenInstalment,
    accrue_penalty,
    allocate,
    prepay,
)
from lendpilot.lending.schedule import build_schedule, equal_instalment_payment


def _open():
    return [
        OpenInstalment(1, date(2025, 1, 10), D("800.00"), D("100.00"), D("5.00")),
        OpenInstalment(2, date(2025, 2, 10), D("810.00"), D("90.00"), D("2.00")),
        OpenInstalment(3, date(2025, 3, 10), D("820.00"), D("80.00")),
    ]


def test_default_order_penalty_then_interest_then_principal_across_overdue():
    result = allocate(D("200.00"), _open(), value_date=date(2025, 2, 20))
    assert result.total("penalty") == D("7.00")
    assert result.total("interest") == D("190.00")
    assert result.total("principal") == D("3.00")
    assert result.applied[1]["principal"] == D("3.00") and 3 not in result.applied
    assert result.unapplied == 0


def test_configurable_order_and_instalment_mode():
    result = allocate(D("200.00"), _open(), value_date=date(2025, 2, 20), order=("principal", "interest", "penalty"))
    assert result.total("principal") == D("200.00")
    by_instalment = allocate(D("910.00"), _open(), value_date=date(2025, 2, 20), mode="instalment")
    assert by_instalment.applied[1] == {"penalty": D("5.00"), "interest": D("100.00"), "principal": D("800.00")}
    assert by_instalment.applied[2] == {"penalty": D("2.00"), "interest": D("3.00"), "principal": D("0.00")}


def test_surplus_beyond_what_is_due_is_unapplied_never_future_interest():
    result = allocate(D("3000.00"), _open(), value_date=date(2025, 2, 20))
    assert 3 not in result.applied  # instalment 3 (due 10 March) is not due on 20 February
    assert result.unapplied == D("3000.00") - D("1807.00")


@pytest.mark.parametrize("amount", [D("0"), D("-1.00"), D("1.001")])
def test_bad_amounts(amount):
    with pytest.raises(AllocationError):
        allocate(amount, _open(), value_date=date(2025, 2, 20))


def test_bad_order():
    with pytest.raises(AllocationError):
        allocate(D("1.00"), _open(), value_date=date(2025, 2, 20), order=("penalty", "interest"))


@settings(max_examples=200, deadline=None)
@given(amount=st.integers(min_value=1, max_value=500_000).map(lambda f: D(f) / 100),
       day=st.integers(min_value=0, max_value=90))
def test_allocation_conserves_money(amount, day):
    value_date = date(2025, 1, 1).fromordinal(date(2025, 1, 1).toordinal() + day)
    result = allocate(amount, _open(), value_date=value_date)
    assert sum(result.total(c) for c in ("penalty", "interest", "principal")) + result.unapplied == amount
    for inst in _open():
        applied = result.applied.get(inst.seq)
        if applied:
            assert applied["principal"] <= inst.principal and applied["interest"] <= inst.interest


def test_penalty_accrues_on_overdue_principal_actual_360_and_is_idempotent_for_a_date():
    inst = [OpenInstalment(1, date(2025, 1, 10), D("36000.00"), D("0.00"))]
    once = accrue_penalty(inst, value_date=date(2025, 1, 20), annual_rate=D("0.10"))
    # 36,000 x 10% x 1.5 / 360 x 10 days = 150.00
    assert once[0].penalty == D("150.00") and once[0].penalty_through == date(2025, 1, 20)
    assert accrue_penalty(once, value_date=date(2025, 1, 20), annual_rate=D("0.10"))[0].penalty == D("150.00")
    later = accrue_penalty(once, value_date=date(2025, 1, 30), annual_rate=D("0.10"))
    assert later[0].penalty == D("300.00")
    not_due = accrue_penalty(inst, value_date=date(2025, 1, 10), annual_rate=D("0.10"))
    assert not_due[0].penalty == 0


def _remaining(principal=D("120000"), rate=D("0.12"), periods=12, method=RepaymentMethod.EQUAL_INSTALMENT):
    rows = build_schedule(principal=principal, annual_rate=rate, periods=periods, method=method,
                          start=date(2025, 1, 10))
    return rows


def test_early_repayment_reduce_payment_keeps_dates_and_sums():
    rows = _remaining()
    paid = rows[:3]
    outstanding = D("120000") - sum(r.principal for r in paid)
    result = prepay(amount=D("50000.00"), outstanding_principal=outstanding, annual_rate=D("0.12"),
                    method=RepaymentMethod.EQUAL_INSTALMENT, period_start=paid[-1].due_date,
                    value_date=date(2025, 4, 25), remaining_due_dates=[r.due_date for r in rows[3:]])
    # Interest accrued 10 Apr -> 25 Apr (15 days, actual/360) is paid first.
    assert result.interest_paid == (outstanding * D("0.12") / 360 * 15).quantize(D("0.01"))
    assert result.principal_paid == D("50000.00") - result.interest_paid
    assert [r.due_date for r in result.new_rows] == [r.due_date for r in rows[3:]]
    assert sum(r.principal for r in result.new_rows) == outstanding - result.principal_paid
    assert result.new_rows[1].payment < rows[4].payment
    assert not result.settled


def test_early_repayment_shorten_term_keeps_the_payment():
    rows = _remaining()
    outstanding = D("120000") - rows[0].principal
    payment = equal_instalment_payment(D("120000"), D("0.12"), 12)
    result = prepay(amount=D("40000.00"), outstanding_principal=outstanding, annual_rate=D("0.12"),
                    method=RepaymentMethod.EQUAL_INSTALMENT, period_start=rows[0].due_date,
                    value_date=rows[0].due_date, remaining_due_dates=[r.due_date for r in rows[1:]],
                    current_payment=payment, mode="shorten_term")
    assert len(result.new_rows) < 11
    assert all(r.payment <= payment + D("0.01") for r in result.new_rows[:-1])
    assert sum(r.principal for r in result.new_rows) == outstanding - result.principal_paid


@pytest.mark.parametrize("method", list(RepaymentMethod.values))
def test_early_repayment_each_method_sums(method):
    rows = _remaining(method=method)
    outstanding = D("120000")
    result = prepay(amount=D("30000.00"), outstanding_principal=outstanding, annual_rate=D("0.12"), method=method,
                    period_start=date(2025, 1, 10), value_date=date(2025, 1, 31),
                    remaining_due_dates=[r.due_date for r in rows])
    assert sum(r.principal for r in result.new_rows) == outstanding - result.principal_paid


def test_full_settlement_and_too_small_prepayment():
    settled = prepay(amount=D("130000.00"), outstanding_principal=D("120000"), annual_rate=D("0.12"),
                     method=RepaymentMethod.EQUAL_INSTALMENT, period_start=date(2025, 1, 10),
                     value_date=date(2025, 1, 20), remaining_due_dates=[date(2025, 2, 10)])
    assert settled.settled and settled.new_rows == []
    assert settled.interest_paid == D("400.00") and settled.unapplied == D("9600.00")
    with pytest.raises(AllocationError):
        prepay(amount=D("100.00"), outstanding_principal=D("120000"), annual_rate=D("0.12"),
               method=RepaymentMethod.EQUAL_INSTALMENT, period_start=date(2025, 1, 10),
               value_date=date(2025, 1, 20), remaining_due_dates=[date(2025, 2, 10)])
