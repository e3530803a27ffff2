"""The effect of a pilot: difference in differences on cluster means, with CUPED, and the decision.

Working on cluster means makes the standard error cluster-robust by construction (each team or branch is
one independent observation; the t reference uses clusters - 2 degrees of freedom, as few-cluster
designs need). CUPED regresses the post-period mean on the pre-period mean (theta pooled over both arms)
and compares the adjusted means; plain DiD is the special case theta = 1. Every function takes a leading
batch axis, so a thousand simulated pilots are one array operation.
"""

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

Method = Literal["did", "cuped"]


@dataclass(frozen=True)
class Effect:
    estimate: np.ndarray
    standard_error: np.ndarray
    p_value: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    theta: np.ndarray


def pilot_effect(pre: np.ndarray, post: np.ndarray, treated: np.ndarray, *, method: Method = "did",
                 alpha: float = 0.05) -> Effect:
    """pre/post: (..., clusters) means per cluster; treated: (..., clusters) or (clusters,) booleans."""
    pre, post = np.asarray(pre, dtype=np.float64), np.asarray(post, dtype=np.float64)
    t = np.broadcast_to(np.asarray(treated, dtype=bool), pre.shape)
    if method == "cuped":
        centred = pre - pre.mean(axis=-1, keepdims=True)
        theta = (centred * (post - post.mean(axis=-1, keepdims=True))).sum(-1) / (centred**2).sum(-1)
        outcome = post - theta[..., None] * centred
        lost_df = 3
    else:
        theta = np.ones(pre.shape[:-1])
        outcome = post - pre
        lost_df = 2
    n_t, n_c = t.sum(-1), (~t).sum(-1)
    if np.any(n_t < 2) or np.any(n_c < 2):
        raise ValueError("each arm needs at least two clusters")
    mean_t = np.where(t, outcome, 0).sum(-1) / n_t
    mean_c = np.where(~t, outcome, 0).sum(-1) / n_c
    var_t = np.where(t, (outcome - mean_t[..., None]) ** 2, 0).sum(-1) / (n_t - 1)
    var_c = np.where(~t, (outcome - mean_c[..., None]) ** 2, 0).sum(-1) / (n_c - 1)
    estimate = mean_t - mean_c
    se = np.sqrt(var_t / n_t + var_c / n_c)
    df = pre.shape[-1] - lost_df
    t_stat = np.divide(estimate, se, out=np.zeros_like(estimate), where=se > 0)
    p = 2 * stats.t.sf(np.abs(t_stat), df)
    half = stats.t.ppf(1 - alpha / 2, df) * se
    return Effect(estimate, se, p, estimate - half, estimate + half, theta)


def cluster_means(cluster: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit rows -> (cluster ids in order, mean value per cluster)."""
    ids, index = np.unique(cluster, return_inverse=True)
    sums = np.bincount(index, weights=np.asarray(values, dtype=np.float64))
    return ids, sums / np.bincount(index)


Decision = Literal["roll_out", "stop", "extend"]


def recommended_decision(*, ci_low: float, ci_high: float, minimum_effect: float, finished: bool) -> Decision:
    """Roll out a clear gain; stop a clear loss, or a finished pilot whose interval rules out the minimum
    worthwhile gain; otherwise extend."""
    if ci_low > 0:
        return "roll_out"
    if ci_high < 0 or (finished and ci_high < minimum_effect):
        return "stop"
    return "extend"


def simulate_pilots(*, pilots: int, clusters: int, units_per_cluster: int, base_rate: float, effect: float,
                    cluster_sd: float = 0.02, drift: float = 0.005, seed: int = 20) -> tuple[np.ndarray, ...]:
    """(pre, post, treated) cluster means of many pilots with a known effect: half the clusters treated."""
    rng = np.random.default_rng(seed)
    shape = (pilots, clusters)
    rate = np.clip(base_rate + rng.normal(0, cluster_sd, shape), 0.001, 0.999)
    treated = np.zeros(shape, dtype=bool)
    order = rng.random(shape).argsort(axis=-1)
    np.put_along_axis(treated, order[:, : clusters // 2], True, axis=-1)
    pre = rng.binomial(units_per_cluster, rate) / units_per_cluster
    post_rate = np.clip(rate + drift + effect * treated, 0.0, 1.0)
    post = rng.binomial(units_per_cluster, post_rate) / units_per_cluster
    return pre, post, treated
