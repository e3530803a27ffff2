"""LPR quotes render as the rate the customer pays; the fixing in force is the latest; old figures are stale."""

from datetime import date
from decimal import Decimal

from lendpilot.market.rates import LprFixing, is_stale, lpr_on, percent_label, quoted_rate


def test_lpr_plus_150bp_is_four_and_a_half_percent():
    assert quoted_rate(Decimal("0.0300"), 150) == Decimal("0.0450")
    assert percent_label(quoted_rate(Decimal("0.0300"), 150)) == "4.50%"


def test_fixing_in_force_is_the_latest_on_or_before_the_day():
    fixings = [LprFixing(date(2026, 1, 20), "1Y", Decimal("0.0310")),
               LprFixing(date(2026, 2, 20), "1Y", Decimal("0.0300")),
               LprFixing(date(2026, 2, 20), "5Y", Decimal("0.0350"))]
    assert lpr_on(fixings, tenor="1Y", day=date(2026, 2, 19)).rate == Decimal("0.0310")
    assert lpr_on(fixings, tenor="1Y", day=date(2026, 2, 20)).rate == Decimal("0.0300")
    assert lpr_on(fixings, tenor="5Y", day=date(2026, 1, 25)) is None


def test_figures_older_than_their_rhythm_are_stale():
    assert is_stale(date(2026, 1, 20), today=date(2026, 3, 1), max_age_days=35)
    assert not is_stale(date(2026, 2, 20), today=date(2026, 3, 1), max_age_days=35)
