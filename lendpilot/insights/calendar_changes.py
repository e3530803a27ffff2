"""When a year's business calendar changes (a provisional year gets its official arrangement, or
operations move a day), the deadlines computed under the old answer move: decision deadlines of cases
in review, rolled due dates of open instalments, due dates of open intervention steps and the SLAs of
live action items (FEATURES X4).

It lives on the top floor because those deadlines belong to lending, monitoring and the review cycle.
Idempotent: recomputing a year twice moves nothing the second time.
"""

import logging
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from lendpilot.compliance.audit import record_event
from lendpilot.core.action_items import LIVE_STATUSES, sla_due
from lendpilot.core.business_calendar import forget_cached_years
from lendpilot.core.models import ActionItem, CalendarYear
from lendpilot.lending.deadlines import recompute_due_date_rolls, recompute_stage_deadlines
from lendpilot.monitoring.deadlines import recompute_intervention_deadlines

logger = logging.getLogger(__name__)


def _recompute_action_item_deadlines(*, year: int) -> int:
    zone = ZoneInfo(settings.TIME_ZONE)
    first, last = datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)
    moved = []
    items = ActionItem.objects.select_for_update().filter(status__in=LIVE_STATUSES, created_at__lt=last,
                                                          due_at__gte=first)
    for item in items:
        due = sla_due(item.created_at, item.sla_hours, tz=settings.TIME_ZONE)
        if due != item.due_at:
            item.due_at = due
            moved.append(item)
    ActionItem.objects.bulk_update(moved, ["due_at"], batch_size=500)
    return len(moved)


def recompute_business_dates(*, year: int, actor=None) -> dict[str, int]:
    """Move every open deadline that runs through `year` to the calendar now in force."""
    forget_cached_years()  # read the table as it is now, not a year cached before the change
    started = time.monotonic()
    with transaction.atomic():
        counts = {
            "applications": recompute_stage_deadlines(year=year),
            "instalments": recompute_due_date_rolls(year=year, today=timezone.localdate()),
            "interventions": recompute_intervention_deadlines(year=year),
            "action_items": _recompute_action_item_deadlines(year=year),
        }
        CalendarYear.objects.filter(year=year).update(recomputed_at=timezone.now())
        record_event(actor=actor, event_code="insights.business_dates_recomputed", object_type="core.calendaryear",
                     object_id=str(year), after=counts)
    logger.info("business dates recomputed", extra={"job": "recompute_business_dates", "year": year, **counts,
                                                    "duration_s": round(time.monotonic() - started, 3)})
    return counts


def years_changed_since_recompute(*, today: date) -> list[int]:
    """Official years changed since their deadlines were last moved (this year and later only: deadlines
    of earlier years have passed)."""
    return list(CalendarYear.objects.filter(year__gte=today.year - 1)
                .filter(Q(recomputed_at__isnull=True) | Q(updated_at__gt=F("recomputed_at")))
                .order_by("year").values_list("year", flat=True))
