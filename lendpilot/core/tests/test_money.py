from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lendpilot.core.money import MoneyError, split_money, to_money


def test_to_money_rounds_half_up_to_the_fen():
    assert to_money("1.005") == Decimal("1.01")
    assert to_money("-1.005") == Decimal("-1.01")
    assert to_money(3) == Decimal("3.00")


@pytest.mark.parametrize("bad", [0.1, "abc", "NaN", "Infinity", None])
def test_to_money_refuses_floats_and_non_numbers(bad):
    with pytest.raises(MoneyError):
        to_money(bad)


@given(
    total=st.decimals(min_value=0, max_value=10**10, places=2, allow_nan=False, allow_infinity=False),
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=30).filter(lambda w: sum(w) > 0),
)
def test_split_money_parts_sum_exactly_to_the_total(total, weights):
    parts = split_money(total, weights)
    assert sum(parts) == to_money(total)
    assert all(p >= 0 for p in parts)
    assert all(p == 0 for p, w in zip(parts, weights, strict=True) if w == 0)


def test_split_money_rejects_zero_and_negative_weights():
    with pytest.raises(MoneyError):
        split_money(Decimal("100"), [0, 0])
    with pytest.raises(MoneyError):
        split_money(Decimal("100"), [1, -1])
