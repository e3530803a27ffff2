"""Alerts and their interventions: the EOD's escalation and plan stages, and the people's actions on them
(completing a step, closing an alert).

Each tier of an alert has its plan of steps (PLAN) due within the tier's SLA in business days; a step left
open past its SLA escalates and moves the alert one tier up, whose plan the next stage then writes.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event
from lendpilot.core.business_calendar import add_business_days
from lendpilot.core.errors import Conflict
from lendpilot.customers.models import Customer
from lendpilot.lending import services as lending
from lendpilot.lending.models import CreditLine, Loan
from lendpilot.monitoring.models import Alert, Intervention, Outbox, RuleSet, Signal
from lendpilot.monitoring.services.acting import Acting
from lendpilot.monitoring.services.tables import quoted_table
from lendpilot.org.access import Actor, actor_of, require
from lendpilot.org.models import Staff
from lendpilot.org.roles import Perm, Role

PLAN = {
    1: [Intervention.Kind.SMS_REMINDER, Intervention.Kind.MANAGER_CALL],
    2: [Intervention.Kind.VISIT, Intervention.Kind.COLLATERAL_CHECK],
    3: [Intervention.Kind.LINE_FREEZE, Intervention.Kind.COLLECTION],
    4: [Intervention.Kind.LEGAL],
}


def stage_escalation(*, day: date, rules: dict[str, Any], ruleset: RuleSet, acting: Actor) -> dict[str, Any]:
    """Interventions whose SLA passed: mark them escalated and move their alert one tier up. Both writes
    are conditional UPDATEs that a second pass (a rerun, or a run racing this one) finds nothing left to
    do in: a step is escalated only while it is open, and an alert moves only while one of its steps at
    its current tier is escalated and overdue; after the move its tier is above that step's."""
    overdue = Intervention.objects.filter(status=Intervention.Status.OPEN, due_on__lt=day,
                                          alert__status=Alert.Status.OPEN, tier=F("alert__tier"))
    alert_ids = list(overdue.order_by().values_list("alert_id", flat=True).distinct())
    n = overdue.update(status=Intervention.Status.ESCALATED)
    passed = Intervention.objects.filter(alert_id=OuterRef("pk"), status=Intervention.Status.ESCALATED,
                                         due_on__lt=day, tier=OuterRef("tier"))
    moved = Alert.objects.filter(Exists(passed), status=Alert.Status.OPEN, tier__lt=4).update(
        tier=Least(F("tier") + 1, Value(4)), severity=Greatest(F("severity"), Least(F("tier") + 1, Value(4))))
    sigs = [Signal(loan_id=loan_id, alert_id=alert_id, code=Signal.Code.SLA_ESCALATION, dedup_key=f"{day}:{tier}",
                   severity=tier, business_date=day, ruleset_version=ruleset.version, evidence={"tier": tier})
            for alert_id, loan_id, tier in Alert.objects.filter(pk__in=alert_ids).values_list("pk", "loan_id", "tier")]
    Signal.objects.bulk_create(sigs, ignore_conflicts=True)
    return {"interventions_escalated": n, "alerts_moved_up": moved}


def sla_due(day: date, business_days: int) -> date:
    """`business_days` business days after `day` (a provisional year counts its weekdays less the fixed-date
    holidays)."""
    return add_business_days(day, business_days)


def _risk_officer() -> Staff | None:
    return Staff.objects.filter(role=Role.RISK_OFFICER, is_active=True).order_by("-approval_level", "pk").first()


