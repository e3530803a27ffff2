"""The EOD under concurrency and after a kill: one run at a time, escalation once, no skipped business
date, every attempt's counts kept, a progress counter that counts the stages already done."""

import threading
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection

from lendpilot.core.errors import Conflict
from lendpilot.core.models import ScheduledRun
from lendpilot.monitoring import services
from lendpilot.monitoring.models import Alert, EodRun, EodStage, Intervention, Signal
from lendpilot.monitoring.services import STAGES, alerts
from lendpilot.monitoring.tests.conftest import make_loan

FIRST_DUE = date(2025, 2, 10)


def escalation_state():
    return {
        "alerts": list(Alert.objects.order_by("pk").values_list("severity", "tier", "planned_tier", "status")),
        "steps": sorted(Intervention.objects.values_list("tier", "kind", "status")),
        "signals": sorted(Signal.objects.values_list("code", "dedup_key")),
    }


def _overdue_day(world) -> tuple[date, date]:
    """A loan with an alert at tier 1, and the day after its tier-1 steps' SLA passed."""
    make_loan(world)
    first = FIRST_DUE + timedelta(days=3)
    services.eod_run(actor=None, business_date=first)
    due = Intervention.objects.get(kind="manager_call").due_on
    return first, due + timedelta(days=1)


def test_a_second_eod_started_while_one_runs_is_refused_and_writes_nothing(live_world):
    _first, day = _overdue_day(live_world)
    inside, release = threading.Event(), threading.Event()
    outcome: dict = {}

    def hold_at_escalation(stage, info):
        if stage == "escalation" and info["status"] == "started":
            inside.set()
            release.wait(30)

    def first_run():
        try:
            outcome["run"] = services.eod_run(actor=None, business_date=day, progress=hold_at_escalation)
        finally:
            connection.close()

    worker = threading.Thread(target=first_run)
    worker.start()
    assert inside.wait(30)
    try:
        with pytest.raises(Conflict, match="already in progress"):
            services.eod_run(actor=None, business_date=day)
        with pytest.raises(Conflict):
            services.eod_run(actor=None, business_date=day, rerun=True)
        out = StringIO()
        with pytest.raises(CommandError) as refused:
            call_command("run_eod", "--date", day.isoformat(), "--no-progress", stdout=out)
        assert refused.value.returncode == 75 and "already in progress" in str(refused.value)
        assert EodRun.objects.get(business_date=day).attempts == 1
    finally:
        release.set()
        worker.join(60)
    run = outcome["run"]
    assert run.status == "completed" and run.attempts == 1 and run.error == ""
    # the single-run result: the alert went up one tier, its tier-1 steps escalated, tier-2 planned once
    alert = Alert.objects.get()
    assert (alert.tier, alert.planned_tier) == (2, 2)
    assert Intervention.objects.filter(tier=1, status="escalated").count() == 2
    assert Intervention.objects.filter(tier=2).count() == 2
    assert Intervention.objects.filter(tier__gte=3).count() == 0
    assert Signal.objects.filter(code="sla_escalation").count() == 1


def test_two_eods_started_together_give_the_single_run_result(live_world):
    _first, day = _overdue_day(live_world)
    start = threading.Barrier(2)
    answers: list = []

    def run():
        try:
            start.wait(10)
            answers.append(services.eod_run(actor=None, business_date=day).status)
        except Conflict:
            answers.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert "completed" in answers and set(answers) <= {"completed", "conflict"}
    after_race = escalation_state()
    run = EodRun.objects.get(business_date=day)
    assert run.status == "completed" and run.attempts == 1 and run.error == ""
    services.eod_run(actor=None, business_date=day, rerun=True)
    assert escalation_state() == after_race
    assert Alert.objects.get().tier == 2


def test_escalation_run_twice_on_one_day_moves_the_alert_once(world):
    _first, day = _overdue_day(world)
    services.eod_run(actor=None, business_date=day, stop_after="signals")
    rules = services.active_ruleset()
    kwargs = {"day": day, "rules": rules.thresholds, "ruleset": rules, "acting": None}
    first = alerts.stage_escalation(**kwargs)
    second = alerts.stage_escalation(**kwargs)
    assert first == {"interventions_escalated": 2, "alerts_moved_up": 1}
    assert second == {"interventions_escalated": 0, "alerts_moved_up": 0}
    assert Alert.objects.get().tier == 2


def test_a_later_date_waits_for_an_unfinished_earlier_one(world):
    make_loan(world)
    d1, d2 = FIRST_DUE + timedelta(days=3), FIRST_DUE + timedelta(days=4)
    services.eod_run(actor=None, business_date=d1, stop_after="penalty")  # killed after two stages
    with pytest.raises(ValidationError) as refused:
        services.eod_run(actor=None, business_date=d2)
    assert d1.isoformat() in refused.value.message_dict["business_date"][0]
    assert not EodRun.objects.filter(business_date=d2).exists()
    out = StringIO()
    with pytest.raises(CommandError, match=d1.isoformat()) as cmd:
        call_command("run_eod", "--date", d2.isoformat(), "--no-progress", stdout=out)
    assert cmd.value.returncode == 1
    call_command("run_eod", "--date", d2.isoformat(), "--catch-up", "--no-progress", stdout=out)
    runs = dict(EodRun.objects.values_list("business_date", "status"))
    assert runs == {d1: "completed", d2: "completed"}


