"""The partner portal: a partner submits leads and application requests, sees only its own submissions
with their progress and its fees, never the bank's screening or other customers; other roles are refused."""

import random

import pytest

from lendpilot.lending.models import Application
from lendpilot.org.roles import Role
from lendpilot.org.services import staff_create
from lendpilot.sales import services
from lendpilot.sales.models import Lead, Opportunity
from lendpilot.sales.partner.selectors import PARTNER_FEE_RATE
from lendpilot.sales.tests.factories import new_lead, submitted_application
from lendpilot.testing import PASSWORD

pytestmark = pytest.mark.django_db
_rng = random.Random(11)


def form(world, **overrides):
    from lendpilot.customers.synthetic import make_mobile

    data = {"kind": "person", "name": "伙伴客户", "phone": make_mobile(_rng), "industry": "F",
            "region": world.regions["east"].pk, "product": world.products["credit"].pk, "amount_wanted": "100000"}
    data.update(overrides)
    return data


def test_partner_submits_a_lead_and_an_application_request(world, client):
    client.force_login(world.user("partner"))
    assert client.get("/sales/partner/").status_code == 200
    client.post("/sales/partner/", form(world, name="伙伴线索", kind_of_submission="lead"))
    lead = Lead.objects.get(name="伙伴线索")
    assert lead.source == Lead.Source.CHANNEL and lead.created_by == world.staff["partner"]
    missing = client.post("/sales/partner/", form(world, name="缺期限", kind_of_submission="application"))
    assert 'data-field="term_months"' in missing.content.decode()
    assert not Lead.objects.filter(name="缺期限").exists()
    answer = client.post("/sales/partner/", form(world, name="伙伴申请", kind_of_submission="application",
                                                 term_months="12", purpose="进货"), follow=True)
    request = Lead.objects.get(name="伙伴申请")
    assert request.submission == Lead.Submission.APPLICATION and request.term_months == 12
    page = answer.content.decode()
    assert f'data-lead="{lead.pk}"' in page and f'data-lead="{request.pk}"' in page


def test_partner_sees_only_its_own_submissions_and_nothing_of_the_bank(world, client):
    other = staff_create(actor=None, username="partner_b", password=PASSWORD, name="另一伙伴", employee_no="E9001",
                         role=Role.CHANNEL_PARTNER)
    mine = new_lead(world, actor="partner", name="我的客户")
    theirs = new_lead(world, actor=None, name="别家客户")
    theirs.created_by = other
    theirs.save(update_fields=["created_by"])
    staff_lead = new_lead(world, name="银行自营客户")
    client.force_login(world.user("partner"))
    page = client.get("/sales/partner/").content.decode()
    assert f'data-lead="{mine.pk}"' in page
    assert f'data-lead="{theirs.pk}"' not in page and f'data-lead="{staff_lead.pk}"' not in page
    assert "别家客户" not in page and "银行自营客户" not in page
    assert 'data-progress="received"' in page


def test_progress_and_fee_follow_the_loan(world, client):
    lead = new_lead(world, actor="partner", name="放款客户")
    customer = world.customers["am_wang_person"]
    opp = Opportunity.objects.create(lead=lead, customer=customer, name=lead.name, owner=world.staff["am_wang"],
                                     industry="C", created_at=lead.received_at, node_entered_at=lead.received_at)
    Lead.objects.filter(pk=lead.pk).update(status=Lead.Status.CONVERTED, owner=world.staff["am_wang"])
    application = submitted_application(world, customer)
    services.opportunities_follow_loans()
    client.force_login(world.user("partner"))
    assert 'data-progress="in_review"' in client.get("/sales/partner/").content.decode()
    Application.objects.filter(pk=application.pk).update(status=Application.Status.DISBURSED)
    services.opportunities_follow_loans()
    opp.refresh_from_db()
    page = client.get("/sales/partner/").content.decode()
    assert 'data-progress="disbursed"' in page
    fee = application.amount * PARTNER_FEE_RATE
    assert f"{fee:,.2f}" in page
    assert world.staff["am_wang"].name not in page  # who works the lead is the bank's business


@pytest.mark.parametrize("user", ["am_wang", "director", "risk_l1"])
def test_staff_are_refused_the_partner_portal(world, client, user):
    client.force_login(world.user(user))
    before = Lead.objects.count()
    assert client.get("/sales/partner/").status_code == 403
    assert client.post("/sales/partner/", form(world, kind_of_submission="lead")).status_code == 403
    assert Lead.objects.count() == before


def test_partner_application_request_through_the_api_names_the_missing_term(world, client):
    from lendpilot.sales.tests.test_api import lead_payload, post

    client.force_login(world.user("partner"))
    before = Lead.objects.count()
    refused = post(client, "/api/v1/sales/leads", lead_payload(world, submission="application", purpose="进货"))
    assert refused.status_code == 422 and "term_months" in refused.content.decode()
    assert Lead.objects.count() == before
    made = post(client, "/api/v1/sales/leads", lead_payload(world, submission="application", purpose="进货",
                                                            term_months=12))
    assert made.status_code == 201
    assert Lead.objects.get(pk=made.json()["id"]).submission == Lead.Submission.APPLICATION
