"""Designing a process pilot before it starts: who gets it, whether the groups look alike, how big it must be.

Teams or branches (clusters) are randomised within strata (region, size band) so each stratum splits
evenly; the pre-period balance is the standardised mean difference of each covariate; the sample-ratio
check is a chi-square test of the observed split against the planned one (a mismatch means the
assignment or the logging is broken, and no effect estimate can be trusted); power follows the
two-proportion formula, inflated by the cluster design effect 1 + (m - 1) x ICC.
"""

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats


def stratified_assignment(strata: Mapping[str, str], *, seed: int) -> dict[str, bool]:
    """Each cluster -> treated or not; within every stratum half are treated (an odd one out alternates)."""
    rng = random.Random(seed)
    groups: dict[str, list[str]] = {}
    for cluster, stratum in strata.items():
        groups.setdefault(stratum, []).append(cluster)
    assignment: dict[str, bool] = {}
    extra_to_treatment = rng.random() < 0.5
    for stratum in sorted(groups):
        members = sorted(groups[stratum])
        rng.shuffle(members)
        treated = len(members) // 2
        if len(members) % 2:
            treated += int(extra_to_treatment)
            extra_to_treatment = not extra_to_treatment
        for i, cluster in enumerate(members):
            assignment[cluster] = i < treated
    return assignment


@dataclass(frozen=True)
class Balance:
    covariate: str
    treated_mean: float
    control_mean: float
    standardised_difference: float
    imbalanced: bool


def pre_period_balance(covariates: Mapping[str, Sequence[float]], treated: Sequence[bool], *,
                       limit: float = 0.25) -> list[Balance]:
    mask = np.asarray(treated, dtype=bool)
    rows = []
    for name, values in covariates.items():
        x = np.asarray(values, dtype=np.float64)
        t, c = x[mask], x[~mask]
        pooled = math.sqrt((t.var(ddof=1) + c.var(ddof=1)) / 2) if len(t) > 1 and len(c) > 1 else 0.0
        smd = (t.mean() - c.mean()) / pooled if pooled > 0 else 0.0
        rows.append(Balance(name, float(t.mean()), float(c.mean()), float(smd), abs(smd) > limit))
    return rows


@dataclass(frozen=True)
class SampleRatio:
    treated: int
    control: int
    expected_share: float
    p_value: float
    mismatch: bool


def sample_ratio_check(*, treated: int, control: int, expected_share: float = 0.5,
                       alpha: float = 0.001) -> SampleRatio:
    total = treated + control
    if total <= 0 or not 0 < expected_share < 1:
        raise ValueError("the pilot has no units or the planned share is not between 0 and 1")
    expected = [total * expected_share, total * (1 - expected_share)]
    p = float(stats.chisquare([treated, control], f_exp=expected).pvalue)
    return SampleRatio(treated, control, expected_share, p, p < alpha)


def sample_size_per_arm(p_control: float, p_treatment: float, *, alpha: float = 0.05, power: float = 0.8) -> int:
    """Units per arm for a two-sided test of two proportions (unclustered)."""
    if not (0 < p_control < 1 and 0 < p_treatment < 1) or p_control == p_treatment:
        raise ValueError("the two rates must differ and lie strictly between 0 and 1")
    z_a, z_b = float(stats.norm.ppf(1 - alpha / 2)), float(stats.norm.ppf(power))
    p_bar = (p_control + p_treatment) / 2
    top = (z_a * math.sqrt(2 * p_bar * (1 - p_bar))
           + z_b * math.sqrt(p_control * (1 - p_control) + p_treatment * (1 - p_treatment))) ** 2
    return math.ceil(top / (p_treatment - p_control) ** 2)


def design_effect(cluster_size: float, icc: float) -> float:
    return 1 + (cluster_size - 1) * icc


@dataclass(frozen=True)
class PowerPlan:
    per_arm_unclustered: int
    design_effect: float
    per_arm_clustered: int
    clusters_per_arm: int
    minimum_detectable_effect: float  # with the clusters actually available, in absolute rate


def power_plan(*, p_control: float, p_treatment: float, cluster_size: int, icc: float, clusters_per_arm: int,
               alpha: float = 0.05, power: float = 0.8) -> PowerPlan:
    n = sample_size_per_arm(p_control, p_treatment, alpha=alpha, power=power)
    deff = design_effect(cluster_size, icc)
    clustered = math.ceil(n * deff)
    effective = clusters_per_arm * cluster_size / deff
    z = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
    mde = z * math.sqrt(2 * p_control * (1 - p_control) / effective) if effective > 0 else math.inf
    return PowerPlan(n, deff, clustered, math.ceil(clustered / cluster_size), mde)
