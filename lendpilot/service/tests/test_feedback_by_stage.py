"""Complaint and survey texts along the journey stages (F6): a survey answer is placed by its comment's words,
else by what caused it; per stage the complaints, NPS and the topics per month; the stages ranked worst NPS
first and most complaints first; on a page and in the API."""

from datetime import date

import pytest
from django.test import Client

from lendpilot.service import services
from lendpilot.service.journey import stage_of
from lendpilot.service.models import Survey
from lendpilot.service.selectors import feedback_by_stage
from lendpilot.testing import build_world

pytestmark = pytest.mark.django_db
DAY = date(2026, 3, 10)


@pytest.fixture
def world():
    return build_world()


def test_texts_are_placed_on_their_journey_stage():
    assert stage_of("催收电话打到单位") == "collection"
    assert stage_of("审批材料要了好几遍") == "approval"
    assert stage_of("放款比约定晚了几天") == "disbursement"
    assert stage_of("自动扣款失败") == "repayment"
    assert stage_of("谢谢", default="disbursement") == "disbursement"


def _survey(world, ref, trigger, customer="am_wang_person"):
    c = world.customers[customer]
    return Survey.objects.create(customer=c, manager_id=c.manager_id, trigger=trigger, source_ref=ref, sent_on=DAY)


def test_worst_nps_and_most_complaints_per_stage(world):
    ops = world.user("operations")
    for n, (trigger, score, comment) in enumerate([("disbursement", 2, "放款太慢了"), ("disbursement", 3, ""),
                                                   ("annual", 10, "客服耐心专业"), ("annual", 9, "催收态度很好")]):
        survey = _survey(world, f"t:{n}", trigger)
        services.survey_answer(actor=ops, survey=survey, score=score, comment=comment, today=DAY)
    assert list(Survey.objects.order_by("source_ref").values_list("stage", flat=True)) == [
        "disbursement", "disbursement", "service", "collection"]
    for stage, text in (("collection", "催收电话打给家人"), ("collection", "暴力催收"), ("repayment", "重复扣款")):
        services.complaint_receive(actor=ops, customer=world.customers["am_wang_person"], channel="phone",
                                   stage=stage, summary=text, request="道歉", received_on=DAY)
    data = feedback_by_stage(world.user("director"), start=date(2026, 3, 1), end=DAY)
    assert data["worst_nps"][0]["stage"] == "disbursement" and data["worst_nps"][0]["nps"] == -100
    assert [r["stage"] for r in data["most_complaints"]] == ["collection", "repayment"]
    collection = next(r for r in data["stages"] if r["stage"] == "collection")
    assert collection["topics"]["2026-03"]["collection"] == 3  # two complaints and one comment
    # scope: an account manager of another team sees none of it
    other = feedback_by_stage(world.user("am_chen"), start=date(2026, 3, 1), end=DAY)
    assert other["most_complaints"] == [] and other["worst_nps"] == []
    c = Client()
    c.force_login(world.user("director"))
    page = c.get("/service/feedback/").content.decode()
    assert 'id="worst-nps"' in page and 'id="most-complaints"' in page
    api = c.get("/api/v1/service/feedback")
    assert api.status_code == 200 and {"stages", "worst_nps", "most_complaints"} <= set(api.json())
