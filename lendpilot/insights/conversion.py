"""Conversion analysis (FEATURES F2): conversion by channel x product x customer tier with Wilson score
intervals, and the best and worst segments. Pure: no ORM; the counts come from
`lendpilot.insights.review.selectors.conversion_cells`.

A segment's conversion is won / opened: of the opportunities opened in the period, the share that reached
disbursement (won). The Wilson score interval at confidence c, with z the (1 + c) / 2 normal quantile:

    centre = (p + z^2 / 2n) / (1 + z^2 / n)
    half   = z * sqrt(p (1 - p) / n + z^2 / 4n^2) / (1 + z^2 / n)

Unlike the normal approximation it stays inside [0, 1] and behaves at 0 and n successes, which matters for
the small segments of a three-way split.

Ranking: only segments with at least `min_volume` opportunities are ranked (thin segments are listed but not
ranked). Best segments are those with the highest lower bound -- we are confident they convert at least that
well; worst are those with the lowest upper bound -- confident they convert at most that well. Ranking by
the point estimate would put a 2-out-of-2 segment first.
"""

import math
from dataclasses import dataclass

from scipy.stats import norm

DIMENSIONS: tuple[str, ...] = ("channel", "product", "tier")


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of successes / trials. Rejects trials < 1, successes outside [0, trials] and
    a confidence outside (0, 1) with ValueError."""
    if trials < 1:
        raise ValueError("trials must be at least 1")
    if not 0 <= successes <= trials:
        raise ValueError("successes must lie between 0 and trials")
    if not 0 < confidence < 1:
        raise ValueError("confidence lies strictly between 0 and 1")
    z = float(norm.ppf((1 + confidence) / 2))
    p = successes / trials
    z2 = z * z
    denominator = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / denominator
    # Clamp rounding dust: the exact interval touches 0 at 0 successes and 1 at n successes.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return low, high


@dataclass
class Segment:
    key: tuple[str, ...]  # the values of the chosen dimensions, in order
    labels: tuple[str, ...]
    opened: int
    won: int
    low: float | None = None
    high: float | None = None
    ranked: bool = False

    @property
    def rate(self) -> float | None:
        return self.won / self.opened if self.opened else None


@dataclass
class ConversionAnalysis:
    dimensions: tuple[str, ...]
    confidence: float
    min_volume: int
    segments: list[Segment]
    best: list[Segment]
    worst: list[Segment]
    opened: int
    won: int

    @property
    def rate(self) -> float | None:
        return self.won / self.opened if self.opened else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.won, self.opened, self.confidence) if self.opened else None


def analyse(segments: list[Segment], *, dimensions: tuple[str, ...], min_volume: int, confidence: float = 0.95,
            top: int = 5) -> ConversionAnalysis:
    """Give every segment its interval, rank those with enough volume, and pick the `top` best and worst
    (a segment is never both: worst is taken from those not already among the best)."""
    if min_volume < 1:
        raise ValueError("the minimum volume is at least 1")
    if top < 1:
        raise ValueError("top is at least 1")
    for seg in segments:
        if seg.opened:
            seg.low, seg.high = wilson_interval(seg.won, seg.opened, confidence)
        seg.ranked = seg.opened >= min_volume
    ranked = [s for s in segments if s.ranked]
    best = sorted(ranked, key=lambda s: (-(s.low or 0.0), -s.opened, s.key))[:top]
    best_keys = {s.key for s in best}
    worst = sorted((s for s in ranked if s.key not in best_keys), key=lambda s: (s.high, -s.opened, s.key))[:top]
    ordered = sorted(segments, key=lambda s: (-s.opened, s.key))
    return ConversionAnalysis(dimensions=dimensions, confidence=confidence, min_volume=min_volume,
                              segments=ordered, best=best, worst=worst,
                              opened=sum(s.opened for s in segments), won=sum(s.won for s in segments))