def test_a_day_the_scheduler_enqueued_but_never_ran_must_run_first(world):
    make_loan(world)
    d1, d2 = FIRST_DUE + timedelta(days=3), FIRST_DUE + timedelta(days=4)
    ScheduledRun.objects.create(job="eod", business_date=d1, task_id="lost-task")
    with pytest.raises(ValidationError, match=d1.isoformat()):
        services.eod_run(actor=None, business_date=d2)
    run = services.eod_run(actor=None, business_date=d2, catch_up=True)
    assert run.status == "completed"
    assert EodRun.objects.get(business_date=d1).status == "completed"


def test_a_resumed_run_counts_the_stages_already_done(world):
    make_loan(world)
    day = FIRST_DUE + timedelta(days=40)
    services.eod_run(actor=None, business_date=day, stop_after="signals")
    out = StringIO()
    call_command("run_eod", "--date", day.isoformat(), "--no-progress", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if line.startswith("[")]
    assert lines[0].startswith(f"[4/{len(STAGES)}] escalation")
    assert lines[-1].startswith(f"[{len(STAGES)}/{len(STAGES)}] thresholds")


def test_every_attempt_keeps_its_counts(world):
    make_loan(world)
    day = FIRST_DUE + timedelta(days=40)
    services.eod_run(actor=None, business_date=day, stop_after="signals")
    services.eod_run(actor=None, business_date=day)
    services.eod_run(actor=None, business_date=day, rerun=True)
    run = EodRun.objects.get(business_date=day)
    log = run.attempt_log
    assert [a["attempt"] for a in log] == [1, 2, 3]
    assert [a["rerun"] for a in log] == [False, False, True]
    stages = [[s["stage"] for s in a["stages"]] for a in log]
    assert stages == [["delinquency", "penalty", "signals"], list(STAGES[3:]), list(STAGES)]
    assert [a["status"] for a in log] == ["running", "completed", "completed"]
    # the first attempt found the new alert; the rerun found nothing new, and both are kept
    assert log[0]["stages"][2]["counts"]["alerts_opened"] == 1
    assert log[2]["stages"][2]["counts"]["alerts_opened"] == 0
    assert EodStage.objects.get(run=run, stage="signals").counts["alerts_opened"] == 0


def test_a_failed_stage_is_logged_with_its_attempt(world, monkeypatch):
    make_loan(world)
    day = FIRST_DUE + timedelta(days=5)

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setitem(services.STAGE_FUNCTIONS, "snapshot", broken)
    with pytest.raises(RuntimeError):
        services.eod_run(actor=None, business_date=day)
    run = EodRun.objects.get(business_date=day)
    assert run.status == "failed" and run.attempt_log[0]["status"] == "failed"
    assert "snapshot: disk full" in run.attempt_log[0]["error"]
    monkeypatch.undo()
    assert services.eod_run(actor=None, business_date=day).status == "completed"
    assert [a["status"] for a in EodRun.objects.get(business_date=day).attempt_log] == ["failed", "completed"]


DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_a_killed_scheduled_eod_is_retried_and_the_next_date_waits_for_it(live_world, settings):
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DB_QUEUE
    make_loan(live_world)
    d1, d2 = FIRST_DUE + timedelta(days=3), FIRST_DUE + timedelta(days=4)
    out = StringIO()
    call_command("run_scheduler", "--once", "--date", d1.isoformat(), "--job", "eod", stdout=out)
    task_id = ScheduledRun.objects.get(job="eod", business_date=d1).task_id
    # the worker took the task and was killed after two stages: its result stays "running"
    DBTaskResult.objects.filter(id=task_id).update(status="RUNNING", started_at=timezone.now() - timedelta(hours=5))
    services.eod_run(actor=None, business_date=d1, stop_after="penalty", trigger="scheduler", task_id=task_id)
    # the next date cannot complete while d1 is unfinished
    with pytest.raises(CommandError, match=d1.isoformat()):
        call_command("run_eod", "--date", d2.isoformat(), "--no-progress", stdout=out)
    out = StringIO()
    call_command("run_scheduler", "--once", "--date", d1.isoformat(), "--job", "eod", stdout=out)
    assert f"eod {d1}: retried" in out.getvalue()
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO())
    run = EodRun.objects.get(business_date=d1)
    assert run.status == "completed" and run.attempts == 2 and run.trigger == "scheduler"
    assert [s["stage"] for s in run.attempt_log[1]["stages"]] == list(STAGES[2:])
    out = StringIO()
    call_command("run_scheduler", "--once", "--date", d1.isoformat(), "--job", "eod", stdout=out)
    assert "already enqueued (succeeded)" in out.getvalue()


def test_the_scheduled_eod_of_a_later_date_runs_the_missed_date_first(live_world, settings):
    settings.TASKS = DB_QUEUE
    make_loan(live_world)
    d1, d2 = FIRST_DUE + timedelta(days=3), FIRST_DUE + timedelta(days=4)
    services.eod_run(actor=None, business_date=d1, stop_after="signals", trigger="scheduler")
    call_command("run_scheduler", "--once", "--date", d2.isoformat(), "--job", "eod", stdout=StringIO())
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO())
    assert dict(EodRun.objects.values_list("business_date", "status")) == {d1: "completed", d2: "completed"}
    assert EodRun.objects.get(business_date=d1).finished_at <= EodRun.objects.get(business_date=d2).finished_at
