"""Daily jobs: which task runs when (settings.LENDPILOT_SCHEDULE), and enqueuing one day's jobs
exactly once (ScheduledRun's unique row). The cron clock itself is APScheduler's, in
`manage.py run_scheduler`.

The row is only a claim: a job whose task failed, or died without an answer (a killed worker, a
killed scheduler between the claim and the enqueue), is enqueued again by the next pass of the
scheduler or by `run_scheduler --once`, through a conditional update of the claim so that two
schedulers never both retry it. Jobs are idempotent for their date, so a retry only finishes the work.
"""

import logging
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

from lendpilot.core.models import ScheduledRun

logger = logging.getLogger(__name__)

# The scheduler's liveness row in the same table (a job name no schedule uses), stamped every minute
# and read by /readyz; one row per day also shows afterwards on which days the scheduler was up.
HEARTBEAT_JOB = "_scheduler_heartbeat"
DEFAULT_STALE_MINUTES = 180
RETRY_DAYS = 7


@dataclass(frozen=True)
class DailyJob:
    name: str
    task_path: str
    cron: str
    # A run that has been going (or waiting for its enqueue) this long without an answer is taken for
    # dead and enqueued again; longer than the job's slowest honest run.
    stale_minutes: int = DEFAULT_STALE_MINUTES
    max_attempts: int = 3

    @property
    def task(self):
        return import_string(self.task_path)


@dataclass(frozen=True)
class Outcome:
    """What one pass did for a job and date: enqueued, retried, already (done/running/queued), failed."""

    job: str
    business_date: date
    action: str
    state: str
    task_id: str = ""
    error: str = ""

    @property
    def failed(self) -> bool:
        return self.state == "failed"

    def line(self) -> str:
        text = f"{self.job} {self.business_date}: "
        if self.action in ("enqueued", "retried"):
            text += f"{self.action} {self.task_id}"
            if self.state not in ("queued", "running"):
                text += f" ({self.state})"
        else:
            text += f"already enqueued ({self.state})"
        return text + (f": {self.error}" if self.error else "")


def daily_jobs() -> list[DailyJob]:
    return [DailyJob(name, spec["task"], spec["cron"], int(spec.get("stale_minutes", DEFAULT_STALE_MINUTES)),
                     int(spec.get("max_attempts", 3)))
            for name, spec in settings.LENDPILOT_SCHEDULE.items()]


def enqueue_daily_job(job: DailyJob, *, business_date: date) -> ScheduledRun | None:
    """Enqueue `job` for `business_date` unless it was already enqueued for that date; returns the
    run row, or None when it had been enqueued before."""
    run = _claim(job, business_date)
    if run is not None:
        _enqueue(job, run)
    return run


def _claim(job: DailyJob, business_date: date) -> ScheduledRun | None:
    try:
        with transaction.atomic():
            return ScheduledRun.objects.create(job=job.name, business_date=business_date)
    except IntegrityError:
        return None


def _enqueue(job: DailyJob, run: ScheduledRun):
    result = job.task.enqueue(business_date=run.business_date.isoformat())
    run.task_id = str(result.id)[:64]
    ScheduledRun.objects.filter(pk=run.pk).update(task_id=run.task_id)
    if not _backend_keeps_results(job) and result.status == TaskResultStatus.FAILED:
        # The task ran in this process and failed; nothing can ask about it later, so the claim goes
        # and the next pass enqueues the day again.
        ScheduledRun.objects.filter(pk=run.pk, task_id=run.task_id).delete()
    return result


def _backend_keeps_results(job: DailyJob) -> bool:
    return bool(job.task.get_backend().supports_get_result)


def _error_of(result) -> str:
    errors = getattr(result, "errors", None) or []
    if not errors:
        return ""
    last = errors[-1]
    return f"{last.exception_class_path.rsplit('.', 1)[-1]}: {last.traceback.strip().splitlines()[-1]}"[:300]


def run_state(job: DailyJob, run: ScheduledRun, *, now: datetime | None = None) -> tuple[str, str]:
    """(state, error) of a claimed day: succeeded, failed, running, queued, stale (no answer for longer
    than the job's window) or unknown (the queue no longer has the result)."""
    now = now or timezone.now()
    window = timedelta(minutes=job.stale_minutes)
    if not run.task_id:
        return ("stale" if run.enqueued_at < now - window else "queued"), ""
    if not _backend_keeps_results(job):
        # the task ran inside the enqueue, and a failed one gave its claim back (see _enqueue)
        return "succeeded", ""
    try:
        result = job.task.get_result(run.task_id)
    except TaskResultDoesNotExist:
        return "unknown", ""
    if result.status == TaskResultStatus.SUCCESSFUL:
        return "succeeded", ""
    if result.status == TaskResultStatus.FAILED:
        return "failed", _error_of(result)
    if result.status == TaskResultStatus.RUNNING:
        started = result.started_at or result.enqueued_at
        return ("stale" if started and started < now - window else "running"), ""
    return "queued", ""


