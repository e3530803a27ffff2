"""Drill writes: planting canaries, raising one alert per canary touch, the access-log sweep, the drill
schedule with results and fixes, and the PII access record that every reveal goes through.

Integration points for the packages that touch personal data (they call these with plain values):
- a reveal of an identifier: `pii_access_record(...)` instead of creating the `PiiAccessLog` row directly;
- an export or a bulk query: `canary_touch(actor=..., refs=[...], action="export", source_key="segment_export:7")`
  with the references of the records it returned.
Reveals logged directly are still caught by `canary_sweep`, which the nightly task runs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event
from lendpilot.compliance.drills.models import CanaryAlert, CanaryRecord, DrillFix, LeakDrill
from lendpilot.compliance.models import PiiAccessLog
from lendpilot.org.access import actor_of, require
from lendpilot.org.models import Staff
from lendpilot.org.roles import Perm

logger = logging.getLogger("lendpilot.security")


@transaction.atomic
def canary_plant(*, actor, ref: str, label: str) -> CanaryRecord:
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLIANCE)
    ref = (ref or "").strip()
    if not ref or ":" not in ref:
        raise ValidationError({"ref": _("give the record's reference, e.g. customers.customer:42")})
    canary, created = CanaryRecord.objects.get_or_create(ref=ref[:64], defaults={
        "label": (label or "").strip()[:120], "planted_by": acting.user})
    if not created:
        raise ValidationError({"ref": _("this record is already a canary")})
    record_event(actor=acting.user, event_code="compliance.canary_planted", obj=canary,
                 after={"ref": canary.ref, "label": canary.label})
    return canary


def canary_touch(*, actor, refs: Iterable[str], action: str, source_key: str,
                 detail: dict | None = None) -> CanaryAlert | None:
    """Raise one alert to compliance if any of `refs` is a canary; None otherwise. Reporting the same touch
    (the same `source_key`) again raises nothing more. Runs inside the caller's transaction when there is one."""
    if action not in CanaryAlert.Action.values:
        raise ValidationError({"action": _("unknown action")})
    # Canaries are few and an export may carry a whole book: intersect in memory, not with a huge IN list.
    touched = sorted(set(CanaryRecord.objects.values_list("ref", flat=True)).intersection(refs))
    if not touched:
        return None
    user = actor_of(actor).user
    try:
        with transaction.atomic():
            alert = CanaryAlert.objects.create(source_key=source_key[:120], action=action, refs=touched,
                                               actor=user, detail=detail or {})
            record_event(actor=user, event_code="compliance.canary_alert_raised", obj=alert,
                         after={"action": action, "refs": touched, "source": alert.source_key})
    except IntegrityError:
        return None
    logger.warning("canary touched action=%s refs=%s by=%s source=%s", action, ",".join(touched),
                   getattr(user, "pk", None), alert.source_key)
    return alert


@transaction.atomic
def pii_access_record(*, actor, object_type: str, object_id: str, field: str, purpose: str,
                      channel: str = "web") -> PiiAccessLog:
    """Log one unmasked view of a personal identifier; a canary's raises its alert at once."""
    user = actor_of(actor).user
    log = PiiAccessLog.objects.create(actor=user, object_type=object_type, object_id=str(object_id), field=field,
                                      purpose=purpose[:200], channel=channel)
    canary_touch(actor=actor, refs=[f"{object_type}:{object_id}"], action=CanaryAlert.Action.REVEAL,
                 source_key=f"pii_access:{log.pk}", detail={"field": field, "channel": channel})
    return log


def canary_sweep(*, since: datetime | None = None) -> int:
    """Raise the alert of every logged reveal of a canary that has none yet; returns how many were raised.
    Idempotent: each access-log row raises at most one alert."""
    canaries = list(CanaryRecord.objects.values_list("ref", flat=True))
    if not canaries:
        return 0
    raised = 0
    by_type: dict[str, list[str]] = {}
    for ref in canaries:
        object_type, _sep, object_id = ref.partition(":")
        by_type.setdefault(object_type, []).append(object_id)
    for object_type, ids in by_type.items():
        logs = PiiAccessLog.objects.filter(object_type=object_type, object_id__in=ids)
        if since is not None:
            logs = logs.filter(accessed_at__gte=since)
        known = set(CanaryAlert.objects.filter(source_key__startswith="pii_access:").values_list("source_key",
                                                                                                flat=True))
        for log in logs.order_by("pk"):
            if f"pii_access:{log.pk}" in known:
                continue
            alert = canary_touch(actor=log.actor, refs=[f"{log.object_type}:{log.object_id}"],
                                 action=CanaryAlert.Action.REVEAL, source_key=f"pii_access:{log.pk}",
                                 detail={"field": log.field, "channel": log.channel})
            raised += alert is not None
    return raised


