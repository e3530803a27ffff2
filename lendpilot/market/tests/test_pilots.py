"""Pilot design and effect figures: randomisation, balance, sample ratio, power, DiD/CUPED and the simulations."""

import numpy as np
import pytest

from lendpilot.market.pilots.design import (
    design_effect,
    power_plan,
    pre_period_balance,
    sample_ratio_check,
    sample_size_per_arm,
    stratified_assignment,
)
from lendpilot.market.pilots.effect import pilot_effect, recommended_decision, simulate_pilots


def test_each_stratum_splits_evenly_and_the_seed_fixes_the_draw():
    strata = {f"T{i}": ("EAST" if i < 10 else "WEST") for i in range(21)}
    a = stratified_assignment(strata, seed=3)
    assert a == stratified_assignment(strata, seed=3)
    assert sum(a[f"T{i}"] for i in range(10)) == 5
    assert sum(a[f"T{i}"] for i in range(10, 21)) in (5, 6)


def test_pre_period_balance_flags_a_covariate_far_apart():
    rows = pre_period_balance({"conversion": [0.1, 0.11, 0.1, 0.11], "size": [10, 12, 30, 32]},
                              [True, True, False, False])
    by = {r.covariate: r for r in rows}
    assert not by["conversion"].imbalanced and by["size"].imbalanced


def test_52_48_of_10000_is_a_sample_ratio_mismatch():
    check = sample_ratio_check(treated=5_200, control=4_800)
    assert check.p_value < 0.001 and check.mismatch
    assert not sample_ratio_check(treated=5_050, control=4_950).mismatch
    with pytest.raises(ValueError):
        sample_ratio_check(treated=0, control=0)


def test_ten_vs_twelve_percent_needs_about_3841_per_arm_and_clusters_inflate_it():
    assert sample_size_per_arm(0.10, 0.12) == 3841
    assert design_effect(100, 0.01) == pytest.approx(1.99)
    plan = power_plan(p_control=0.10, p_treatment=0.12, cluster_size=100, icc=0.01, clusters_per_arm=80)
    assert plan.per_arm_clustered == 7644 and plan.clusters_per_arm == 77
    assert 0.015 < plan.minimum_detectable_effect < 0.025


def test_a_over_a_pilots_come_out_significant_about_five_percent_of_the_time():
    pre, post, treated = simulate_pilots(pilots=1_000, clusters=40, units_per_cluster=200, base_rate=0.10,
                                         effect=0.0, seed=101)
    for method in ("did", "cuped"):
        share = float((pilot_effect(pre, post, treated, method=method).p_value < 0.05).mean())
        assert 0.035 <= share <= 0.065, (method, share)


def test_an_injected_two_point_effect_is_recovered_and_covered():
    pre, post, treated = simulate_pilots(pilots=1_000, clusters=40, units_per_cluster=200, base_rate=0.10,
                                         effect=0.02, seed=202)
    for method in ("did", "cuped"):
        e = pilot_effect(pre, post, treated, method=method)
        assert abs(float(e.estimate.mean()) - 0.02) <= 0.005
        coverage = float(((e.ci_low <= 0.02) & (e.ci_high >= 0.02)).mean())
        assert coverage >= 0.93, (method, coverage)
    cuped, did = pilot_effect(pre, post, treated, method="cuped"), pilot_effect(pre, post, treated, method="did")
    assert float(np.mean(cuped.standard_error)) < float(np.mean(did.standard_error))


def test_decision_follows_the_interval():
    assert recommended_decision(ci_low=0.01, ci_high=0.03, minimum_effect=0.01, finished=False) == "roll_out"
    assert recommended_decision(ci_low=-0.03, ci_high=-0.01, minimum_effect=0.01, finished=False) == "stop"
    assert recommended_decision(ci_low=-0.01, ci_high=0.005, minimum_effect=0.01, finished=True) == "stop"
    assert recommended_decision(ci_low=-0.01, ci_high=0.03, minimum_effect=0.01, finished=False) == "extend"
