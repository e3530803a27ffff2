"""Conversion analysis (F2): Wilson intervals against hand-computed values, ranking with a minimum volume,
and the channel x product x tier cells from the sales tables, scoped."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from statsmodels.stats.proportion import proportion_confint

from lendpilot.insights.conversion import Segment, analyse, wilson_interval
from lendpilot.insights.diagnostics import Period
from lendpilot.insights.review.selectors import conversion_analysis, resolve_slice
from lendpilot.insights.tests.review_data import moves, opportunity

P = Period(date(2026, 11, 2), date(2026, 11, 15))


@pytest.mark.parametrize(("k", "n", "low", "high"), [
    # By hand with z = 1.959964: 8/10 -> centre (0.8 + z²/20) / (1 + z²/10) = 0.71676, half 0.22659.
    (8, 10, 0.4902, 0.9433),
    (0, 20, 0.0, 0.1611),     # upper = z² / (n + z²) = 3.8415 / 23.8415
    (20, 20, 0.8389, 1.0),
    (50, 100, 0.4038, 0.5962),
    (1, 3, 0.0615, 0.7923),
])
def test_wilson_interval_matches_hand_computed_values(k, n, low, high):
    lo, hi = wilson_interval(k, n)
    assert lo == pytest.approx(low, abs=1e-4) and hi == pytest.approx(high, abs=1e-4)
    ref_lo, ref_hi = proportion_confint(k, n, alpha=0.05, method="wilson")
    assert lo == pytest.approx(ref_lo, abs=1e-9) and hi == pytest.approx(ref_hi, abs=1e-9)


def test_a_higher_confidence_widens_the_interval():
    lo95, hi95 = wilson_interval(30, 100, 0.95)
    lo99, hi99 = wilson_interval(30, 100, 0.99)
    assert lo99 < lo95 < 0.3 < hi95 < hi99


@pytest.mark.parametrize(("k", "n", "c"), [(1, 0, 0.95), (-1, 5, 0.95), (6, 5, 0.95), (1, 5, 1.0)])
def test_wilson_refuses_impossible_counts(k, n, c):
    with pytest.raises(ValueError):
        wilson_interval(k, n, c)


def seg(key, opened, won):
    return Segment(key=(key,), labels=(key,), opened=opened, won=won)


def test_ranking_uses_the_interval_and_skips_thin_segments():
    result = analyse([seg("tiny", 2, 2), seg("big-good", 200, 120), seg("mid-good", 40, 26),
                      seg("big-bad", 300, 30), seg("mid-bad", 35, 7)], dimensions=("channel",), min_volume=30, top=2)
    assert [s.key[0] for s in result.best] == ["big-good", "mid-good"]
    assert [s.key[0] for s in result.worst] == ["big-bad", "mid-bad"]
    tiny = next(s for s in result.segments if s.key == ("tiny",))
    assert not tiny.ranked and tiny.low is not None
    assert result.opened == 577 and result.won == 185


def test_cells_split_by_channel_product_and_tier(world):
    credit = world.products["credit"]
    moves(world, "am_wang", on=P.start, src="signing", dst="won", count=3, lead_source="referral", tier="premium",
          product=credit)
    for _n in range(2):
        opportunity(world, "am_wang", on=P.start, lead_source="referral", tier="premium", product=credit)
    opportunity(world, "am_wang", on=P.start, tier="basic")            # no lead: direct
    opportunity(world, "am_chen", on=P.start, tier="basic")            # another team
    opportunity(world, "am_wang", on=P.previous(1).start, tier="basic")  # before the period
    lead = world.user("east_a_lead")
    result = conversion_analysis(lead, resolve_slice(lead, "bank", ""), P, min_volume=1)
    cells = {s.key: (s.opened, s.won) for s in result.segments}
    product_key = str(credit.pk)
    assert cells == {("referral", product_key, "premium"): (5, 3), ("direct", "", "basic"): (1, 0)}
    assert result.best[0].key == ("referral", product_key, "premium")
    by_tier = conversion_analysis(world.user("director"), resolve_slice(world.user("director"), "bank", ""), P,
                                  by="tier", min_volume=1)
    assert {s.key: s.opened for s in by_tier.segments} == {("premium",): 5, ("basic",): 2}


@pytest.mark.parametrize(("kwargs", "field"), [({"by": "colour"}, "by"), ({"by": "tier,tier"}, "by"),
                                               ({"min_volume": 0}, "min_volume"), ({"confidence": 1.2}, "confidence"),
                                               ({"top": 0}, "top")])
def test_bad_parameters_name_the_field(world, kwargs, field):
    director = world.user("director")
    with pytest.raises(ValidationError) as err:
        conversion_analysis(director, resolve_slice(director, "bank", ""), P, **kwargs)
    assert field in err.value.message_dict