def _attempts(job: DailyJob, business_date: date) -> int | None:
    """How many times the task queue has been given this job and date (database backend only)."""
    try:
        from django_tasks_db.backend import DatabaseBackend
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - the backend is a dependency
        return None
    if not isinstance(job.task.get_backend(), DatabaseBackend):
        return None
    return DBTaskResult.objects.filter(task_path=job.task.module_path,
                                       args_kwargs__kwargs__business_date=business_date.isoformat()).count()


def schedule_daily_job(job: DailyJob, *, business_date: date, retry: bool = True) -> Outcome:
    """Enqueue `job` for `business_date` once; when the day was claimed before and its task failed or went
    stale, enqueue it again (up to the job's max_attempts). Reports what it did, and logs it with its fields
    (job, business_date, action, state, task_id, duration_ms)."""
    started = time.perf_counter()
    outcome = _schedule(job, business_date=business_date, retry=retry)
    fields = {"job": outcome.job, "business_date": outcome.business_date.isoformat(), "action": outcome.action,
              "state": outcome.state, "task_id": outcome.task_id,
              "duration_ms": round((time.perf_counter() - started) * 1000)}
    if outcome.error:
        fields["error"] = outcome.error
    logger.log(logging.ERROR if outcome.failed else logging.INFO, "daily job %s %s: %s (%s)", outcome.job,
               outcome.business_date, outcome.action, outcome.state, extra=fields)
    return outcome


def _schedule(job: DailyJob, *, business_date: date, retry: bool) -> Outcome:
    run = _claim(job, business_date)
    if run is not None:
        return _outcome_after_enqueue(job, run, "enqueued")
    run = ScheduledRun.objects.filter(job=job.name, business_date=business_date).first()
    if run is None:  # a failed in-process run gave its claim back between the two statements
        return _schedule(job, business_date=business_date, retry=retry)
    state, error = run_state(job, run)
    if not retry or state not in ("failed", "stale"):
        return Outcome(job.name, business_date, "already", state, run.task_id, error)
    attempts = _attempts(job, business_date)
    if attempts is not None and attempts >= job.max_attempts:
        logger.error("%s %s: %s after %s attempts; not retried again (%s)", job.name, business_date, state,
                     attempts, error, extra={"job": job.name, "business_date": business_date.isoformat(),
                                             "attempts": attempts})
        return Outcome(job.name, business_date, "already", "failed", run.task_id,
                       error or f"{state} after {attempts} attempts")
    claimed = ScheduledRun.objects.filter(pk=run.pk, task_id=run.task_id).update(task_id="",
                                                                                enqueued_at=timezone.now())
    if not claimed:  # another scheduler retried it first
        run.refresh_from_db()
        return Outcome(job.name, business_date, "already", "queued", run.task_id)
    logger.warning("%s %s: previous run %s (%s); enqueued again", job.name, business_date, state, error,
                   extra={"job": job.name, "business_date": business_date.isoformat(), "previous_state": state})
    run.task_id = ""
    return _outcome_after_enqueue(job, run, "retried")


def _outcome_after_enqueue(job: DailyJob, run: ScheduledRun, action: str) -> Outcome:
    result = _enqueue(job, run)
    status = {TaskResultStatus.SUCCESSFUL: "succeeded", TaskResultStatus.FAILED: "failed",
              TaskResultStatus.RUNNING: "running"}.get(result.status, "queued")
    error = _error_of(result) if status == "failed" else ""
    return Outcome(job.name, run.business_date, action, status, run.task_id, error)


def retry_unfinished(jobs: list[DailyJob], *, today: date, days: int = RETRY_DAYS) -> list[Outcome]:
    """Enqueue again every claimed day of the last `days` days whose task failed or went stale."""
    out = []
    for job in jobs:
        for day in ScheduledRun.objects.filter(job=job.name, business_date__gte=today - timedelta(days=days)) \
                .order_by("business_date").values_list("business_date", flat=True):
            outcome = schedule_daily_job(job, business_date=day)
            if outcome.action == "retried":
                out.append(outcome)
    return out


def heartbeat(*, now: datetime | None = None) -> None:
    """Stamp the scheduler's liveness row (read by /readyz)."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    if not ScheduledRun.objects.filter(job=HEARTBEAT_JOB, business_date=day).update(enqueued_at=now):
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(job=HEARTBEAT_JOB, business_date=day, task_id="")
        except IntegrityError:
            ScheduledRun.objects.filter(job=HEARTBEAT_JOB, business_date=day).update(enqueued_at=now)


def last_heartbeat() -> datetime | None:
    return ScheduledRun.objects.filter(job=HEARTBEAT_JOB).order_by("-enqueued_at") \
        .values_list("enqueued_at", flat=True).first()
