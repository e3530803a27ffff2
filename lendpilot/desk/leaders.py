"""The desks of the people who lead: the director (the command centre's summary, what waits for a decision,
alerts) and the regional heads and team leads (their slice, their team's attainment, overdue action items)."""

from datetime import date

from django.utils import timezone

from lendpilot.desk.figures import latest_disbursements, month_summary
from lendpilot.incentives.models import Dispute
from lendpilot.incentives.selectors import disputes_visible
from lendpilot.insights.review.selectors import action_items_for
from lendpilot.insights.selectors import alert_strip, default_slice, slice_label
from lendpilot.lending.authority import DIRECTOR
from lendpilot.lending.selectors import approval_queue
from lendpilot.org.access import Actor
from lendpilot.org.roles import Perm
from lendpilot.planning.models import QuotaReset, TargetPlan
from lendpilot.planning.selectors import attainment, plans_visible, resets_visible
from lendpilot.sales.selectors import follow_ups_overdue
from lendpilot.talent.access import may_manage
from lendpilot.talent.selectors import talent_summary
from lendpilot.talent.wording import BOX_NAMES

SHOWN = 8


def _decisions(actor: Actor, *, today: date) -> dict:
    """What waits for the director: cases above the final approvers' limit, commission disputes, targets
    and quota re-sets to approve."""
    out: dict = {}
    if actor.can(Perm.APPROVE_LOAN):
        queue = approval_queue(actor, level=DIRECTOR, today=today)
        out["director_queue"] = queue[:SHOWN]
        out["director_queue_count"] = len(queue)
    if actor.can(Perm.RESOLVE_DISPUTE):
        disputes = disputes_visible(actor, status=Dispute.Status.OPEN)
        out["open_disputes"] = list(disputes.order_by("created_at")[:SHOWN])
        out["open_dispute_count"] = disputes.count()
    if actor.can(Perm.APPROVE_TARGETS):
        out["plans_to_approve"] = plans_visible(actor).filter(status=TargetPlan.Status.DRAFT).count()
        out["resets_to_approve"] = resets_visible(actor).filter(status=QuotaReset.Status.PROPOSED).count()
    return out


def _alerts(actor: Actor, *, today: date) -> dict:
    if not actor.can(Perm.VIEW_INSIGHTS):
        return {}
    return {"alert_strip": alert_strip(actor, today=today)}


def _talent(actor: Actor, *, today: date) -> dict:
    """Open requisitions, the latest review's 9-box counts in words, certificates about to expire (A1–A6)."""
    if not may_manage(actor):
        return {}
    found = talent_summary(actor, today=today)
    boxes = [(BOX_NAMES[box], count) for box, count in sorted((found["distribution"] or {}).items(), reverse=True)
             if count]
    return {"talent": {**found, "boxes": boxes}}


def director_desk(actor: Actor, *, today: date) -> dict:
    return {"summary": month_summary(actor, today=today), "decisions": _decisions(actor, today=today),
            **_alerts(actor, today=today), "latest_disbursements": latest_disbursements(actor, today=today),
            **_talent(actor, today=today)}


def _team_attainment(actor: Actor, *, today: date) -> list:
    if not actor.can(Perm.VIEW_PLANNING):
        return []
    rows = attainment(actor, month=today.replace(day=1), group="person", today=today)
    return sorted(rows, key=lambda r: (r.attainment is None, r.attainment or 0))[:20]


def slice_desk(actor: Actor, *, today: date) -> dict:
    """A regional head's or team lead's desk: their slice of the bank, the attainment of their people
    (weakest first), overdue action items and follow-ups, and the latest payouts in their slice."""
    out: dict = {"summary": month_summary(actor, today=today), "team_attainment": _team_attainment(actor, today=today),
                 "latest_disbursements": latest_disbursements(actor, today=today), **_alerts(actor, today=today)}
    if actor.can(Perm.VIEW_INSIGHTS):
        out["slice_label"] = slice_label(default_slice(actor))
    if actor.can(Perm.VIEW_REVIEW) and actor.user is not None:
        overdue = action_items_for(actor.user, overdue_only=True, now=timezone.now())
        out["overdue_items"] = list(overdue[:SHOWN])
        out["overdue_item_count"] = overdue.count()
    if actor.can(Perm.VIEW_SALES):
        out["overdue"] = list(follow_ups_overdue(actor, today=today, mine=False).select_related(
            "opportunity")[:SHOWN])
    return out
