"""A crisis incident is worked by a task force (legal, PR, risk, operations) through the seven steps of the
reputation-risk rules; statements and compensation are approved by someone other than who drafted or
proposed them; the incident closes only when every step is done; drills run the same way; the incident page
shows the seven steps with their state; the API mirrors the page."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import translation

from lendpilot.service import services
from lendpilot.service.models import CompensationCase, Incident, IncidentStep, Statement
from lendpilot.testing import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_service_messages():
    """The rules' refusals are matched in English; the zh-Hans catalogue translates them for users."""
    with translation.override("en"):
        yield
API = "/api/v1/service"
DAY = date(2026, 3, 10)


@pytest.fixture
def world():
    return build_world()


def client_for(world, key) -> Client:
    c = Client()
    c.force_login(world.user(key))
    return c


def _open(world, **kwargs) -> Incident:
    return services.incident_open(actor=world.user("operations"), title="催收舆情", summary="外包机构联系家属",
                                  topic="collection", today=DAY, **kwargs)


def _staff_the_task_force(world, incident):
    for function, key in (("legal", "compliance"), ("pr", "operations"), ("risk", "risk_l1"),
                          ("operations", "operations")):
        services.incident_member_add(actor=world.user("director"), incident=incident, staff=world.staff[key],
                                     function=function, today=DAY)


def test_an_incident_is_worked_through_the_seven_steps_and_closed(world):
    ops, director = world.user("operations"), world.user("director")
    incident = _open(world)
    holding = incident.statements.get()
    assert holding.kind == "holding" and holding.status == "draft" and holding.drafted_by == ops
    with pytest.raises(ValidationError, match="task force"):
        services.incident_step_done(actor=ops, incident=incident, step="respond", note="发布声明", today=DAY)
    _staff_the_task_force(world, incident)
    with pytest.raises(ValidationError, match="approved statement"):
        services.incident_step_done(actor=ops, incident=incident, step="respond", note="发布声明", today=DAY)
    with pytest.raises(PermissionDenied):  # the maker is not the checker
        services.statement_check(actor=ops, statement=holding, approve=True, today=DAY)
    services.statement_check(actor=director, statement=holding, approve=True, today=DAY)
    for step in ("assess", "monitor", "respond", "report", "account"):
        services.incident_step_done(actor=ops, incident=incident, step=step, note=f"{step} 完成", today=DAY)
    with pytest.raises(ValidationError, match="steps not done"):
        services.incident_close(actor=director, incident=incident, today=DAY)
    services.incident_grade(actor=ops, incident=incident, grade="major", today=DAY)
    case = services.compensation_propose(actor=ops, incident=incident, customer=world.customers["am_wang_person"],
                                         amount=Decimal("300.00"), reason="减免利息", today=DAY)
    services.incident_review(actor=ops, incident=incident, findings="外包质检缺失", improvements="全量录音质检",
                             today=DAY)
    with pytest.raises(ValidationError, match="awaits"):
        services.incident_close(actor=director, incident=incident, today=DAY)
    with pytest.raises(PermissionDenied):
        services.compensation_check(actor=ops, case=case, approve=True, today=DAY)
    services.compensation_check(actor=director, case=case, approve=True, today=DAY)
    closed = services.incident_close(actor=director, incident=incident, today=DAY)
    assert closed.status == "closed" and closed.grade == "major"
    assert set(IncidentStep.objects.filter(incident=incident).values_list("step", flat=True)) == set(
        IncidentStep.Step.values)
    assert CompensationCase.objects.get().status == "approved"
    assert incident.timeline.count() >= 12
    with pytest.raises(ValidationError, match="closed"):
        services.incident_note(actor=ops, incident=incident, text="再补一句", today=DAY)


def test_statement_versions_are_numbered_and_a_rejection_needs_a_reason(world):
    incident = _open(world)
    first = services.statement_draft(actor=world.user("operations"), incident=incident, kind="full", text="初稿",
                                     today=DAY)
    with pytest.raises(ValidationError, match="rejected"):
        services.statement_check(actor=world.user("director"), statement=first, approve=False, today=DAY)
    services.statement_check(actor=world.user("director"), statement=first, approve=False, note="补充补偿方案",
                             today=DAY)
    second = services.statement_draft(actor=world.user("operations"), incident=incident, kind="full",
                                      text="第二稿", today=DAY)
    assert (first.version, second.version) == (1, 2)
    assert Statement.objects.get(pk=first.pk).status == "rejected"