def stage_plans(*, day: date, rules: dict[str, Any], ruleset: RuleSet, acting: Actor) -> dict[str, Any]:
    """The intervention plan of each open alert up to its current tier, once per tier (new alerts and
    escalated ones): one INSERT ... SELECT per step kind, the SMS and call notices of tier 1 likewise, then
    one UPDATE marking the alerts planned. Only freezing a credit line goes through lending's service, for
    the few alerts that reach tier 3 on a line."""
    officer = _risk_officer()
    officer_id = officer.pk if officer else None
    a, lo, c = quoted_table(Alert), quoted_table(Loan), quoted_table(Customer)
    todo = (f"FROM {a} a JOIN {lo} l ON l.id = a.loan_id JOIN {c} c ON c.id = l.borrower_id "
            f"WHERE a.status = %s AND a.planned_tier < %s AND a.tier >= %s")
    steps = outbox = 0
    now = timezone.now()
    with connection.cursor() as cursor:
        for tier, kinds in PLAN.items():
            due = sla_due(day, int(rules["sla_days"][str(tier)]))
            owner = "c.manager_id" if tier <= 2 or officer_id is None else "%s"
            for kind in kinds:
                owner_params = [] if owner == "c.manager_id" else [officer_id]
                cursor.execute(
                    f"INSERT INTO {quoted_table(Intervention)} (alert_id, tier, kind, owner_id, status, "  # noqa: S608
                    f"created_on, due_on, outcome) SELECT a.id, %s, %s, {owner}, %s, %s, %s, '' {todo}",
                    [tier, kind, *owner_params, Intervention.Status.OPEN, day, due, Alert.Status.OPEN, tier, tier])
                steps += cursor.rowcount
            if tier == 1:
                ob = quoted_table(Outbox)
                cursor.execute(
                    f"INSERT INTO {ob} (dedup_key, channel, customer_id, staff_id, body, created_at) "  # noqa: S608
                    f"SELECT 'sms:alert' || CAST(a.id AS VARCHAR(20)) || ':t1', %s, c.id, NULL, "
                    f"%s || l.number || %s, %s {todo}",
                    [Outbox.Channel.SMS, "【LendPilot】尊敬的客户，您的贷款",
                     "存在风险提示，请按时还款或联系客户经理。", now, Alert.Status.OPEN, 1, 1])
                outbox += cursor.rowcount
                cursor.execute(
                    f"INSERT INTO {ob} (dedup_key, channel, customer_id, staff_id, body, created_at) "  # noqa: S608
                    f"SELECT 'call:alert' || CAST(a.id AS VARCHAR(20)) || ':t1', %s, NULL, c.manager_id, "
                    f"%s || c.name || %s || l.number || %s, %s {todo}",
                    [Outbox.Channel.NOTICE, "请致电客户", "（贷款", f"）核实还款情况，时限{due.isoformat()}", now,
                     Alert.Status.OPEN, 1, 1])
                outbox += cursor.rowcount
    freezes = 0
    to_freeze = Alert.objects.filter(status=Alert.Status.OPEN, planned_tier__lt=3, tier__gte=3,
                                     loan__credit_line__isnull=False).exclude(
        loan__credit_line__status=CreditLine.Status.FROZEN).values_list("pk", "loan__credit_line_id")
    for alert_id, line_id in to_freeze:
        line = CreditLine.objects.get(pk=line_id)
        if line.status != CreditLine.Status.FROZEN:
            lending.credit_line_set_status(actor=acting, line=line, status=CreditLine.Status.FROZEN,
                                           reason=f"预警{alert_id}三级处置：冻结额度")
            freezes += 1
    manager = Subquery(Loan.objects.filter(pk=OuterRef("loan_id")).values("borrower__manager_id")[:1])
    owner_expr = Case(When(tier__lte=2, then=manager), default=Value(officer_id) if officer_id else manager,
                      output_field=IntegerField())
    planned = Alert.objects.filter(status=Alert.Status.OPEN).exclude(planned_tier=F("tier")).update(
        planned_tier=F("tier"), owner_id=Coalesce(F("owner_id"), owner_expr))
    return {"alerts_planned": planned, "steps_planned": steps, "outbox": outbox, "lines_frozen": freezes}


@transaction.atomic
def intervention_complete(*, actor: Acting, intervention: Intervention,
                          outcome: str) -> Intervention:
    acting = actor_of(actor)
    require(acting, Perm.WORK_ALERTS)
    if not (outcome or "").strip():
        raise ValidationError({"outcome": _("describe the outcome")})
    step = Intervention.objects.select_for_update().get(pk=intervention.pk)
    if step.status not in (Intervention.Status.OPEN, Intervention.Status.ESCALATED):
        raise Conflict(_("the step is already finished"), field="status")
    step.status, step.outcome, step.completed_at = Intervention.Status.DONE, outcome.strip()[:300], timezone.now()
    step.save()
    record_event(actor=acting.user, event_code="monitoring.intervention_completed", obj=step,
                 after={"alert": step.alert_id, "kind": step.kind, "outcome": step.outcome})
    return step


@transaction.atomic
def alert_close(*, actor: Acting, alert: Alert, reason: str,
                today: date | None = None) -> Alert:
    acting = actor_of(actor)
    require(acting, Perm.WORK_ALERTS)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("give the reason for closing")})
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status != Alert.Status.OPEN:
        raise Conflict(_("the alert is already closed"), field="status")
    alert.status, alert.close_reason = Alert.Status.CLOSED, reason.strip()[:300]
    alert.closed_on, alert.closed_by = today or timezone.localdate(), acting.staff
    alert.save()
    alert.interventions.filter(status=Intervention.Status.OPEN).update(status=Intervention.Status.CANCELLED)
    record_event(actor=acting.user, event_code="monitoring.alert_closed", obj=alert,
                 after={"reason": alert.close_reason, "tier": alert.tier})
    return alert
