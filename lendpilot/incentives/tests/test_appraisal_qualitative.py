"""The appraisal's qualitative half (A7 with A4, A5, D8): training completion and drill scores pushed down by
talent, and complaints per 100 customers as service quality. Each counts with the weight the scheme gives it
and, without data, is not available: its weight goes to the other metrics."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from lendpilot.incentives import selectors
from lendpilot.incentives.appraisal import (
    Metrics,
    SchemeError,
    appraise,
    complaint_rate_of,
    drill_average_of,
    parse_scheme,
    training_completion_of,
)
from lendpilot.incentives.models import AppraisalInput
from lendpilot.incentives.services import InputRow, appraisal_inputs_set
from lendpilot.org.access import actor_of
from lendpilot.planning.services import quota_set
from lendpilot.service.models import Complaint
from lendpilot.talent import services as talent
from lendpilot.talent.models import Curriculum, DrillScenario

MARCH = date(2026, 3, 1)
QUALITATIVE = {"weights": {"attainment": "1", "training": "1", "drill": "1", "complaints": "1"}}


def test_formulas_of_the_qualitative_inputs():
    assert training_completion_of(4, 3) == Decimal("0.7500")
    assert training_completion_of(0, 0) is None and training_completion_of(None, None) is None
    assert drill_average_of(Decimal("170"), 2) == Decimal("85.0") and drill_average_of(Decimal(0), 0) is None
    # One complaint among 50 customers in a month: 2 per 100 customers; a quarter spreads it over 3 months.
    assert complaint_rate_of(1, 50, 1) == Decimal("2.0000")
    assert complaint_rate_of(3, 50, 3) == Decimal("2.0000")
    assert complaint_rate_of(0, 50, 1) == Decimal(0) and complaint_rate_of(2, 0, 1) is None
    scheme = parse_scheme(QUALITATIVE)
    s = appraise(Metrics(disbursed=Decimal(100), base_quota=Decimal(100), training_completion=Decimal("0.5"),
                         drill_score=Decimal("80"), complaint_rate=Decimal("2")), scheme)
    # Ceiling 5 per 100 customers a month: a rate of 2 scores 100 x (1 - 2/5) = 60.
    assert s.components["training"] == Decimal("50.00") and s.components["drill"] == Decimal("80.00")
    assert s.components["complaints"] == Decimal("60.00")
    assert s.score == Decimal("72.50")  # (100 + 50 + 80 + 60) / 4
    with pytest.raises(SchemeError) as exc:
        parse_scheme({"complaints_ceiling": "0"})
    assert exc.value.field == "complaints_ceiling"


def test_qualitative_inputs_not_available_re_normalise():
    scheme = parse_scheme(QUALITATIVE)
    s = appraise(Metrics(disbursed=Decimal(80), base_quota=Decimal(100), drill_score=Decimal(60)), scheme)
    assert s.missing == ["complaints", "training"]
    assert s.components["training"] is None and s.components["complaints"] is None
    assert s.score == Decimal("70.00")  # (80 + 60) / 2: the two missing weights are spread, not read as zero
    # With a weight of 0 the scheme leaves a metric out: shown, never missing, never counted.
    quiet = appraise(Metrics(disbursed=Decimal(80), base_quota=Decimal(100), drill_score=Decimal(60)),
                     parse_scheme({"weights": {"attainment": "1", "drill": "0"}}))
    assert quiet.components["drill"] == Decimal("60.00") and quiet.missing == [] and quiet.score == Decimal("80.00")


@pytest.fixture
def quota(world):
    quota_set(actor=world.user("director"), staff=world.staff["am_wang"], month=MARCH, base=Decimal("1000000"),
              sprint=Decimal(0))
    return world


def _wang(world, scheme=None, start=MARCH, months=1):
    rows = selectors.appraisal_scores(actor_of(world.user("director")), start=start, months=months, scheme=scheme)
    return next(r for r in rows if r["staff_id"] == world.staff["am_wang"].pk)


@pytest.mark.django_db
def test_a_completed_course_raises_the_appraisal(quota):
    world, d = quota, quota.user("director")
    assert "training" in _wang(world, QUALITATIVE)["missing"]
    course = talent.curriculum_create(actor=d, title="骨干定价谈判实战", layer=Curriculum.Layer.BACKBONE,
                                      topic=Curriculum.Topic.NEGOTIATION)
    enrolment = talent.enrol(actor=d, curriculum=course, staff=world.staff["am_wang"], today=date(2026, 3, 4))
    before = _wang(world, QUALITATIVE)
    assert before["components"]["training"] == Decimal("0.00") and "training" not in before["missing"]
    assert (before["courses_enrolled"], before["courses_completed"]) == (1, 0)
    talent.enrolment_complete(actor=d, enrolment_id=enrolment.pk, score=Decimal(88), today=date(2026, 3, 20))
    after = _wang(world, QUALITATIVE)
    assert after["components"]["training"] == Decimal("100.00") and after["courses_completed"] == 1
    assert after["score"] > before["score"]
    # The default plan weighs training too.
    assert "training" not in _wang(world)["missing"]
    assert AppraisalInput.objects.get(staff=world.staff["am_wang"], month=MARCH).courses_completed == 1


@pytest.mark.django_db
def test_a_drill_score_enters_the_appraisal(quota):
    world = quota
    scenario = DrillScenario.objects.create(kind="pricing_negotiation", title="应对竞品低价", brief="客户要求降价",
                                            rubric=[{"key": "open", "label": "开场", "weight": 1},
                                                    {"key": "close", "label": "成交", "weight": 1}])
    base = _wang(world, QUALITATIVE)
    assert "drill" in base["missing"]
    talent.drill_score(actor=world.user("east_a_lead"), scenario=scenario, staff=world.staff["am_wang"],
                       scores={"open": 5, "close": 5}, today=date(2026, 3, 10))
    talent.drill_score(actor=world.user("east_a_lead"), scenario=scenario, staff=world.staff["am_wang"],
                       scores={"open": 3, "close": 3}, today=date(2026, 3, 12))
    row = _wang(world, QUALITATIVE)
    assert row["drills"] == 2 and row["drill_average"] == Decimal("80.0")
    assert row["components"]["drill"] == Decimal("80.00") and row["score"] != base["score"]
    # A drill of another month does not count in March, but counts in the quarter.
    talent.drill_score(actor=world.user("east_a_lead"), scenario=scenario, staff=world.staff["am_wang"],
                       scores={"open": 1, "close": 1}, today=date(2026, 2, 10))
    assert _wang(world, QUALITATIVE)["drills"] == 2
    assert _wang(world, QUALITATIVE, start=date(2026, 1, 1), months=3)["drills"] == 3


@pytest.mark.django_db
def test_a_complaint_lowers_the_managers_service_score(world):
    wang = _wang(world)
    assert wang["customers"] == 2 and wang["complaints"] == 0
    assert wang["components"]["complaints"] == Decimal("100.00")
    Complaint.objects.create(reference="TS-0001", customer=world.customers["am_wang_person"],
                             manager=world.staff["am_wang"], channel="phone", summary="放款延迟", request="说明原因",
                             received_on=date(2026, 3, 9), due_on=date(2026, 3, 24))
    Complaint.objects.create(reference="TS-0002", customer=world.customers["am_wang_person"],
                             manager=world.staff["am_wang"], channel="app", summary="误会", request="撤回",
                             received_on=date(2026, 3, 10), due_on=date(2026, 3, 25), status="withdrawn")
    wang = _wang(world)
    # One complaint (the withdrawn one does not count) among 2 customers: 50 per 100 a month, far past the
    # ceiling of 5: the service score falls to 0.
    assert wang["complaints"] == 1 and wang["complaint_rate"] == Decimal("50.0000")
    assert wang["components"]["complaints"] == Decimal("0.00")
    zhao = next(r for r in selectors.appraisal_scores(actor_of(world.user("director")), start=MARCH)
                if r["staff_id"] == world.staff["am_zhao"].pk)
    assert zhao["components"]["complaints"] == Decimal("100.00")
    # Over a quarter the complaint weighs a third as much per month: 50 / 3 per 100, still past the ceiling.
    assert _wang(world, start=date(2026, 1, 1), months=3)["complaint_rate"] == Decimal("16.6667")


@pytest.mark.django_db
def test_inputs_are_checked_before_anything_is_written(world):
    wang = world.staff["am_wang"].pk
    for bad in ([InputRow(staff_id=wang, courses_enrolled=1, courses_completed=2)],
                [InputRow(staff_id=wang, drills=1, drill_points=Decimal(101))],
                [InputRow(staff_id=wang, courses_enrolled=-1)],
                [InputRow(staff_id=wang, drills=1, drill_points=Decimal(50)), InputRow(staff_id=wang, drills=1)],
                [InputRow(staff_id=99_999_999, drills=1, drill_points=Decimal(50))]):
        with pytest.raises(ValidationError) as exc:
            appraisal_inputs_set(actor=None, month=MARCH, rows=bad)
        assert "rows" in exc.value.error_dict
    assert not AppraisalInput.objects.exists()
    assert appraisal_inputs_set(actor=None, month=date(2026, 3, 17),
                                rows=[InputRow(staff_id=wang, courses_enrolled=2, courses_completed=1)]) == 1
    # A rewrite replaces the month; all zeros remove it.
    assert appraisal_inputs_set(actor=None, month=MARCH, rows=[InputRow(staff_id=wang)]) == 0
    assert not AppraisalInput.objects.exists()


@pytest.mark.django_db
def test_page_and_api_show_the_new_inputs(quota):
    world, d = quota, quota.user("director")
    course = talent.curriculum_create(actor=d, title="新员工合规与反洗钱", layer="new_hire", topic="compliance_risk")
    talent.enrol(actor=d, curriculum=course, staff=world.staff["am_wang"], today=date(2026, 3, 4))
    c = Client()
    c.force_login(d)
    page = c.get("/incentives/honours/?month=2026-03").content.decode()
    assert "Training completion" in page and "Role-play drills" in page and "Service quality (complaints)" in page
    assert 'id="appraisal-weights"' in page
    assert 'data-metric="training"' in page and "(0/1)" in page
    drill_cell = page.split('data-metric="drill"', 1)[1].split("</td>", 1)[0]
    assert "not available" in drill_cell
    rows = c.get("/api/v1/incentives/appraisal", {"start": "2026-03-01"}).json()
    wang = next(r for r in rows if r["staff_id"] == world.staff["am_wang"].pk)
    assert wang["courses_enrolled"] == 1 and wang["components"]["training"] == "0.00"
    assert wang["customers"] == 2 and wang["complaints"] == 0 and wang["drill_average"] is None
    assert "drill" in wang["missing"]
