"""Pages of scenario marketing and the Customer 360: the offer list is scoped to own customers, accept
and decline from the page, trigger rule create/edit with field errors, the 360 page is a 404 outside
the manager's scope and shows the portrait, offers and the next best action."""

from decimal import Decimal

import pytest
from django.utils import timezone

from lendpilot.customers.models import CustomerNeeds, CustomerTag, QuestionnaireResponse, TagDefinition
from lendpilot.products.models import FundingNode
from lendpilot.sales import services
from lendpilot.sales.models import Activity, PreApprovedOffer, TriggerRule
from lendpilot.sales.scenarios.services import trigger_rule_save, triggers_evaluate
from lendpilot.sales.tests.conftest import facts, signals, value

pytestmark = pytest.mark.django_db


@pytest.fixture
def pushed(leasing):
    w = leasing
    for key in ("am_wang_company", "am_chen_company"):
        signals(w.customers[key], equipment_purchases_12m=1, equipment_amount_12m=Decimal("2000000"))
    trigger_rule_save(actor=w.user("director"), code="EQUIP", name="设备采购", node=FundingNode.EQUIPMENT_PURCHASE,
                      product_ids=[w.products["leasing"].pk], condition="equipment_purchases_12m >= 1",
                      amount_basis="equipment_amount_12m", low_ratio="0.5", high_ratio="0.8")
    triggers_evaluate(actor=None, as_of=timezone.localdate())
    return w


def test_offer_list_shows_only_own_customers_offers(pushed, client):
    w = pushed
    mine = PreApprovedOffer.objects.get(customer=w.customers["am_wang_company"])
    other = PreApprovedOffer.objects.get(customer=w.customers["am_chen_company"])
    client.force_login(w.user("am_wang"))
    page = client.get("/sales/offers/").content.decode()
    assert f'data-offer="{mine.pk}"' in page and f'data-offer="{other.pk}"' not in page
    assert client.post(f"/sales/offers/{other.pk}/accept/").status_code == 404
    client.force_login(w.user("director"))
    page = client.get("/sales/offers/?status=offered").content.decode()
    assert f'data-offer="{mine.pk}"' in page and f'data-offer="{other.pk}"' in page


def test_accept_and_decline_from_the_page(pushed, client):
    w = pushed
    offer = PreApprovedOffer.objects.get(customer=w.customers["am_wang_company"])
    client.force_login(w.user("am_wang"))
    assert client.post(f"/sales/offers/{offer.pk}/accept/").status_code == 302
    offer.refresh_from_db()
    assert offer.status == "accepted" and offer.opportunity_id
    again = client.post(f"/sales/offers/{offer.pk}/decline/", {"reason": "x"}, follow=True)
    assert again.status_code == 200
    offer.refresh_from_db()
    assert offer.status == "accepted"
    tasks = client.get("/sales/tasks/").content.decode()
    assert "data-task=" not in tasks  # the offer's task was closed by the decision


def test_trigger_rule_pages_create_edit_and_reject(leasing, client):
    w = leasing
    client.force_login(w.user("director"))
    assert client.get("/sales/triggers/new/").status_code == 200
    data = {"code": "EQUIP", "name": "设备采购", "node": "equipment_purchase",
            "condition": "equipment_purchases_12m >= 1",
            "amount_basis": "equipment_amount_12m", "low_ratio": "0.5", "high_ratio": "0.8", "validity_days": 30,
            "cooldown_days": 90, "max_offers": 2, "window_days": 30, "channel": "sms", "active": "on"}
    refused = client.post("/sales/triggers/new/", data)  # no product chosen
    assert refused.status_code == 200 and 'data-field="product_ids"' in refused.content.decode()
    assert TriggerRule.objects.count() == 0
    bad = client.post("/sales/triggers/new/", {**data, "product_ids": [w.products["leasing"].pk],
                                               "condition": "equipment_purchases_12m >>> 1"})
    assert 'data-field="condition"' in bad.content.decode() and TriggerRule.objects.count() == 0
    ok = client.post("/sales/triggers/new/", {**data, "product_ids": [w.products["leasing"].pk]})
    assert ok.status_code == 302
    rule = TriggerRule.objects.get()
    client.post(f"/sales/triggers/{rule.pk}/", {**data, "product_ids": [w.products["leasing"].pk],
                                                 "high_ratio": "0.7"})
    rule.refresh_from_db()
    assert rule.version == 2 and rule.high_ratio == Decimal("0.7")
    listing = client.get("/sales/triggers/").content.decode()
    assert 'data-rule="EQUIP"' in listing
    assert client.post("/sales/triggers/run/").status_code == 302
    client.force_login(w.user("am_wang"))
    assert client.get("/sales/triggers/new/").status_code == 403
    assert client.post("/sales/triggers/run/").status_code == 403


def test_customer_360_is_scoped_and_shows_portrait_offer_and_next_action(pushed, client):
    w = pushed
    company = w.customers["am_wang_company"]
    facts(company, active_loans=1, loans_count=1, max_single_loan=Decimal("1200000"), credit_band="B")
    value(company, high_value=True, lifetime_value=Decimal("880000"), rfm_score=12)
    tag = TagDefinition.objects.create(code="biz_manufacturer", name_zh="制造业", name_en="Manufacturer",
                                       theme="business", source="internal", rule='industry == "C"')
    CustomerTag.objects.create(tag=tag, customer=company)
    client.force_login(w.user("am_zhao"))
    assert client.get(f"/sales/customers/{company.pk}/360/").status_code == 404
    client.force_login(w.user("am_wang"))
    page = client.get(f"/sales/customers/{company.pk}/360/").content.decode()
    offer = PreApprovedOffer.objects.get(customer=company)
    assert f'data-offer="{offer.pk}"' in page
    assert 'data-tag="biz_manufacturer"' in page and 'id="c360-high-value"' in page
    assert 'id="c360-band">B<' in page
    assert 'data-action="call_about_offer"' in page  # the live offer's task is still open
    client.force_login(w.user("east_a_lead"))
    assert client.get(f"/sales/customers/{company.pk}/360/").status_code == 200


def test_customer_360_needs_interview_then_check_in(world, client):
    w = world
    person = w.customers["am_wang_person"]
    client.force_login(w.user("am_wang"))
    page = client.get(f"/sales/customers/{person.pk}/360/").content.decode()
    assert 'id="c360-next-action" data-action="needs_interview"' in page
    from lendpilot.customers.models import Questionnaire

    q = Questionnaire.objects.create(code="needs", version=1, title="需求问卷")
    response = QuestionnaireResponse.objects.create(customer=person, questionnaire=q, answered_on=timezone.localdate(),
                                                    answers={"purpose": "working_capital"})
    CustomerNeeds.objects.create(customer=person, response=response, answered_on=timezone.localdate(),
                                 purpose="working_capital")
    opp = services.opportunity_create(actor=w.user("am_wang"), customer=person, product=w.products["credit"],
                                      amount="100000")
    services.activity_log(actor=w.user("am_wang"), opportunity=opp, kind=Activity.Kind.CALL, outcome="positive")
    page = client.get(f"/sales/customers/{person.pk}/360/").content.decode()
    assert 'data-action=""' in page  # needs on file, contacted today: nothing due
