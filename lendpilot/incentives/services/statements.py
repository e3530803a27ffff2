"""Commission plans, the monthly statement run and the recalculation of one statement, approval and
disputes. A statement keeps its id across recalculations: a run that finds different figures adds a
version (with its cause, reason and what changed) to the same statement, and its open disputes follow it;
a run that finds the same figures changes nothing. Approved statements are locked."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_batch_event, record_event
from lendpilot.core.errors import Conflict
from lendpilot.core.months import month_start
from lendpilot.incentives import commission
from lendpilot.incentives.commission_inputs import month_figures, statements_computed
from lendpilot.incentives.models import CommissionLine, CommissionPlan, CommissionStatement, Dispute
from lendpilot.incentives.services.statement_versions import statements_save
from lendpilot.org.access import actor_of, require, staff_in_scope
from lendpilot.org.models import Staff
from lendpilot.org.roles import Perm, Role


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


@transaction.atomic
def commission_plan_publish(*, actor, name: str, spec) -> CommissionPlan:
    """Validate a plan and make it the active one."""
    who = actor_of(actor)
    require(who, Perm.APPROVE_COMMISSION)
    try:
        commission.parse_plan(spec)
    except commission.PlanError as exc:
        raise _invalid(exc.field, exc.message) from exc
    version = (CommissionPlan.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0) + 1
    CommissionPlan.objects.filter(is_active=True).update(is_active=False)
    plan = CommissionPlan.objects.create(name=name, version=version, spec=spec, is_active=True, created_by=who.staff)
    record_event(actor=who.user, event_code="incentives.plan_published", obj=plan, after={"version": version})
    return plan


def active_plan() -> tuple[CommissionPlan, commission.Plan]:
    plan_row = CommissionPlan.objects.filter(is_active=True).first()
    if plan_row is None:
        raise _invalid("plan", _("publish a commission plan first"))
    return plan_row, commission.parse_plan(plan_row.spec)


@transaction.atomic
def commission_run(*, actor, month: date, reason: str = "") -> dict:
    """Compute the month's statements for every account manager. A statement whose figures changed gets a
    new version under the same id (its disputes stay with it); unchanged ones are left as they are, and so
    are approved ones."""
    who = actor_of(actor)
    require(who, Perm.RUN_COMMISSION)
    month = month_start(month)
    plan_row, plan = active_plan()
    locked = set(CommissionStatement.objects.select_for_update().filter(
        month=month, status=CommissionStatement.Status.APPROVED).values_list("staff_id", flat=True))
    _quotas, disbursed = month_figures(month)
    managers = list(Staff.objects.filter(role=Role.ACCOUNT_MANAGER).filter(
        Q(is_active=True) | Q(pk__in=list(disbursed))).exclude(pk__in=locked).order_by("pk").values_list(
        "pk", flat=True))
    computed = statements_computed(plan, month, managers)
    saved = statements_save(month=month, plan_row=plan_row, computed=computed, by=who.staff,
                            reason=(reason or "").strip()[:300])
    # Drafts of people no longer paid (left, nothing sold) go, unless someone disputes them.
    CommissionStatement.objects.filter(month=month, status=CommissionStatement.Status.DRAFT).exclude(
        staff_id__in=managers).exclude(disputes__isnull=False).delete()
    total = sum((st.total for st in computed.values()), Decimal(0))
    record_event(actor=who.user, event_code="incentives.statements_run", object_type="incentives.month",
                 object_id=month.isoformat(),
                 after={"statements": len(computed), "lines": saved["lines"], "locked": len(locked), "total": total,
                        "plan": plan_row.version, "new": saved["new"], "revised": saved["revised"],
                        "reason": reason})
    return {"statements": len(computed), "lines": saved["lines"], "locked": len(locked), "total": total,
            "new": len(saved["new"]), "revised": len(saved["revised"]), "unchanged": saved["unchanged"]}


@transaction.atomic
def statement_recalculate(*, actor, statement: CommissionStatement, reason: str) -> CommissionStatement:
    """Recalculate one draft statement from today's facts under the active plan. It keeps its id; if the
    figures changed it gets a new version with the reason given, and its open disputes follow it."""
    who = actor_of(actor)
    require(who, Perm.RUN_COMMISSION)
    statement = CommissionStatement.objects.select_for_update().get(pk=statement.pk)
    if statement.status != CommissionStatement.Status.DRAFT:
        raise Conflict(_("an approved statement is locked"), field="status")
    if not (reason or "").strip():
        raise _invalid("reason", _("say why the statement is recalculated"))
    plan_row, plan = active_plan()
    computed = statements_computed(plan, statement.month, [statement.staff_id])
    before = statement.version
    saved = statements_save(month=statement.month, plan_row=plan_row, computed=computed, by=who.staff,
                            reason=reason.strip()[:300])
    statement.refresh_from_db()
    record_event(actor=who.user, event_code="incentives.statement_recalculated", obj=statement,
                 before={"version": before, "total": saved["totals_before"].get(statement.pk)},
                 after={"version": statement.version, "total": statement.total, "reason": reason.strip()})
    return statement


@transaction.atomic
def statement_approve(*, actor, statement: CommissionStatement) -> CommissionStatement:
    who = actor_of(actor)
    require(who, Perm.APPROVE_COMMISSION)
    if Dispute.objects.filter(statement=statement, status=Dispute.Status.OPEN).exists():
        raise Conflict(_("resolve the open dispute first"), field="status")
    updated = CommissionStatement.objects.filter(pk=statement.pk, status=CommissionStatement.Status.DRAFT).update(
        status=CommissionStatement.Status.APPROVED, approved_by=who.staff, approved_at=timezone.now())
    if not updated:
        raise Conflict(_("the statement is already approved"), field="status")
    statement.refresh_from_db()
    record_event(actor=who.user, event_code="incentives.statement_approved", obj=statement,
                 after={"total": statement.total, "version": statement.version})
    return statement


@transaction.atomic
def statements_approve(*, actor, month: date) -> dict:
    """Approve every draft statement of the month that has no open dispute, in one set-based update (the
    month-end sign-off). Statements with an open dispute stay drafts until it is resolved. One audit record
    names every statement approved with its person and total."""
    who = actor_of(actor)
    require(who, Perm.APPROVE_COMMISSION)
    month = month_start(month)
    drafts = CommissionStatement.objects.select_for_update().filter(
        month=month, status=CommissionStatement.Status.DRAFT)
    disputed = set(Dispute.objects.filter(statement__month=month, status=Dispute.Status.OPEN).values_list(
        "statement_id", flat=True))
    rows = list(drafts.exclude(pk__in=disputed).order_by("pk").values_list("pk", "staff_id", "total"))
    ids = [pk for pk, _staff, _total in rows]
    approved = CommissionStatement.objects.filter(pk__in=ids, status=CommissionStatement.Status.DRAFT).update(
        status=CommissionStatement.Status.APPROVED, approved_by=who.staff, approved_at=timezone.now())
    total = sum((t for _pk, _staff, t in rows), Decimal(0))
    record_batch_event(actor=who.user, event_code="incentives.statements_approved", summary={
        "batch_id": f"statements:{month.isoformat()}", "month": month, "approved": approved, "total": total,
        "held_by_dispute": sorted(disputed), "statements": [[pk, staff, t] for pk, staff, t in rows]})
    return {"approved": approved, "held_by_dispute": len(disputed), "total": total}


@transaction.atomic
def dispute_open(*, actor, statement: CommissionStatement, reason: str, line: CommissionLine | None = None) -> Dispute:
    """The person (or a manager in scope) disputes a statement or one of its lines."""
    who = actor_of(actor)
    require(who, Perm.VIEW_INCENTIVES)
    if who.staff is None or not staff_in_scope(who, statement.staff):
        raise _invalid("statement", "not a statement you can dispute")
    if not reason.strip():
        raise _invalid("reason", "say what is wrong")
    if line is not None and line.statement_id != statement.pk:
        raise _invalid("line_id", "the line is not on this statement")
    dispute = Dispute.objects.create(statement=statement, line=line, raised_by=who.staff, reason=reason.strip(),
                                     raised_on_version=statement.version)
    record_event(actor=who.user, event_code="incentives.dispute_opened", obj=dispute,
                 after={"statement": statement.pk, "line": line.pk if line else None, "reason": dispute.reason,
                        "version": statement.version})
    return dispute


@transaction.atomic
def dispute_resolve(*, actor, dispute: Dispute, resolution: str) -> Dispute:
    who = actor_of(actor)
    require(who, Perm.RESOLVE_DISPUTE)
    if not resolution.strip():
        raise _invalid("resolution", "say how it was resolved")
    updated = Dispute.objects.filter(pk=dispute.pk, status=Dispute.Status.OPEN).update(
        status=Dispute.Status.RESOLVED, resolution=resolution.strip(), resolved_by=who.staff,
        resolved_at=timezone.now())
    if not updated:
        raise Conflict(_("the dispute is already resolved"), field="status")
    dispute.refresh_from_db()
    record_event(actor=who.user, event_code="incentives.dispute_resolved", obj=dispute,
                 after={"resolution": dispute.resolution})
    return dispute
