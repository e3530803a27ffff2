"""Back-office capacity: lead times in calendar and business hours, their percentiles, and Erlang C staffing.

Business hours count only the 9:00-18:00 working day of the bank's business days (the calendar is passed
in as `is_business_day`, so this module stays free of the database). Erlang C (the M/M/N queue) gives the
smallest team that answers the target share of cases within the target time without working anyone
beyond the maximum occupancy; shrinkage (leave, training, meetings) then scales it up to the roster.
"""

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np

DAY_START, DAY_END = time(9), time(18)


def calendar_hours(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600.0


def business_hours(start: datetime, end: datetime, *, is_business_day: Callable[[date], bool],
                   day_start: time = DAY_START, day_end: time = DAY_END) -> float:
    """Hours of [start, end) that fall inside the working day of a business day."""
    if end <= start:
        return 0.0
    seconds = 0.0
    day = start.date()
    while day <= end.date():
        if is_business_day(day):
            open_at = datetime.combine(day, day_start, tzinfo=start.tzinfo)
            close_at = datetime.combine(day, day_end, tzinfo=start.tzinfo)
            overlap = (min(end, close_at) - max(start, open_at)).total_seconds()
            seconds += max(overlap, 0.0)
        day += timedelta(days=1)
    return seconds / 3600.0


@dataclass(frozen=True)
class StageTimes:
    stage: str
    product: str
    count: int
    p50_hours: float
    p90_hours: float
    slowest: bool = False


def stage_percentiles(durations: Mapping[tuple[str, str], Sequence[float]]) -> list[StageTimes]:
    """p50/p90 per (stage, product); the stage with the highest p50 of each product is flagged slowest."""
    rows = [StageTimes(stage=stage, product=product, count=len(values),
                       p50_hours=float(np.percentile(values, 50)), p90_hours=float(np.percentile(values, 90)))
            for (stage, product), values in sorted(durations.items()) if len(values)]
    slowest: dict[str, StageTimes] = {}
    for row in rows:
        if row.product not in slowest or row.p50_hours > slowest[row.product].p50_hours:
            slowest[row.product] = row
    flagged = {id(r) for r in slowest.values()}
    return [StageTimes(r.stage, r.product, r.count, r.p50_hours, r.p90_hours, id(r) in flagged) for r in rows]


def erlang_c(agents: int, traffic: float) -> float:
    """Probability that a case waits (Erlang C), via the stable Erlang B recursion."""
    if agents <= traffic:
        return 1.0
    b = 1.0
    for n in range(1, agents + 1):
        b = traffic * b / (n + traffic * b)
    return agents * b / (agents - traffic * (1.0 - b))


def service_level(agents: int, traffic: float, *, handle_seconds: float, answer_seconds: float) -> float:
    if agents <= traffic:
        return 0.0
    return 1.0 - erlang_c(agents, traffic) * math.exp(-(agents - traffic) * answer_seconds / handle_seconds)


@dataclass(frozen=True)
class Staffing:
    traffic: float  # Erlangs
    raw: int  # agents on duty
    staffed: int  # on the roster, after shrinkage
    service_level: float
    occupancy: float


def required_staff(*, cases: float, interval_minutes: float, handle_minutes: float, answer_seconds: float,
                   target_service_level: float, max_occupancy: float, shrinkage: float) -> Staffing:
    """Smallest team meeting both the service level and the occupancy cap, and its roster size."""
    if interval_minutes <= 0 or handle_minutes <= 0 or not 0 <= shrinkage < 1 or not 0 < max_occupancy <= 1:
        raise ValueError("interval and handling time must be positive, shrinkage below 100%")
    traffic = cases * handle_minutes / interval_minutes
    agents = max(1, math.floor(traffic) + 1)
    while True:
        sl = service_level(agents, traffic, handle_seconds=handle_minutes * 60, answer_seconds=answer_seconds)
        if sl >= target_service_level and traffic / agents <= max_occupancy:
            break
        agents += 1
    staffed = math.ceil(round(agents / (1.0 - shrinkage), 9))
    return Staffing(traffic=traffic, raw=agents, staffed=staffed, service_level=sl, occupancy=traffic / agents)


@dataclass(frozen=True)
class MonthCapacity:
    month: date
    cases: int
    peak_cases_per_interval: float
    staffing: Staffing
    roster: int

    @property
    def over_capacity(self) -> bool:
        return self.staffing.staffed > self.roster


def month_capacity(*, month: date, cases: int, business_days: int, roster: int, handle_minutes: float,
                   answer_seconds: float = 20, target_service_level: float = 0.8, max_occupancy: float = 0.85,
                   shrinkage: float = 0.3, interval_minutes: float = 30, peak_factor: float = 1.5,
                   day_hours: float = 9) -> MonthCapacity:
    """The staff a month's case target needs at its peak half-hour, against the roster."""
    intervals = max(business_days, 1) * day_hours * 60 / interval_minutes
    peak = cases / intervals * peak_factor
    staffing = required_staff(cases=peak, interval_minutes=interval_minutes, handle_minutes=handle_minutes,
                              answer_seconds=answer_seconds, target_service_level=target_service_level,
                              max_occupancy=max_occupancy, shrinkage=shrinkage)
    return MonthCapacity(month=month, cases=cases, peak_cases_per_interval=peak, staffing=staffing, roster=roster)


def months_over_capacity(months: Iterable[MonthCapacity]) -> list[date]:
    return [m.month for m in months if m.over_capacity]
