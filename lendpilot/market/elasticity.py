"""Price elasticity from the bank's own offers: a logistic take-up model, and when to answer competitors.

Take-up (offer accepted or not) is modelled on the offered rate, the risk grade, the amount, the channel
and the gap to the competitors' rate for the same product and region (Karlan & Zinman's randomised-rate
design reads the rate coefficient as the demand response). The index is the rate coefficient per
percentage point and the average change in take-up probability for one point more.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import statsmodels.api as sm  # type: ignore[import-untyped]

GRADES = ("A", "B", "C", "D")
CHANNELS = ("branch", "online", "partner")
COLUMNS = ("intercept", "rate_pp", "grade_B", "grade_C", "grade_D", "log_amount_10k",
           "channel_online", "channel_partner", "gap_pp")


@dataclass(frozen=True)
class Offers:
    """One array per field, one element per offer (rates and gaps in percentage points)."""

    rate_pp: np.ndarray
    grade: np.ndarray  # index into GRADES
    amount: np.ndarray  # CNY
    channel: np.ndarray  # index into CHANNELS
    gap_pp: np.ndarray  # offered rate minus the competitors' median, in points
    accepted: np.ndarray  # 0/1

    def __len__(self) -> int:
        return int(self.rate_pp.shape[0])


@dataclass(frozen=True)
class ElasticityIndex:
    rate_coefficient: float  # log-odds per percentage point
    standard_error: float
    take_up: float  # observed share accepted
    take_up_change_per_pp: float  # average marginal effect of one point more on the probability
    offers: int
    coefficients: dict[str, float]


def design_matrix(offers: Offers) -> np.ndarray:
    n = len(offers)
    x = np.empty((n, len(COLUMNS)), dtype=np.float64)
    x[:, 0] = 1.0
    x[:, 1] = offers.rate_pp
    for k in (1, 2, 3):
        x[:, 1 + k] = offers.grade == k
    x[:, 5] = np.log(np.maximum(offers.amount, 1.0) / 10_000.0)
    x[:, 6] = offers.channel == 1
    x[:, 7] = offers.channel == 2
    x[:, 8] = offers.gap_pp
    return x


def estimate_elasticity(offers: Offers) -> ElasticityIndex:
    """Maximum-likelihood logit (Newton); raises ValueError when the offers cannot identify it."""
    if len(offers) < 50:
        raise ValueError("at least 50 offers are needed to estimate take-up")
    y = offers.accepted.astype(np.float64)
    if y.min() == y.max():
        raise ValueError("all offers have the same outcome; take-up cannot be modelled")
    x = design_matrix(offers)
    keep = [0] + [j for j in range(1, x.shape[1]) if np.ptp(x[:, j]) > 0]
    result = sm.Logit(y, x[:, keep]).fit(method="newton", disp=0, maxiter=50)
    params = np.asarray(result.params)
    bse = np.asarray(result.bse)
    fitted = 1.0 / (1.0 + np.exp(-(x[:, keep] @ params)))
    beta = float(params[keep.index(1)]) if 1 in keep else 0.0
    return ElasticityIndex(
        rate_coefficient=beta,
        standard_error=float(bse[keep.index(1)]) if 1 in keep else math.nan,
        take_up=float(y.mean()),
        take_up_change_per_pp=float(np.mean(fitted * (1.0 - fitted)) * beta),
        offers=len(offers),
        coefficients={COLUMNS[j]: float(p) for j, p in zip(keep, params, strict=True)},
    )


def synthetic_offers(n: int, *, beta_rate: float = -0.3, beta_gap: float = -0.2, seed: int = 7) -> Offers:
    """Offers whose take-up follows a known logit: the test and the benchmark recover `beta_rate`."""
    rng = np.random.default_rng(seed)
    grade = rng.integers(0, len(GRADES), n)
    channel = rng.integers(0, len(CHANNELS), n)
    rate = 3.6 + 0.6 * grade + rng.normal(0.0, 1.0, n)
    competitor = 3.6 + 0.6 * grade + rng.normal(0.0, 0.6, n)
    amount = np.exp(rng.normal(math.log(300_000.0), 0.8, n))
    gap = rate - competitor
    logit = (1.2 + beta_rate * rate - 0.15 * grade + 0.1 * np.log(amount / 10_000.0)
             + np.array([0.0, 0.3, -0.2])[channel] + beta_gap * gap)
    accepted = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(np.int8)
    return Offers(rate_pp=rate, grade=grade, amount=amount, channel=channel, gap_pp=gap, accepted=accepted)


@dataclass(frozen=True)
class ResponseThresholds:
    gap_bp: int = 30  # our rate above the competitors' median by at least this
    take_up_drop_pp: float = 3.0  # take-up fallen by at least this many points against the prior period
    max_cut_bp: int = 50  # one proposal never cuts more than this
    step_bp: int = 5  # spreads move in whole steps


def benchmark_adjustment(*, spread_bp: int, gap_bp: int, take_up_now: float, take_up_before: float,
                         thresholds: ResponseThresholds) -> int | None:
    """The proposed new spread when both the gap and the take-up drop cross their thresholds, else None.

    The cut closes the gap to the competitors, in whole steps, never more than `max_cut_bp`.
    """
    drop_pp = (take_up_before - take_up_now) * 100.0
    if gap_bp < thresholds.gap_bp or drop_pp < thresholds.take_up_drop_pp:
        return None
    cut = min(gap_bp, thresholds.max_cut_bp)
    cut = max(thresholds.step_bp, cut - cut % thresholds.step_bp)
    return spread_bp - cut


def median(values: Sequence[float]) -> float | None:
    return float(np.median(np.asarray(values, dtype=np.float64))) if len(values) else None
