"""Bad-debt early warning (FEATURES F3): a dynamic threshold on a rate series. Pure numpy, no ORM.

EWMA control band: the centre is the exponentially weighted mean of the series up to the day before
(the one-step forecast), the band is centre +- k * sigma, where sigma is the standard deviation of the
one-step forecast errors during the warm-up. A seasonal
baseline is removed first when `season` is given (the mean of the same position in earlier seasons).
A breach is a point above the upper band once the warm-up is over.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class Band:
    centre: np.ndarray
    upper: np.ndarray
    lower: np.ndarray
    breaches: np.ndarray  # indices of points above the upper band


def deseasonalise(series: np.ndarray, season: int) -> np.ndarray:
    out = series.astype(float).copy()
    for i in range(season, len(series)):
        earlier = series[i % season:i:season]
        out[i] = series[i] - (earlier.mean() - series[:i].mean()) if len(earlier) else series[i]
    return out


def ewma_band(series: npt.ArrayLike, *, lam: float = 0.2, k: float = 3.0, warmup: int = 20,
              season: int | None = None) -> Band:
    x = np.asarray(series, dtype=float)
    if season:
        x = deseasonalise(x, season)
    n = len(x)
    centre = np.full(n, np.nan)
    upper = np.full(n, np.nan)
    lower = np.full(n, np.nan)
    if n == 0:
        return Band(centre, upper, lower, np.array([], dtype=int))
    z = x[0]
    resid: list[float] = []
    sigma = 0.0
    for i in range(n):
        centre[i] = z
        if i >= warmup:
            if i == warmup:
                sigma = float(np.std(resid, ddof=1)) if len(resid) > 1 else 0.0
                sigma = max(sigma, 1e-6 + abs(z) * 0.01)
            width = k * sigma
            upper[i], lower[i] = z + width, z - width
        else:
            resid.append(x[i] - z)
        breach = i >= warmup and x[i] > upper[i]
        # A breaching point does not drag the centre up: the band keeps its memory of normal.
        if not breach:
            z = lam * x[i] + (1 - lam) * z
    breaches = np.array([i for i in range(warmup, n) if x[i] > upper[i]], dtype=int)
    return Band(centre, upper, lower, breaches)


def latest_breach(series: Sequence[float], *, lam: float = 0.2, k: float = 3.0, warmup: int = 20,
                  season: int | None = None) -> tuple[bool, float, float]:
    """(breached, centre, upper) for the last point of the series."""
    band = ewma_band(series, lam=lam, k=k, warmup=warmup, season=season)
    n = len(series)
    if n == 0 or np.isnan(band.upper[-1]):
        return False, float("nan"), float("nan")
    return bool(n - 1 in set(band.breaches.tolist())), float(band.centre[-1]), float(band.upper[-1])