@transaction.atomic
def alert_close(*, actor, alert: CanaryAlert, note: str) -> CanaryAlert:
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLIANCE)
    alert = CanaryAlert.objects.select_for_update().get(pk=alert.pk)
    note = (note or "").strip()
    if alert.status != CanaryAlert.Status.OPEN:
        raise ValidationError({"alert": _("this alert is already closed")})
    if not note:
        raise ValidationError({"note": _("say what was found and done")})
    alert.status, alert.closed_by, alert.closing_note = CanaryAlert.Status.CLOSED, acting.user, note[:500]
    alert.save(update_fields=["status", "closed_by", "closing_note"])
    record_event(actor=acting.user, event_code="compliance.canary_alert_closed", obj=alert, after={"note": note[:500]})
    return alert


@transaction.atomic
def drill_schedule(*, actor, title: str, scenario: str, scheduled_for: date, plan: str = "") -> LeakDrill:
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLIANCE)
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("give the drill a title")
    if scenario not in LeakDrill.Scenario.values:
        errors["scenario"] = _("choose a scenario")
    if errors:
        raise ValidationError(errors)
    drill = LeakDrill.objects.create(title=title.strip()[:200], scenario=scenario, scheduled_for=scheduled_for,
                                     plan=(plan or "").strip()[:2000], created_by=acting.user)
    record_event(actor=acting.user, event_code="compliance.drill_scheduled", obj=drill,
                 after={"title": drill.title, "scenario": scenario, "scheduled_for": scheduled_for})
    return drill


@transaction.atomic
def drill_record(*, actor, drill: LeakDrill, result: str, findings: str, run_on: date,
                 detection_minutes: int | None = None) -> LeakDrill:
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLIANCE)
    drill = LeakDrill.objects.select_for_update().get(pk=drill.pk)
    errors = {}
    if result not in (LeakDrill.Result.DETECTED, LeakDrill.Result.PARTIAL, LeakDrill.Result.MISSED):
        errors["result"] = _("choose the result")
    if not (findings or "").strip():
        errors["findings"] = _("describe what happened")
    if run_on > timezone.localdate():
        errors["run_on"] = _("a drill cannot be recorded before it is run")
    if detection_minutes is not None and detection_minutes < 0:
        errors["detection_minutes"] = _("must not be negative")
    if errors:
        raise ValidationError(errors)
    drill.result, drill.findings, drill.run_on = result, findings.strip()[:4000], run_on
    drill.detection_minutes = detection_minutes
    drill.save(update_fields=["result", "findings", "run_on", "detection_minutes"])
    record_event(actor=acting.user, event_code="compliance.drill_recorded", obj=drill,
                 after={"result": result, "run_on": run_on, "detection_minutes": detection_minutes})
    return drill


@transaction.atomic
def drill_fix_add(*, actor, drill: LeakDrill, description: str, owner: Staff, due_date: date) -> DrillFix:
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLIANCE)
    if not (description or "").strip():
        raise ValidationError({"description": _("describe the fix")})
    fix = DrillFix.objects.create(drill=drill, description=description.strip()[:300], owner=owner.user,
                                  due_date=due_date)
    record_event(actor=acting.user, event_code="compliance.drill_recorded", obj=fix,
                 after={"drill": drill.pk, "fix": fix.description, "owner": owner.user.get_username(),
                        "due_date": due_date})
    return fix


@transaction.atomic
def drill_fix_done(*, actor, fix: DrillFix) -> DrillFix:
    acting = actor_of(actor)
    if fix.owner_id != getattr(acting.user, "pk", None):
        require(acting, Perm.WORK_COMPLIANCE)
    fix = DrillFix.objects.select_for_update().get(pk=fix.pk)
    if fix.done_on is not None:
        raise ValidationError({"fix": _("this fix is already done")})
    fix.done_on = timezone.localdate()
    fix.save(update_fields=["done_on"])
    record_event(actor=acting.user, event_code="compliance.drill_fix_done", obj=fix, after={"done_on": fix.done_on})
    return fix
