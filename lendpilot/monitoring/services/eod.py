"""The end-of-day batch (C5): one run per business date through the stages in STAGES, logged in `EodRun`
and `EodStage` so that a killed run resumes at its first unfinished stage.

The batch is set-based: bulk UPDATEs and aggregate queries over loans and instalments; Python only touches
the few rows a stage produces (signals, new alerts, proposals). Each stage runs in its own transaction and
is idempotent for a date. Every stage and every run writes one log line on `lendpilot.monitoring.eod`
with its fields in `extra` (job, business_date, stage, counts, duration in seconds).
"""

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import date
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event
from lendpilot.core.errors import Conflict
from lendpilot.core.field_values import read_date
from lendpilot.core.locks import exclusive
from lendpilot.core.models import ScheduledRun
from lendpilot.monitoring.models import EodRun, EodStage, RuleSet
from lendpilot.monitoring.services.acting import Acting
from lendpilot.monitoring.services.alerts import stage_escalation, stage_plans
from lendpilot.monitoring.services.arrears import stage_delinquency, stage_penalty
from lendpilot.monitoring.services.channel_facts import stage_channel_facts
from lendpilot.monitoring.services.line_review import stage_line_review
from lendpilot.monitoring.services.portfolio import stage_buckets, stage_snapshot, stage_thresholds
from lendpilot.monitoring.services.ruleset import active_ruleset
from lendpilot.monitoring.services.signals import stage_signals
from lendpilot.org.access import Actor, actor_of, require
from lendpilot.org.roles import Perm

logger = logging.getLogger("lendpilot.monitoring.eod")

EOD_LOCK = "monitoring.eod"
JOB = "eod"
# The customer portrait (tags, RFM, tiers) is not a stage: at bank scale it takes minutes, so it is its
# own daily job (`portrait` in settings.LENDPILOT_SCHEDULE) after the EOD.
STAGES = ("delinquency", "penalty", "signals", "escalation", "plans", "line_review", "snapshot", "buckets",
          "channel_facts", "thresholds")

Progress = Callable[[str, dict[str, Any]], None]


class Stage(Protocol):
    def __call__(self, *, day: date, rules: dict[str, Any], ruleset: RuleSet, acting: Actor) -> dict[str, Any]: ...


STAGE_FUNCTIONS: dict[str, Stage] = {
    "delinquency": stage_delinquency, "penalty": stage_penalty, "signals": stage_signals,
    "escalation": stage_escalation, "plans": stage_plans, "line_review": stage_line_review,
    "snapshot": stage_snapshot, "buckets": stage_buckets, "thresholds": stage_thresholds,
    "channel_facts": stage_channel_facts,
}


def eod_run(*, actor: Acting, business_date: date | str, rerun: bool = False,
            stop_after: str | None = None, progress: Progress | None = None,
            trigger: str = EodRun.Trigger.COMMAND, task_id: str = "", catch_up: bool = False) -> EodRun:
    """Run the end-of-day batch for `business_date` (C5). A completed date is left alone unless `rerun`
    (which repeats every stage and changes nothing); a failed or killed run resumes at its first
    unfinished stage; a date before the last completed run or in the future is refused.

    One EOD runs at a time, whatever its date (a lock that the database or the operating system lets go
    when the holder dies): a second start answers `Conflict` ("already running") and writes nothing.
    No business date is skipped: while an earlier date is unfinished (a killed or failed run, or a day
    the scheduler enqueued that never ran) the date is refused naming the one to run first, or, with
    `catch_up` (the scheduler's task), the missed dates run first, in order.

    `trigger` (command, scheduler, user, demo) and the queue's `task_id` are kept on the run log, with
    one entry per attempt in `attempt_log`. `stop_after` ends the run after that stage (how the tests
    simulate a killed run)."""
    acting = actor_of(actor)
    require(acting, Perm.RUN_EOD)
    day = read_date(business_date, field="business_date")
    if day > timezone.localdate():
        raise ValidationError({"business_date": _("the business date lies in the future")})
    with eod_lock() as got:
        if not got:
            running = EodRun.objects.filter(status=EodRun.Status.RUNNING).order_by("-business_date") \
                .values_list("business_date", flat=True).first()
            raise Conflict(_("an end-of-day run is already in progress (%(date)s); nothing was started")
                           % {"date": (running or day).isoformat()}, field="business_date")
        last = EodRun.objects.filter(status=EodRun.Status.COMPLETED).aggregate(d=Max("business_date"))["d"]
        if last is not None and day < last:
            raise ValidationError({"business_date": _("the last completed run is for %(last)s; an earlier date "
                                                      "cannot be run") % {"last": last.isoformat()}})
        missed = eod_missed_dates(before=day, after=last)
        if missed and not catch_up:
            raise ValidationError({"business_date": _("the end-of-day run of %(missed)s has not completed; run "
                                                      "it first") % {"missed": missed[0].isoformat()}})
        for earlier in missed:
            logger.warning("EOD %s: catching up the unfinished run of %s first", day, earlier,
                           extra={"job": JOB, "business_date": earlier.isoformat(), "catch_up_for": day.isoformat()})
            _eod_attempt(acting=acting, day=earlier, rerun=False, stop_after=None, progress=progress,
                         trigger=trigger, task_id=task_id)
        return _eod_attempt(acting=acting, day=day, rerun=rerun, stop_after=stop_after, progress=progress,
                            trigger=trigger, task_id=task_id)