def test_bad_compensation_is_refused_and_changes_nothing(world):
    incident = _open(world)
    for amount in (Decimal("0"), Decimal("-5"), Decimal("1.234"), Decimal("2000000")):
        with pytest.raises(ValidationError, match="amount"):
            services.compensation_propose(actor=world.user("operations"), incident=incident,
                                          customer=world.customers["am_wang_person"], amount=amount, reason="x",
                                          today=DAY)
    assert not CompensationCase.objects.exists()


def test_a_drill_is_recorded_as_a_drill(world):
    drill = _open(world, is_drill=True)
    assert drill.is_drill and drill.reference.startswith("YL")
    page = client_for(world, "director").get("/service/incidents/").content.decode()
    assert drill.reference in page and 'badge text-bg-info' in page


def test_the_incident_page_shows_the_seven_steps_with_their_state(world):
    incident = _open(world)
    services.incident_step_done(actor=world.user("operations"), incident=incident, step="assess", note="核实完毕",
                                today=DAY)
    ops = client_for(world, "operations")
    page = ops.get(f"/service/incidents/{incident.pk}/").content.decode()
    for step in IncidentStep.Step.values:
        assert f'data-step="{step}"' in page
    assert 'data-step="assess" data-state="done"' in page and 'data-step="monitor" data-state="next"' in page
    r = ops.post(f"/service/incidents/{incident.pk}/member/", {"function": "legal",
                                                               "staff": world.staff["compliance"].pk})
    assert r.status_code == 302 and incident.task_force.count() == 1
    r = ops.post(f"/service/incidents/{incident.pk}/compensation/", {
        "customer": world.customers["am_wang_person"].pk, "amount": "abc", "reason": "x"})
    assert r.status_code == 302 and not CompensationCase.objects.exists()


def test_the_api_mirrors_the_incident_and_scopes_it(world):
    ops = client_for(world, "operations")
    r = ops.post(f"{API}/incidents", {"title": "数据安全演练", "summary": "演练", "topic": "data_security",
                                      "is_drill": True}, content_type="application/json")
    assert r.status_code == 201 and r.json()["is_drill"] and r.json()["statements"][0]["kind"] == "holding"
    iid = r.json()["id"]
    r = ops.post(f"{API}/incidents/{iid}/actions", {"action": "grade", "grade": "severe"},
                 content_type="application/json")
    assert r.status_code == 200 and r.json()["grade"] == "severe" and r.json()["steps"][0]["step"] == "grade"
    r = ops.post(f"{API}/incidents/{iid}/actions", {"action": "grade", "grade": "apocalyptic"},
                 content_type="application/json")
    assert r.status_code == 422 and "grade" in r.content.decode()
    r = ops.post(f"{API}/incidents/{iid}/actions", {"action": "check_statement", "approve": True,
                                                    "statement_id": Statement.objects.get().pk},
                 content_type="application/json")
    assert r.status_code == 403  # operations may not approve
    # an account manager off the task force does not see the incident; on it, they do
    am = client_for(world, "am_wang")
    assert am.get(f"{API}/incidents/{iid}").status_code == 404
    services.incident_member_add(actor=world.user("director"), incident=Incident.objects.get(pk=iid),
                                 staff=world.staff["am_wang"], function="operations")
    assert am.get(f"{API}/incidents/{iid}").status_code == 200


def test_a_major_complaint_opens_a_crisis_incident_from_its_page(world):
    ops = client_for(world, "operations")
    complaint = services.complaint_receive(actor=world.user("operations"), customer=world.customers["am_wang_person"],
                                           channel="regulator", level="major", summary="监管转办：暴力催收",
                                           request="道歉", received_on=DAY)
    page = ops.get(f"/service/complaints/{complaint.pk}/").content.decode()
    assert 'id="open-incident"' in page
    r = ops.post("/service/incidents/", {"complaint": complaint.pk, "title": complaint.reference,
                                         "summary": complaint.summary, "topic": "collection"})
    incident = Incident.objects.get()
    assert r.status_code == 302 and incident.complaint == complaint and incident.origin == "complaint"
