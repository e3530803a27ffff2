"""Scorecard quality and stability figures (FEATURES C4 monitoring). Pure numpy, no ORM.

- AUC (Mann-Whitney, ties averaged), KS (largest gap between the bad and good cumulative
  distributions), a reliability table (predicted vs observed default rate by PD decile).
- PSI of the score distribution against the training baseline, CSI of each characteristic's bin
  distribution; both sum (actual - expected) * ln(actual / expected) with empty shares floored.
- Alert rules: PSI above 0.25, or AUC more than 0.05 below the version's validated AUC.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

PSI_ALERT = 0.25
AUC_DROP_ALERT = 0.05
SHARE_FLOOR = 1e-4


def auc_score(y: np.ndarray, risk: np.ndarray) -> float:
    """Probability that a random bad ranks riskier than a random good (higher `risk` = riskier)."""
    from scipy.stats import rankdata

    y = np.asarray(y).astype(bool)
    n_bad = int(y.sum())
    n_good = len(y) - n_bad
    if n_bad == 0 or n_good == 0:
        return float("nan")
    ranks = rankdata(np.asarray(risk, dtype=float))
    return float((ranks[y].sum() - n_bad * (n_bad + 1) / 2) / (n_bad * n_good))


def ks_statistic(y: np.ndarray, risk: np.ndarray) -> float:
    y = np.asarray(y).astype(bool)
    risk = np.asarray(risk, dtype=float)
    n_bad = int(y.sum())
    n_good = len(y) - n_bad
    if n_bad == 0 or n_good == 0:
        return float("nan")
    order = np.argsort(risk, kind="mergesort")
    r, yy = risk[order], y[order]
    cum_bad = np.cumsum(yy) / n_bad
    cum_good = np.cumsum(~yy) / n_good
    # Only compare at the end of each run of equal values (a threshold cannot split ties).
    last = np.r_[r[1:] != r[:-1], True]
    return float(np.max(np.abs(cum_bad[last] - cum_good[last])))


def reliability_table(y: np.ndarray, pd_hat: np.ndarray, bins: int = 10) -> list[dict[str, Any]]:
    """Predicted vs observed bad rate by PD quantile group."""
    y = np.asarray(y, dtype=float)
    pd_hat = np.asarray(pd_hat, dtype=float)
    order = np.argsort(pd_hat, kind="mergesort")
    rows = []
    for part in np.array_split(order, bins):
        if len(part) == 0:
            continue
        rows.append({
            "n": int(len(part)),
            "pd_low": round(float(pd_hat[part].min()), 6),
            "pd_high": round(float(pd_hat[part].max()), 6),
            "predicted": round(float(pd_hat[part].mean()), 6),
            "observed": round(float(y[part].mean()), 6),
        })
    return rows


def shares(counts: np.ndarray) -> np.ndarray:
    counts = np.asarray(counts, dtype=float)
    total = counts.sum()
    return counts / total if total else counts


def psi(expected: np.ndarray, actual: np.ndarray) -> float:
    """Population stability index between two distributions over the same buckets (counts or shares)."""
    e = np.maximum(shares(expected), SHARE_FLOOR)
    a = np.maximum(shares(actual), SHARE_FLOOR)
    return float(np.sum((a - e) * np.log(a / e)))


def score_buckets(scores: np.ndarray, edges: list[float]) -> np.ndarray:
    index = np.searchsorted(np.asarray(edges, dtype=float), np.asarray(scores, dtype=float), side="right")
    return np.bincount(index, minlength=len(edges) + 1)


def bin_counts(bins: np.ndarray, n_bins: int) -> np.ndarray:
    """Counts per bin with the missing bin (-1) last."""
    b = np.asarray(bins, dtype=np.int64)
    b = np.where(b < 0, n_bins, b)
    return np.bincount(b, minlength=n_bins + 1)


def score_distribution(card, bins: Mapping[str, np.ndarray], scores: np.ndarray, n_buckets: int = 10) -> dict:
    """The training baseline that PSI and CSI compare against: score decile edges with their shares,
    and every characteristic's share per bin."""
    edges = sorted(set(np.quantile(scores, np.linspace(0, 1, n_buckets + 1)[1:-1]).round(6).tolist()))
    chars = {}
    for c in card.characteristics:
        chars[c.name] = shares(bin_counts(bins[c.name], len(c.points))).round(8).tolist()
    return {"score_edges": edges, "score_shares": shares(score_buckets(scores, edges)).round(8).tolist(),
            "characteristics": chars}


def stability(baseline: Mapping[str, Any], card, bins: Mapping[str, np.ndarray], scores: np.ndarray) -> dict:
    """PSI of the scores and CSI per characteristic of one population against the baseline."""
    result = {"psi": psi(np.asarray(baseline["score_shares"]), score_buckets(scores, baseline["score_edges"])),
              "csi": {}}
    for c in card.characteristics:
        expected = baseline["characteristics"].get(c.name)
        if expected is None:
            continue
        result["csi"][c.name] = psi(np.asarray(expected), bin_counts(bins[c.name], len(c.points)))
    return result


def alerts(*, psi_value: float | None, auc: float | None, reference_auc: float | None) -> list[str]:
    out = []
    if psi_value is not None and psi_value > PSI_ALERT:
        out.append(f"PSI {psi_value:.3f} above {PSI_ALERT}")
    if auc is not None and reference_auc is not None and not np.isnan(auc) and reference_auc - auc > AUC_DROP_ALERT:
        out.append(f"AUC {auc:.3f} is {reference_auc - auc:.3f} below the validated {reference_auc:.3f}")
    return out
