"""The daily job seals a day's pre-screen log through the task backend (D6); the demo step trains the
bank's scorecard on its own history and activates it with a second officer (C4)."""

from datetime import date
from importlib import import_module

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus

from lendpilot.compliance.audit import verify_chain
from lendpilot.compliance.models import AuditEvent
from lendpilot.core.seeding import SeedContext
from lendpilot.scoring import demo, services
from lendpilot.scoring.models import CreditHistory, PrescreenLog, ScorecardVersion
from lendpilot.scoring.tasks import seal_prescreen_log_task

APPLICANT = dict(product_code="CREDIT-01", amount="100000", term_months=24, age=35, monthly_income="20000",
                 monthly_debt_payments="1000", employment_years=5, bureau_inquiries_6m=1, bureau_overdue_24m=0,
                 industry="C", region="EAST")


def test_schedule_names_the_seal_task():
    path = settings.LENDPILOT_SCHEDULE["seal_prescreen_log"]["task"]
    module, name = path.rsplit(".", 1)
    assert getattr(import_module(module), name) is seal_prescreen_log_task


def test_seal_task_seals_the_day_once(world, active_version):
    log = services.prescreen_run(actor=world.user("am_wang"), **APPLICANT).log
    day = timezone.localdate(log.created_at)
    result = seal_prescreen_log_task.enqueue(business_date=day.isoformat())
    assert result.status == TaskResultStatus.SUCCESSFUL
    event = AuditEvent.objects.get(event_code="scoring.prescreen_log_sealed", object_id=day.isoformat())
    assert result.return_value == {"business_date": day.isoformat(), "audit_seq": event.seq}
    assert event.after["rows"] == 1 and event.after["first_id"] == log.pk == event.after["last_id"]
    assert event.after["sha256"] == services.prescreen_log_digest(day)[1]
    # Sealing the unchanged day again adds nothing; the direct call gives the same answer.
    assert seal_prescreen_log_task.call(business_date=day.isoformat())["audit_seq"] == event.seq
    assert AuditEvent.objects.filter(event_code="scoring.prescreen_log_sealed").count() == 1
    assert verify_chain().ok


def test_seal_task_on_an_empty_day(db):
    result = seal_prescreen_log_task.enqueue(business_date="2026-02-02")
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert AuditEvent.objects.get(event_code="scoring.prescreen_log_sealed").after["rows"] == 0


def test_demo_step_trains_on_the_bank_history(world):
    ctx = SeedContext.create(scale="tiny", seed=3, show_progress=False, today=date(2026, 6, 15))
    counts = demo.seed(ctx)
    assert counts["credit_history"] == CreditHistory.objects.count() == demo.HISTORY["tiny"]
    assert CreditHistory.objects.filter(month__gte=date(2025, 6, 1)).count() == 0  # every outcome matured
    active = ScorecardVersion.objects.filter(status="active")
    assert active.count() == counts["scorecard_versions"]
    for version in active:
        assert version.source.startswith("history") and version.trained_by == world.user("risk_l1")
        assert version.activated_by == world.user("risk_l2")
        assert version.training_summary["rows"] == demo.HISTORY["tiny"]
    # The scored months keep the raw inputs, so the next training can use them as well.
    logged = PrescreenLog.objects.order_by("id").first()
    assert {"age", "monthly_income", "debt_to_income", "industry"} <= set(logged.inputs)
    assert len(services.history_frame()) == demo.HISTORY["tiny"] + counts["prescreen_history"]
