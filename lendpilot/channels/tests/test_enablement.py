"""Enablement (E5): a partner whose staff lack the compliance course cannot submit (page, API, import); a login
linked to no partner is always refused; toolkits reach partners only once compliance approved their text, and
every download is logged; the channel manager's and the partner's pages and the API."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from lendpilot.channels.models import Completion, Download, Partner, PartnerStaff, Toolkit
from lendpilot.channels.services import (
    course_result_record,
    ensure_partner_may_submit,
    partner_staff_add,
    toolkit_create,
    toolkit_download,
    toolkit_publish,
    toolkit_submit,
)
from lendpilot.channels.tests.builders import compliance_course
from lendpilot.compliance.checkpoints.checklist import CHECKLISTS
from lendpilot.compliance.checkpoints.services import checkpoint_decide
from lendpilot.sales.intake.files import LeadRow
from lendpilot.sales.models import Lead
from lendpilot.sales.services.lead_import import leads_import
from lendpilot.sales.tests.test_api import lead_payload, post

pytestmark = pytest.mark.django_db
TEXT = ("「安居经营贷」由本行发放并审批，华信助贷科技有限公司仅负责产品推介与资料收集。年化利率（APR）6.5%起，"
        "具体以合同为准；除利息外不收取其他费用。")


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English, whatever the default language is."""
    with translation.override("en"):
        yield


def _lead_form(world, phone):
    return {"kind": "person", "name": "培训线索", "phone": phone, "industry": "F", "region": world.regions["east"].pk,
            "product": world.products["credit"].pk, "amount_wanted": "100000", "kind_of_submission": "lead"}


def test_partner_whose_staff_lack_the_compliance_course_cannot_submit_anywhere(world, client):
    partner = Partner.objects.get(login=world.staff["partner"])
    ensure_partner_may_submit(staff=world.staff["partner"])  # the world's partner is listed and trained
    newcomer = partner_staff_add(actor=world.user("partner"), partner_id=partner.pk, name="新员工",
                                 employee_ref="P-0002")
    client.force_login(world.user("partner"))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    before = Lead.objects.count()
    page = client.post("/sales/partner/", _lead_form(world, "13800138001"))
    assert "compliance course" in page.content.decode() and "新员工" in page.content.decode()
    api = post(client, "/api/v1/sales/leads", lead_payload(world, name="接口线索"))
    assert api.status_code == 422 and "compliance course" in api.content.decode()
    with pytest.raises(ValidationError) as refused:
        leads_import(actor=world.user("partner"), rows=[LeadRow(2, {"name": "导入线索", "kind": "person",
                                                                    "phone": "13600136001"})], apply=True)
    assert "compliance course" in str(refused.value)
    course = compliance_course(world)
    failed = course_result_record(actor=world.user("east_head"), staff_id=newcomer.pk, course_id=course.pk,
                                  score=course.pass_score - 1)
    assert not failed.passed
    with pytest.raises(ValidationError):
        ensure_partner_may_submit(staff=world.staff["partner"])
    assert Lead.objects.count() == before
    course_result_record(actor=world.user("east_head"), staff_id=newcomer.pk, course_id=course.pk,
                         score=course.pass_score)
    client.post("/sales/partner/", _lead_form(world, "13800138002"))
    assert Lead.objects.count() == before + 1


def test_a_partner_with_no_staff_and_a_login_of_no_partner_are_refused(world):
    partner = Partner.objects.get(login=world.staff["partner"])
    PartnerStaff.objects.filter(partner=partner).update(active=False)
    with pytest.raises(ValidationError) as refused:
        ensure_partner_may_submit(staff=world.staff["partner"])
    assert "no staff" in str(refused.value)
    Partner.objects.filter(pk=partner.pk).update(login=None)
    with pytest.raises(ValidationError) as refused:
        ensure_partner_may_submit(staff=world.staff["partner"])
    assert "no admitted partner" in str(refused.value)


def test_a_result_names_bad_input_and_only_the_channel_manager_records_it(world):
    member = PartnerStaff.objects.get(partner__login=world.staff["partner"])
    course = compliance_course(world)
    with pytest.raises(ValidationError) as refused:
        course_result_record(actor=world.user("east_head"), staff_id=member.pk, course_id=course.pk, score=101)
    assert "score" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        course_result_record(actor=world.user("partner"), staff_id=member.pk, course_id=course.pk, score=90)
    with pytest.raises(PermissionDenied):  # a partner keeps only its own roster
        other = Partner.objects.create(name="他人", credit_code="91310000MA1FL00000", kind="broker", status="active")
        partner_staff_add(actor=world.user("partner"), partner_id=other.pk, name="x", employee_ref="1")
    assert Completion.objects.get(staff=member).score == 90  # the world's result, untouched