def eod_lock() -> AbstractContextManager[bool]:
    """The lock every EOD holds while it runs (`lendpilot.core.locks.exclusive`)."""
    return exclusive(EOD_LOCK)


def eod_missed_dates(*, before: date, after: date | None) -> list[date]:
    """Business dates before `before` (and after the last completed one, `after`) whose EOD has not
    completed: a run left running or failed, or a day the scheduler enqueued the EOD for without a run."""
    unfinished = EodRun.objects.filter(business_date__lt=before).exclude(status=EodRun.Status.COMPLETED)
    jobs = [name for name, spec in settings.LENDPILOT_SCHEDULE.items()
            if spec.get("task") == "lendpilot.monitoring.tasks.run_eod_task"]
    enqueued = ScheduledRun.objects.filter(job__in=jobs, business_date__lt=before).exclude(
        business_date__in=EodRun.objects.values("business_date"))
    if after is not None:
        unfinished, enqueued = unfinished.filter(business_date__gt=after), enqueued.filter(business_date__gt=after)
    return sorted(set(unfinished.values_list("business_date", flat=True))
                  | set(enqueued.values_list("business_date", flat=True)))


def _attempt_start(run: EodRun, *, rerun: bool, trigger: str, task_id: str) -> dict[str, Any]:
    """Mark the run as running and open its attempt log entry (returned, filled in as stages finish)."""
    if rerun:
        run.stages.update(completed=False)
    run.status, run.error = EodRun.Status.RUNNING, ""
    run.attempts += 1
    run.trigger = trigger if trigger in EodRun.Trigger.values else EodRun.Trigger.COMMAND
    run.task_id = str(task_id or "")[:64]
    entry = {"attempt": run.attempts, "trigger": run.trigger, "task_id": run.task_id, "rerun": rerun,
             "started_at": timezone.now().isoformat(), "status": EodRun.Status.RUNNING, "stages": []}
    run.attempt_log = [*run.attempt_log, entry]
    run.save(update_fields=["status", "error", "attempts", "trigger", "task_id", "attempt_log"])
    return entry


