"""Admission with head-office maker-checker, the published list, and the off-list refusal on every way a
partner submits (portal page, API, import): nothing is created, so no loan can exist."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from lendpilot.channels.admission import Criteria
from lendpilot.channels.models import Application, Partner
from lendpilot.channels.services import application_decide, delisting_decide, partner_apply
from lendpilot.channels.tests.builders import DOCUMENTS, STRONG, admit, without_world_partner
from lendpilot.compliance.models import AuditEvent
from lendpilot.lending.models import Loan
from lendpilot.sales.intake.files import LeadRow
from lendpilot.sales.models import Lead, Opportunity
from lendpilot.sales.services.lead_import import leads_import

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English, whatever the default language is."""
    with translation.override("en"):
        yield


def _apply(world, **overrides):
    from lendpilot.channels.tests.builders import _rng
    from lendpilot.customers.synthetic import make_credit_code

    values = {"name": "远航车贷服务有限公司", "credit_code": make_credit_code(_rng), "kind": "dealer",
              "criteria": STRONG, "documents": DOCUMENTS}
    values.update(overrides)
    return partner_apply(actor=world.user("east_head"), **values)


def test_application_is_scored_and_head_office_approval_lists_the_partner(world, client):
    without_world_partner(world)
    application = _apply(world)
    assert application.score == 100 and application.partner.status == Partner.Status.APPLYING
    with pytest.raises(PermissionDenied):  # the maker cannot check
        application_decide(actor=world.user("director"), application_id=application.pk, approve=True) \
            if application.submitted_by == world.staff["director"] else \
            application_decide(actor=world.user("east_head"), application_id=application.pk, approve=True)
    application_decide(actor=world.user("compliance"), application_id=application.pk, approve=True)
    partner = Partner.objects.get(pk=application.partner_id)
    assert partner.status == Partner.Status.ACTIVE and partner.listed_on is not None
    assert AuditEvent.objects.filter(event_code="channels.application_decided").count() == 1
    client.force_login(world.user("am_wang"))
    listed = client.get("/api/v1/channels/partners/published").json()
    assert [row["name"] for row in listed] == [partner.name]
    assert partner.name in client.get("/channels/list/").content.decode()


def test_failing_gate_or_missing_documents_cannot_be_approved(world):
    weak = _apply(world, criteria=Criteria(False, STRONG.registered_capital, 0, STRONG.complaints_per_10k, "A"))
    with pytest.raises(ValidationError):
        application_decide(actor=world.user("director"), application_id=weak.pk, approve=True)
    bare = _apply(world, name="无材料公司", documents=[("licence", "X")])
    with pytest.raises(ValidationError) as refused:
        application_decide(actor=world.user("director"), application_id=bare.pk, approve=True)
    assert "documents missing" in str(refused.value)
    assert set(Application.objects.values_list("status", flat=True)) == {"submitted"}


def test_bad_credit_code_names_the_field_and_creates_nothing(world):
    with pytest.raises(ValidationError) as refused:
        _apply(world, credit_code="91310000XXXXXXXX")
    assert "credit_code" in refused.value.message_dict
    assert not Partner.objects.filter(applications__isnull=False).exists()


def _lead_form(world):
    return {"kind": "person", "name": "下架伙伴客户", "phone": "13800138000", "industry": "F",
            "region": world.regions["east"].pk, "product": world.products["credit"].pk, "amount_wanted": "100000",
            "kind_of_submission": "lead"}


def _delist(world, partner):
    from django.utils import timezone

    from lendpilot.channels.models import Delisting

    proposal = Delisting.objects.create(partner=partner, quarter=timezone.localdate().replace(day=1),
                                        reason="test", proposed_at=timezone.now())
    delisting_decide(actor=world.user("director"), delisting_id=proposal.pk, delist=True, note="委员会决议")


def test_listed_partner_submits_and_off_list_partner_is_refused_everywhere(world, client):
    partner = admit(world, login=world.staff["partner"])
    client.force_login(world.user("partner"))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.post("/sales/partner/", _lead_form(world))
    assert Lead.objects.filter(name="下架伙伴客户").count() == 1
    _delist(world, partner)
    assert not Partner.objects.get(pk=partner.pk).is_listed
    before = Lead.objects.count()
    page = client.post("/sales/partner/", {**_lead_form(world), "phone": "13900139000"})
    assert "not on the published list" in page.content.decode()
    from lendpilot.sales.tests.test_api import lead_payload, post

    api = post(client, "/api/v1/sales/leads", lead_payload(world, name="接口线索"))
    assert api.status_code == 422 and "published list" in api.content.decode()
    with pytest.raises(ValidationError):
        leads_import(actor=world.user("partner"), rows=[LeadRow(2, {"name": "导入线索", "kind": "person",
                                                                    "phone": "13600136000"})], apply=True)
    assert Lead.objects.count() == before
    from_partner = Opportunity.objects.filter(lead__created_by=world.staff["partner"]).values("application")
    assert not Loan.objects.filter(contract__application__in=from_partner).exists()
    assert Partner.objects.get(pk=partner.pk).status == Partner.Status.DELISTED


def test_channel_manager_files_an_application_on_the_page_and_a_bad_code_is_named(world, client):
    from lendpilot.channels.tests.builders import _rng
    from lendpilot.customers.synthetic import make_credit_code

    client.force_login(world.user("east_head"))
    data = {"name": "页面伙伴", "kind": "broker", "licence_held": "on", "registered_capital": "60000000",
            "regulatory_penalties": "0", "complaints_per_10k": "1", "data_security_grade": "A",
            "documents": ["licence", "security"]}
    bad = client.post("/channels/apply/", {**data, "credit_code": "123"})
    assert bad.status_code == 200 and 'name="credit_code"' in bad.content.decode()
    assert not Partner.objects.filter(name="页面伙伴").exists()
    client.post("/channels/apply/", {**data, "credit_code": make_credit_code(_rng)})
    application = Application.objects.get(partner__name="页面伙伴")
    assert application.score == 100 and application.documents.count() == 2
    assert client.get("/channels/apply/").status_code == 200
    client.force_login(world.user("am_wang"))
    assert client.get("/channels/apply/").status_code == 403