def test_toolkit_is_published_only_after_compliance_approval_and_downloads_are_logged(world, client):
    toolkit = toolkit_create(actor=world.user("east_head"), title="安居经营贷推介手册", text=TEXT)
    with pytest.raises(ValidationError) as refused:
        toolkit_publish(actor=world.user("east_head"), toolkit_id=toolkit.pk)
    assert "compliance" in refused.value.message_dict
    client.force_login(world.user("partner"))
    assert client.get("/api/v1/channels/toolkits").json() == []  # drafts are not the partner's to see
    with pytest.raises(ValidationError):
        toolkit_download(actor=world.user("partner"), toolkit_id=toolkit.pk)
    review = toolkit_submit(actor=world.user("east_head"), toolkit_id=toolkit.pk)
    assert review.findings == []
    checkpoint_decide(actor=world.user("compliance"), review=review, approve=True,
                      checked=[code for code, _label, _law in CHECKLISTS["partner_toolkit"]])
    toolkit_publish(actor=world.user("east_head"), toolkit_id=toolkit.pk)
    assert Toolkit.objects.get(pk=toolkit.pk).status == Toolkit.Status.PUBLISHED
    assert [t["title"] for t in client.get("/api/v1/channels/toolkits").json()] == ["安居经营贷推介手册"]
    page = client.post(f"/channels/toolkits/{toolkit.pk}/download/")
    assert page.status_code == 200 and page["Content-Disposition"].startswith("attachment")
    assert TEXT in page.content.decode()
    api = client.post(f"/api/v1/channels/toolkits/{toolkit.pk}/download")
    assert api.status_code == 200 and api.json()["text"] == TEXT
    assert Download.objects.filter(toolkit=toolkit, partner__login=world.staff["partner"]).count() == 2
    assert len(client.get("/api/v1/channels/downloads").json()) == 2
    client.force_login(world.user("east_head"))
    manager = client.get("/channels/enablement/").content.decode()
    assert "安居经营贷推介手册" in manager and 'id="downloads"' in manager
    assert client.post(f"/api/v1/channels/toolkits/{toolkit.pk}/download").status_code == 403  # partners only


def test_enablement_pages_and_api_for_the_manager_and_the_partner(world, client):
    partner = Partner.objects.get(login=world.staff["partner"])
    client.force_login(world.user("east_head"))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert client.get("/channels/").content.decode().count("/channels/enablement/") == 1
    bad = client.post("/channels/enablement/", {"form": "course", "course-code": "SAL-1", "course-title": "顾问式销售",
                                                "course-kind": "sales", "course-pass_score": "0"})
    assert bad.status_code == 200 and "is-invalid" in bad.content.decode()
    client.post("/channels/enablement/", {"form": "course", "course-code": "SAL-1", "course-title": "顾问式销售",
                                          "course-kind": "sales", "course-pass_score": "70"})
    courses = client.get("/api/v1/channels/courses").json()
    assert {c["code"] for c in courses} == {"CMP-101", "SAL-1"}
    overview = client.get("/api/v1/channels/enablement").json()
    assert overview == [{"partner_id": partner.pk, "name": partner.name, "staff": 1, "trained": 1,
                         "may_submit": True, "refusal": ""}]
    added = post(client, f"/api/v1/channels/partners/{partner.pk}/staff", {"name": "赵六", "employee_ref": "P-0009"})
    assert added.status_code == 200 and added.json()["compliance_passed"] is False
    assert client.get("/api/v1/channels/enablement").json()[0]["may_submit"] is False
    assert post(client, "/api/v1/channels/results", {"staff_id": added.json()["id"], "course_id": courses[0]["id"],
                                                     "score": 500}).status_code == 422
    client.force_login(world.user("partner"))
    mine = client.get("/channels/mine/enablement/").content.decode()
    assert "赵六" in mine and 'id="refusal"' in mine and "compliance course" in mine
    assert "/channels/mine/enablement/" in client.get("/channels/mine/").content.decode()
    assert len(client.get("/api/v1/channels/mine/staff").json()) == 2
    assert client.get("/channels/enablement/").status_code == 403
    client.force_login(world.user("am_wang"))
    assert client.get("/channels/mine/enablement/").status_code == 403
    assert client.get("/api/v1/channels/enablement").status_code == 403
