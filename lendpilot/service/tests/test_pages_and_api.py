"""The complaint desk and the satisfaction page for operations and the director; the API mirrors them.
Scope: an account manager sees only complaints about their own customers; bad input changes nothing."""

import pytest
from django.test import Client

from lendpilot.service.models import Complaint
from lendpilot.testing import build_world

pytestmark = pytest.mark.django_db
API = "/api/v1/service"


@pytest.fixture
def world():
    return build_world()


def client_for(world, key) -> Client:
    c = Client()
    c.force_login(world.user(key))
    return c


def test_operations_take_in_a_complaint_on_the_page_and_work_it(world):
    ops = client_for(world, "operations")
    customer = world.customers["am_zhao_person"]
    r = ops.post("/service/", {"customer": customer.pk, "channel": "counter", "stage": "repayment",
                               "level": "ordinary", "summary": "扣款失败", "request": "说明原因"})
    complaint = Complaint.objects.get()
    assert r.status_code == 302 and complaint.channel == "counter"
    r = ops.post(f"/service/complaints/{complaint.pk}/acknowledge/", {"staff": world.staff["east_a_lead"].pk})
    complaint.refresh_from_db()
    assert complaint.owner == world.staff["east_a_lead"] and complaint.status == "acknowledged"
    page = ops.get(f"/service/complaints/{complaint.pk}/").content.decode()
    assert complaint.reference in page and complaint.due_on.isoformat() in page
    assert ops.get("/service/").status_code == 200
    assert client_for(world, "director").get("/service/satisfaction/?dimension=manager").status_code == 200


def test_bad_intake_names_the_field_and_saves_nothing(world):
    r = client_for(world, "operations").post(f"{API}/complaints", {
        "customer_id": world.customers["am_wang_person"].pk, "channel": "fax", "summary": "x", "request": "y"},
        content_type="application/json")
    assert r.status_code == 422 and "channel" in r.content.decode()
    assert not Complaint.objects.exists()


def test_api_mirrors_the_steps_and_scope(world):
    ops = client_for(world, "operations")
    r = ops.post(f"{API}/complaints", {"customer_id": world.customers["am_wang_person"].pk, "channel": "regulator",
                                       "summary": "利率未告知", "request": "退还利息"},
                 content_type="application/json")
    assert r.status_code == 201
    cid = r.json()["id"]
    r = client_for(world, "director").post(f"{API}/complaints/{cid}/steps", {"step": "extend", "reason": "复杂"},
                                           content_type="application/json")
    assert r.status_code == 200 and r.json()["extensions"] == 1
    r = ops.post(f"{API}/complaints/{cid}/steps", {"step": "extend", "reason": "再延"},
                 content_type="application/json")
    assert r.status_code == 403
    assert client_for(world, "am_zhao").get(f"{API}/complaints/{cid}").status_code == 404
    assert client_for(world, "am_wang").get(f"{API}/complaints/{cid}").status_code == 200
    assert client_for(world, "director").get(f"{API}/cx-matrix?dimension=tier").status_code == 200


def test_account_manager_registers_a_referral_on_the_page_and_the_api_lists_it(world):
    from lendpilot.service.models import Referral
    from lendpilot.service.services import referral_code

    am = client_for(world, "am_wang")
    code = referral_code(world.customers["am_wang_company"])
    r = am.post("/service/referrals/", {"referred": world.customers["am_wang_person"].pk, "code": code})
    assert r.status_code == 302 and Referral.objects.count() == 1
    assert code in am.get("/service/referrals/").content.decode()
    assert len(am.get(f"{API}/referrals").json()["items"]) == 1
    assert client_for(world, "am_zhao").get(f"{API}/referrals").json()["items"] == []


def test_a_survey_answer_is_recorded_once_and_a_bad_score_is_refused(world):
    from datetime import date

    from lendpilot.service.models import Survey

    survey = Survey.objects.create(customer=world.customers["am_wang_person"], manager=world.staff["am_wang"],
                                   trigger="annual", source_ref="t:1", sent_on=date(2026, 3, 1))
    ops = client_for(world, "operations")
    url = f"{API}/surveys/{survey.pk}/answer"
    assert ops.post(url, {"score": 11}, content_type="application/json").status_code == 422
    assert ops.post(url, {"score": 9}, content_type="application/json").json()["score"] == 9
    assert ops.post(url, {"score": 3}, content_type="application/json").status_code == 422
    assert client_for(world, "am_zhao").post(url, {"score": 3}, content_type="application/json").status_code == 404
    assert Survey.objects.get(pk=survey.pk).score == 9
