"""Action items: the status moves and the SLA clock (FEATURES B11). Pure: no ORM, no organisation.

The split across floors: the tables (`ActionItem`, its squad and status history) are core's and refer to
people by login; this module holds the rules that need nothing but dates and statuses; the services that
need the organisation -- permissions, data scopes, the owner's superior to escalate to -- are in
`lendpilot.insights.review.actions`, on a floor that may read org, sales and monitoring.

Status moves::

    open -> in_progress -> done       (done needs a written outcome)
    open -> done
    open | in_progress -> cancelled   (cancelling needs a reason)

done and cancelled are final.

The SLA clock (B11 "a solution within 48 hours"): hours run only on mainland business days
(`lendpilot.core.business_calendar`, weekends and statutory holidays off, 调休 working weekends on), all
24 hours of such a day, in the business time zone. An item created on Friday 15:00 with 48 hours is due on
Tuesday 15:00; one created on a Saturday starts its clock on Monday 00:00. Past the end of the official
calendar the provisional year counts (Monday-Friday less the fixed-date holidays).
"""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext

from lendpilot.core.business_calendar import is_business_day

OPEN = "open"
IN_PROGRESS = "in_progress"
DONE = "done"
CANCELLED = "cancelled"
LIVE_STATUSES: tuple[str, ...] = (OPEN, IN_PROGRESS)
FINAL_STATUSES: tuple[str, ...] = (DONE, CANCELLED)

TRANSITIONS: dict[str, frozenset[str]] = {
    OPEN: frozenset({IN_PROGRESS, DONE, CANCELLED}),
    IN_PROGRESS: frozenset({DONE, CANCELLED}),
    DONE: frozenset(),
    CANCELLED: frozenset(),
}


def move_problem(from_status: str, to_status: str, *, note: str = "") -> tuple[str, str] | None:
    """Why the move is refused as (field, reason), or None when allowed. Closing needs an outcome and
    cancelling a reason, both given as `note`."""
    if to_status not in TRANSITIONS:
        return "status", gettext("unknown status %(status)s") % {"status": to_status}
    if from_status in FINAL_STATUSES:
        return "status", gettext("the action item is already closed")
    if to_status == from_status:
        return "status", gettext("the action item already has that status")
    if to_status not in TRANSITIONS[from_status]:
        return "status", gettext("cannot move from %(src)s to %(dst)s") % {"src": from_status, "dst": to_status}
    if to_status == DONE and not note.strip():
        return "outcome", gettext("closing an action item needs its outcome")
    if to_status == CANCELLED and not note.strip():
        return "reason", gettext("cancelling an action item needs a reason")
    return None


def sla_due(start: datetime, hours: int, *, tz: str | ZoneInfo,
            calendar: Callable[[date], bool] = is_business_day) -> datetime:
    """The moment `hours` business hours after `start` (aware); see the module docstring for the clock.
    Rejects a naive `start` and negative hours with ValueError."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    if hours < 0:
        raise ValueError("hours must not be negative")
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    local = start.astimezone(zone)
    remaining = timedelta(hours=hours)
    day = local.date()
    cursor = local
    # Bounded: the longest run of non-business days in the mainland calendar is about nine days.
    for _step in range(hours // 24 * 15 + 30):
        midnight = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)
        if calendar(day):
            available = midnight - cursor
            if remaining <= available:
                return cursor + remaining
            remaining -= available
        day += timedelta(days=1)
        cursor = midnight
    raise ValueError("no business day found for the SLA clock")


def is_overdue(*, status: str, due_at: datetime, now: datetime) -> bool:
    """A live item whose due moment has passed (strictly: due at 15:00 is not overdue at 15:00)."""
    return status in LIVE_STATUSES and now > due_at
