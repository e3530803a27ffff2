"""The split adds up exactly at every level (property-based), re-balancing, drivers and bad input."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lendpilot.planning.decompose import (
    CellDrivers,
    DecompositionError,
    allocate,
    rebalance,
    split_down,
    split_target,
    to_units,
)

amounts = st.integers(min_value=0, max_value=10**6).map(Decimal)
cells_st = st.lists(st.tuples(amounts, amounts, st.integers(min_value=1, max_value=30)), min_size=1, max_size=20)


@given(total=st.integers(min_value=0, max_value=10**7),
       weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=50).filter(any))
def test_allocate_sums_exactly(total, weights):
    parts = allocate(total, weights)
    assert sum(parts) == total and all(p >= 0 for p in parts)
    assert all(p == 0 for p, w in zip(parts, weights, strict=True) if w == 0)


@settings(max_examples=60, deadline=None)
@given(total=st.integers(min_value=0, max_value=10**6), raw=cells_st,
       teams=st.lists(st.integers(min_value=0, max_value=9), min_size=1, max_size=5))
def test_split_sums_exactly_at_every_level(total, raw, teams):
    cells = [CellDrivers(product=f"p{i % 3}", region=f"r{i}", team_type="direct", last_year=ly + 1, capacity=cap,
                         heat=Decimal(h) / 10) for i, (ly, cap, h) in enumerate(raw)]
    split = split_target(total, cells)
    assert sum(c.units for c in split) == total
    for cell in split:
        assert sum(cell.months) == cell.units
        for month_units in cell.months:
            by_team = split_down(month_units, [(n, w) for n, w in enumerate(teams)])
            assert sum(by_team.values()) == month_units
            for team_units in by_team.values():
                assert sum(split_down(team_units, [("a", 1), ("b", 2), ("c", 0)]).values()) == team_units


def test_split_follows_drivers():
    cells = [CellDrivers("credit", "EAST", "direct", last_year=Decimal(300), capacity=Decimal(0)),
             CellDrivers("credit", "SOUTH", "direct", last_year=Decimal(100), capacity=Decimal(0))]
    split = split_target(1200, cells, weights={"last_year": 1})
    assert [c.units for c in split] == [900, 300]
    assert split[0].months == [75] * 12


def test_capacity_flag_and_growth():
    cells = [CellDrivers("credit", "EAST", "direct", last_year=Decimal(1_000_000), capacity=Decimal(5_000_000))]
    split = split_target(600, cells, weights={"last_year": 1})
    assert split[0].amount == Decimal("6000000.00") and split[0].exceeds_capacity
    assert split[0].growth == Decimal("5.0000")


@pytest.mark.parametrize("weights", [{"last_year": 0, "capacity": 0, "heat": 0}, {"nonsense": 1},
                                     {"last_year": -1}, {"last_year": "x"}])
def test_bad_drivers_rejected(weights):
    cells = [CellDrivers("credit", "EAST", "direct", last_year=Decimal(1))]
    with pytest.raises(DecompositionError) as exc:
        split_target(10, cells, weights=weights)
    assert exc.value.field == "drivers"


def test_drivers_zero_for_every_cell_rejected():
    cells = [CellDrivers("credit", "EAST", "direct"), CellDrivers("credit", "SOUTH", "direct")]
    with pytest.raises(DecompositionError) as exc:
        split_target(10, cells, weights={"last_year": 1})
    assert exc.value.field == "drivers"


@pytest.mark.parametrize("value", ["-10000", "15000", "abc", "NaN"])
def test_bad_totals_rejected(value):
    with pytest.raises(DecompositionError) as exc:
        to_units(value)
    assert exc.value.field == "total"


def test_rebalance_keeps_total_and_proportions():
    # 60 left for siblings weighing 20:30:40 -> 13.3, 20, 26.7 -> largest remainder.
    assert rebalance([10, 20, 30, 40], 0, 40) == [40, 13, 20, 27]
    assert rebalance([0, 0, 10], 2, 4) == [3, 3, 4]


def test_rebalance_refuses_negative_siblings():
    with pytest.raises(DecompositionError) as exc:
        rebalance([10, 20], 0, 31)
    assert exc.value.field == "amount"
    with pytest.raises(DecompositionError):
        rebalance([10, 20], 0, -1)


@given(values=st.lists(st.integers(min_value=0, max_value=10**5), min_size=2, max_size=30),
       data=st.data())
def test_rebalance_property(values, data):
    index = data.draw(st.integers(min_value=0, max_value=len(values) - 1))
    new = data.draw(st.integers(min_value=0, max_value=sum(values)))
    out = rebalance(values, index, new)
    assert sum(out) == sum(values) and out[index] == new and min(out) >= 0
