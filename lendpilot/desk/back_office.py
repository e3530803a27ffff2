"""The desks of the people behind the counter: the risk officer (the approval queue at their level with its
SLA clock), operations (contracts to sign, payouts, repayment exceptions) and compliance (PII reveals, audit
checkpoints, lockouts)."""

from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

from lendpilot.compliance.models import AuditCheckpoint, PiiAccessLog
from lendpilot.lending.models import Application, Contract
from lendpilot.lending.selectors import applications_visible, approval_queue, contracts_visible, loans_visible
from lendpilot.org.access import Actor
from lendpilot.org.roles import Perm
from lendpilot.org.selectors import login_attempts

SHOWN = 10


def risk_desk(actor: Actor, *, today: date) -> dict:
    """The queue at the officer's own approval level, overdue and escalated first, each with its SLA colour
    and due date; counts per colour for the clock."""
    level = actor.staff.approval_level if actor.staff is not None else None
    if not level or not actor.can(Perm.APPROVE_LOAN):
        return {"queue_level": None}
    queue = approval_queue(actor, level=level, today=today)
    clock = {colour: sum(1 for row in queue if row.sla == colour) for colour in ("red", "amber", "green")}
    return {"queue_level": level, "queue": queue[:SHOWN], "queue_count": len(queue), "sla_clock": clock,
            "mine_to_act": sum(1 for row in queue if row.viewer_can_act)}


def operations_desk(actor: Actor, *, today: date) -> dict:
    if not actor.can(Perm.VIEW_LENDING):
        return {}
    to_contract = applications_visible(actor, status=Application.Status.APPROVED)
    to_sign = contracts_visible(actor).filter(status=Contract.Status.GENERATED)
    to_pay = contracts_visible(actor).filter(status=Contract.Status.SIGNED)
    exceptions = loans_visible(actor).filter(Q(days_past_due__gt=0) | Q(unapplied_credit__gt=0)).order_by(
        "-days_past_due", "-unapplied_credit", "id")
    return {"to_contract": list(to_contract.order_by("id")[:SHOWN]), "to_contract_count": to_contract.count(),
            "to_sign": list(to_sign.order_by("id")[:SHOWN]), "to_sign_count": to_sign.count(),
            "to_pay": list(to_pay.order_by("id")[:SHOWN]), "to_pay_count": to_pay.count(),
            "repayment_exceptions": list(exceptions[:SHOWN]), "repayment_exception_count": exceptions.count()}


def compliance_desk(actor: Actor, *, today: date) -> dict:
    """Who saw unmasked personal data in the last week, the audit log's latest daily checkpoints, and the
    sign-ins locked out now."""
    if not actor.can(Perm.VIEW_AUDIT):
        return {}
    since = timezone.now() - timedelta(days=7)
    reveals = PiiAccessLog.objects.filter(accessed_at__gte=since).select_related("actor").order_by("-accessed_at")
    return {"pii_reveals": list(reveals[:SHOWN]), "pii_reveal_count": reveals.count(),
            "checkpoints": list(AuditCheckpoint.objects.order_by("-day")[:5]),
            "lockouts": list(login_attempts(actor)[:SHOWN])}