def _stage_run(run: EodRun, stage: EodStage, entry: dict[str, Any], *, day: date, rules: RuleSet,
               acting: Actor) -> dict[str, Any]:
    """One stage in its own transaction, recorded on the stage row and the attempt log; a failure marks
    the run failed (outside the rolled-back transaction) and propagates."""
    name = stage.stage
    t0 = time.perf_counter()
    try:
        with transaction.atomic():
            counts = STAGE_FUNCTIONS[name](day=day, rules=rules.thresholds, ruleset=rules, acting=acting)
            seconds = round(time.perf_counter() - t0, 4)
            EodStage.objects.filter(pk=stage.pk).update(completed=True, counts=counts, seconds=seconds,
                                                        finished_at=timezone.now())
            # a list, not a mapping: jsonb does not keep the order of keys
            entry["stages"].append({"stage": name, "counts": counts, "seconds": seconds})
            EodRun.objects.filter(pk=run.pk).update(attempt_log=run.attempt_log)
    except Exception as exc:
        entry.update(status=EodRun.Status.FAILED, error=f"{name}: {exc}"[:2000])
        EodRun.objects.filter(pk=run.pk).update(status=EodRun.Status.FAILED, error=entry["error"],
                                                attempt_log=run.attempt_log)
        logger.error("EOD %s: stage %s failed: %s", day, name, exc,
                     extra={"job": JOB, "business_date": day.isoformat(), "stage": name, "status": "failed",
                            "attempt": run.attempts, "duration": round(time.perf_counter() - t0, 3)})
        raise
    logger.info("EOD %s: stage %s done in %.3f s", day, name, seconds,
                extra={"job": JOB, "business_date": day.isoformat(), "stage": name, "status": "done",
                       "attempt": run.attempts, "counts": counts, "duration": seconds})
    return counts


def _attempt_finish(run: EodRun, entry: dict[str, Any], *, day: date, rules: RuleSet, rerun: bool,
                    elapsed: float, acting: Actor) -> None:
    with transaction.atomic():
        totals = {s.stage: s.counts for s in run.stages.all()}
        entry.update(status=EodRun.Status.COMPLETED, seconds=elapsed, finished_at=timezone.now().isoformat())
        EodRun.objects.filter(pk=run.pk).update(status=EodRun.Status.COMPLETED, counts=totals,
                                                seconds=round(run.seconds + elapsed, 3) if not rerun else elapsed,
                                                finished_at=timezone.now(), attempt_log=run.attempt_log)
        record_event(actor=acting.user, event_code="monitoring.eod_completed", object_type="batch",
                     object_id=f"eod:{day.isoformat()}", after={"business_date": day.isoformat(), "counts": totals,
                                                                "ruleset": rules.version, "rerun": rerun,
                                                                "attempt": run.attempts})
    logger.info("EOD %s completed in %.3f s (attempt %s)", day, elapsed, run.attempts,
                extra={"job": JOB, "business_date": day.isoformat(), "status": "completed", "attempt": run.attempts,
                       "rerun": rerun, "trigger": run.trigger, "counts": totals, "duration": elapsed})


def _pending_stages(run: EodRun, progress: Progress | None) -> Iterator[tuple[EodStage, dict[str, Any]]]:
    """The run's stages in order with their position, telling `progress` about the completed ones skipped."""
    total = len(STAGES)
    for position, name in enumerate(STAGES):
        stage, _c = EodStage.objects.get_or_create(run=run, stage=name, defaults={"position": position})
        where = {"position": position + 1, "total": total}
        if stage.completed:
            if progress:
                progress(name, {"status": "skipped", **where})
            continue
        yield stage, where


def _eod_attempt(*, acting: Actor, day: date, rerun: bool, stop_after: str | None, progress: Progress | None,
                 trigger: str, task_id: str) -> EodRun:
    """One attempt at `day`'s run; the caller holds the EOD lock."""
    run, _created = EodRun.objects.get_or_create(business_date=day)
    if run.status == EodRun.Status.COMPLETED and not rerun:
        return run
    entry = _attempt_start(run, rerun=rerun, trigger=trigger, task_id=task_id)
    rules = active_ruleset()
    started = time.perf_counter()
    for stage, where in _pending_stages(run, progress):
        if progress:
            progress(stage.stage, {"status": "started", **where})
        t0 = time.perf_counter()
        counts = _stage_run(run, stage, entry, day=day, rules=rules, acting=acting)
        if progress:
            progress(stage.stage, {"status": "done", "seconds": round(time.perf_counter() - t0, 3), **where,
                                   **counts})
        if stop_after == stage.stage:
            run.refresh_from_db()
            return run
    _attempt_finish(run, entry, day=day, rules=rules, rerun=rerun, elapsed=round(time.perf_counter() - started, 3),
                    acting=acting)
    run.refresh_from_db()
    return run
