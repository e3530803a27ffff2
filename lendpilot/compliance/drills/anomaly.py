"""Bulk-access anomaly on the PII access log (no ORM): a user who reveals far more than their peers.

The robust z-score (Iglewicz and Hoaglin): z = 0.6745 (x - median) / MAD, with MAD the median absolute
deviation; |z| > 3.5 marks an outlier. Median and MAD are not dragged by the outlier itself, unlike mean and
standard deviation. When the peers' MAD is 0 (most reveal the same amount), a count above the median by more
than `min_excess` is an outlier.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

THRESHOLD = 3.5
MIN_COUNT = 20


@dataclass(frozen=True)
class Outlier:
    key: object
    count: int
    peer_median: float
    z: float | None


def robust_z(values: list[int]) -> tuple[float, float]:
    """The median and the MAD of the values."""
    mid = median(values)
    return mid, median(abs(v - mid) for v in values)


def outliers(counts: dict[object, int], *, threshold: float = THRESHOLD, min_count: int = MIN_COUNT,
             min_excess: int = MIN_COUNT) -> list[Outlier]:
    """The keys (users) whose count is an outlier among the given peers, the largest first. Fewer than three
    peers give no verdict."""
    if len(counts) < 3:
        return []
    mid, mad = robust_z(list(counts.values()))
    found = []
    for key, count in counts.items():
        if count < min_count:
            continue
        if mad:
            z = 0.6745 * (count - mid) / mad
            if z > threshold:
                found.append(Outlier(key, count, mid, round(z, 2)))
        elif count - mid > min_excess:
            found.append(Outlier(key, count, mid, None))
    return sorted(found, key=lambda o: -o.count)
