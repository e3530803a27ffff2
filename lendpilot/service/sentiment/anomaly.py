"""Volume spikes per topic against a weekly baseline (FEATURES E8). Pure: no ORM.

A day's expected volume is the median of the same weekday in the previous `weeks` weeks (a robust seasonal
baseline: weekends stay low, one earlier spike does not lift it, and it uses only the past, so a spike is
seen on the day it starts; STL would smooth over the day itself). The spread is the larger of the scaled
median absolute deviation of those same-weekday values and the Poisson spread sqrt(expected). A day is
abnormal when its volume exceeds expected + z x spread, is at least `min_ratio` times the expected volume and
at least `min_count` posts. An alert is raised on the first abnormal day of a run only: a series of 20 a day
with a three-day spike to 60 alerts once, on the first spike day.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median


@dataclass(frozen=True)
class SpikePolicy:
    weeks: int = 4
    min_weeks: int = 2
    z: float = 4.0
    min_ratio: float = 1.5
    min_count: int = 10


@dataclass(frozen=True)
class DayCheck:
    index: int
    volume: int
    expected: float | None
    threshold: float | None
    abnormal: bool


def check_day(counts: Sequence[int], i: int, policy: SpikePolicy = SpikePolicy()) -> DayCheck:
    """Whether day i of `counts` (one entry a day, oldest first) is abnormal against its weekly baseline."""
    history = [counts[i - 7 * w] for w in range(1, policy.weeks + 1) if i - 7 * w >= 0]
    volume = int(counts[i])
    if len(history) < policy.min_weeks:
        return DayCheck(index=i, volume=volume, expected=None, threshold=None, abnormal=False)
    expected = float(median(history))
    mad = 1.4826 * float(median(abs(h - expected) for h in history))
    spread = max(mad, math.sqrt(max(expected, 1.0)))
    threshold = max(expected + policy.z * spread, policy.min_ratio * expected, float(policy.min_count))
    return DayCheck(index=i, volume=volume, expected=expected, threshold=threshold, abnormal=volume >= threshold)


def spike_days(counts: Sequence[int], policy: SpikePolicy = SpikePolicy()) -> list[DayCheck]:
    """The first day of every run of abnormal days."""
    out, previous = [], False
    for i in range(len(counts)):
        day = check_day(counts, i, policy)
        if day.abnormal and not previous:
            out.append(day)
        previous = day.abnormal
    return out
