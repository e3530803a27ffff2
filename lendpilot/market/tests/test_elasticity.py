"""The take-up model recovers the rate response it was made with, and proposals fire only past both thresholds."""

import numpy as np
import pytest

from lendpilot.market.elasticity import ResponseThresholds, benchmark_adjustment, estimate_elasticity, synthetic_offers


def test_rate_coefficient_recovered_within_five_hundredths():
    index = estimate_elasticity(synthetic_offers(60_000, beta_rate=-0.3, seed=11))
    assert abs(index.rate_coefficient - (-0.3)) <= 0.05
    assert index.take_up_change_per_pp < 0
    assert 0 < index.take_up < 1


def test_too_few_or_uniform_offers_are_refused():
    offers = synthetic_offers(40)
    with pytest.raises(ValueError, match="50 offers"):
        estimate_elasticity(offers)
    many = synthetic_offers(200)
    uniform = type(many)(many.rate_pp, many.grade, many.amount, many.channel, many.gap_pp, np.ones(200))
    with pytest.raises(ValueError, match="same outcome"):
        estimate_elasticity(uniform)


def test_adjustment_only_when_gap_and_drop_both_cross():
    t = ResponseThresholds(gap_bp=30, take_up_drop_pp=3.0, max_cut_bp=50, step_bp=5)
    assert benchmark_adjustment(spread_bp=150, gap_bp=40, take_up_now=0.30, take_up_before=0.35, thresholds=t) == 110
    assert benchmark_adjustment(spread_bp=150, gap_bp=20, take_up_now=0.30, take_up_before=0.35, thresholds=t) is None
    assert benchmark_adjustment(spread_bp=150, gap_bp=40, take_up_now=0.34, take_up_before=0.35, thresholds=t) is None
    assert benchmark_adjustment(spread_bp=150, gap_bp=90, take_up_now=0.2, take_up_before=0.35, thresholds=t) == 100
    assert benchmark_adjustment(spread_bp=150, gap_bp=33, take_up_now=0.2, take_up_before=0.35, thresholds=t) == 120
