"""Industry risk map (FEATURES C6): default rate by industry against a prosperity index. Pure numpy.

For each industry: the Pearson correlation of the monthly default rate with the index shifted by each
lag in -max_lag..max_lag (a positive lead means the index moves `lead` months before default rates),
the lag with the strongest negative correlation, the index trend (the slope of the last months), and a
proposal: tighten admission when the index is falling and leads defaults (or defaults already exceed the
portfolio mean by half), loosen when it rises and defaults are low, else keep; the risk premium in basis
points is the excess default rate over the portfolio mean, times the loss given default, rounded to 5 bps.
"""

import random
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

LGD = 0.45


@dataclass(frozen=True)
class IndustryView:
    industry: str
    default_rate: float
    correlation: float | None
    lead_months: int
    trend: float
    admission: str
    premium_bps: int


def lagged_correlation(index: np.ndarray, defaults: np.ndarray, lag: int) -> float | None:
    """corr(index[t - lag], defaults[t])."""
    if lag > 0:
        a, b = index[:-lag], defaults[lag:]
    elif lag < 0:
        a, b = index[-lag:], defaults[:lag]
    else:
        a, b = index, defaults
    mask = ~(np.isnan(a) | np.isnan(b))
    a, b = a[mask], b[mask]
    if len(a) < 4 or a.std() == 0 or b.std() == 0:
        return None
    return float(np.corrcoef(a, b)[0, 1])


def best_lead(index: npt.ArrayLike, defaults: npt.ArrayLike, *, max_lag: int = 6) -> tuple[float | None, int]:
    idx, dr = np.asarray(index, dtype=float), np.asarray(defaults, dtype=float)
    best: tuple[float | None, int] = (None, 0)
    for lag in range(0, max_lag + 1):
        c = lagged_correlation(idx, dr, lag)
        if c is not None and (best[0] is None or c < best[0]):
            best = (c, lag)
    return best


def trend(index: npt.ArrayLike, months: int = 6) -> float:
    y = np.asarray(index, dtype=float)[-months:]
    y = y[~np.isnan(y)]
    if len(y) < 2:
        return 0.0
    return float(np.polyfit(np.arange(len(y)), y, 1)[0])


def assess(industry: str, index: npt.ArrayLike, defaults: npt.ArrayLike, *, portfolio_rate: float,
           max_lag: int = 6) -> IndustryView:
    dr = np.asarray(defaults, dtype=float)
    recent = dr[-3:][~np.isnan(dr[-3:])]
    rate = float(recent.mean()) if len(recent) else 0.0
    corr, lead = best_lead(index, defaults, max_lag=max_lag)
    slope = trend(index)
    leading = corr is not None and corr <= -0.4
    if (slope < -0.1 and leading) or rate > 1.5 * portfolio_rate > 0:
        admission = "tighten"
    elif slope > 0.1 and rate <= portfolio_rate:
        admission = "loosen"
    else:
        admission = "keep"
    premium = max(0.0, (rate - portfolio_rate) * 12 * LGD * 10_000)  # monthly rate annualised, in bps
    if admission == "tighten":
        premium = max(premium, 25.0)
    return IndustryView(industry, round(rate, 6), None if corr is None else round(corr, 3), lead, round(slope, 3),
                        admission, int(round(premium / 5) * 5))


def synthetic_pmi(months: int, rng: random.Random, *, base: float = 50.5, cycle: float = 1.8, period: int = 30,
                  phase: float = 0.0, noise: float = 0.5) -> list[float]:
    """A plausible PMI-like series around 50 with a business cycle and noise (the demo's index)."""
    t = np.arange(months)
    values = base + cycle * np.sin(2 * np.pi * t / period + phase) + np.array([rng.gauss(0, noise) for _ in t])
    return [round(float(v), 2) for v in values]
