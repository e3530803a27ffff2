"""Commission statements: every accelerator boundary, bonus, clawback, cap, traceable lines, plan parsing."""

from decimal import Decimal

import pytest

from lendpilot.incentives.commission import (
    DEFAULT_PLAN,
    Default,
    LoanSale,
    PlanError,
    compute_statement,
    parse_plan,
)

PLAN = parse_plan({**DEFAULT_PLAN, "cap": None})
QUOTA = Decimal("1000000")


@pytest.mark.parametrize(("disbursed", "multiplier", "bonus"), [
    ("0", "0.8", False), ("799999.99", "0.8", False), ("800000", "1.0", False), ("999999.99", "1.0", False),
    ("1000000", "1.2", False), ("1199999.99", "1.2", False), ("1200000", "1.5", True), ("3000000", "1.5", True),
])
def test_accelerator_boundaries(disbursed, multiplier, bonus):
    sales = [LoanSale(loan_id=1, category="credit", amount=Decimal(disbursed))] if Decimal(disbursed) else []
    st = compute_statement(PLAN, quota=QUOTA, sales=sales)
    assert st.multiplier == Decimal(multiplier)
    expected = (Decimal(disbursed) * Decimal("0.006") * Decimal(multiplier)).quantize(Decimal("0.01"))
    assert any(line.rule == "bonus:1.2" for line in st.lines) is bonus
    assert st.total == expected + (Decimal(5000) if bonus else 0)


def test_every_line_traceable_to_loan_and_rule():
    sales = [LoanSale(11, "credit", Decimal("500000")), LoanSale(12, "mortgage", Decimal("600000"))]
    st = compute_statement(PLAN, quota=QUOTA, sales=sales)
    assert [(line.loan_id, line.rule) for line in st.lines] == [(11, "rate:creditx1.2"), (12, "rate:mortgagex1.2")]
    assert st.lines[0].amount == Decimal("3600.00") and st.lines[1].amount == Decimal("1440.00")


def test_unknown_product_uses_default_rate():
    st = compute_statement(PLAN, quota=QUOTA, sales=[LoanSale(1, "other", Decimal("100000"))])
    assert st.lines[0].rule.startswith("rate:default") and st.lines[0].rate == Decimal("0.003")


def test_clawback_within_window_only():
    defaults = [Default(21, "credit", Decimal("100000"), months_on_book=6),
                Default(22, "credit", Decimal("100000"), months_on_book=7)]
    st = compute_statement(PLAN, quota=QUOTA, sales=[], defaults=defaults)
    claw = [line for line in st.lines if line.rule.startswith("clawback")]
    assert [(line.loan_id, line.amount) for line in claw] == [(21, Decimal("-600.00"))]


def test_cap_limits_earnings():
    plan = parse_plan({**DEFAULT_PLAN, "cap": "10000"})
    st = compute_statement(plan, quota=QUOTA, sales=[LoanSale(1, "credit", Decimal("2000000"))])
    assert st.total == Decimal("10000.00") and st.lines[-1].rule == "cap"


def test_no_quota_pays_base_rate():
    st = compute_statement(PLAN, quota=Decimal(0), sales=[LoanSale(1, "credit", Decimal("100000"))])
    assert st.attainment is None and st.multiplier == Decimal("1.0")


@pytest.mark.parametrize(("spec", "field"), [
    ("not a plan", "spec"), ({"rates": {"credit": "-0.1"}}, "rates.credit"), ({"rates": []}, "rates"),
    ({"accelerators": [{"from": "0.5", "multiplier": "1"}]}, "accelerators"),
    ({"accelerators": [{"from": "0", "multiplier": "1"}, {"from": "0", "multiplier": "2"}]}, "accelerators"),
    ({"clawback_months": -1}, "clawback_months"), ({"cap": "x"}, "cap"), ({"bogus": 1}, "spec"),
])
def test_bad_plans(spec, field):
    with pytest.raises(PlanError) as exc:
        parse_plan(spec)
    assert exc.value.field == field


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@given(quota=st.integers(min_value=1, max_value=10**8).map(lambda n: Decimal(n) * 100),
       band=st.sampled_from([("0.8", "0.8", "1.0"), ("1.0", "1.0", "1.2"), ("1.2", "1.2", "1.5")]))
def test_exact_boundary_for_any_quota(quota, band):
    """Exactly 80 / 100 / 120% of any quota (whole CNY 100) earns the higher band; one fen less the lower."""
    start, below, at = (Decimal(x) for x in band)
    exactly = start * quota
    assert compute_statement(PLAN, quota=quota, sales=[], disbursed=exactly).multiplier == at
    assert compute_statement(PLAN, quota=quota, sales=[], disbursed=exactly - Decimal("0.01")).multiplier == below
