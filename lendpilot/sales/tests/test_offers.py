"""Pre-approved offers after the push (D3) and post-loan advisory tasks (D7): scoping, decisions, tasks."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from lendpilot.core.errors import Conflict
from lendpilot.org.access import actor_of
from lendpilot.products.models import FundingNode
from lendpilot.sales.models import ManagerTask, Opportunity, PreApprovedOffer
from lendpilot.sales.scenarios.selectors import offer_get, offers_visible, tasks_visible
from lendpilot.sales.scenarios.services import (
    advisory_tasks_generate,
    offer_accept,
    offer_decline,
    task_complete,
    trigger_rule_save,
    triggers_evaluate,
)
from lendpilot.sales.tests.conftest import AS_OF, facts, signals, value


@pytest.fixture
def pushed(leasing):
    w = leasing
    for key in ("am_wang_company", "am_zhao_company", "am_sun_company", "am_chen_company"):
        signals(w.customers[key], equipment_purchases_12m=1, equipment_amount_12m=Decimal("2000000"))
    trigger_rule_save(actor=w.user("director"), code="EQUIP", name="设备采购", node=FundingNode.EQUIPMENT_PURCHASE,
                      product_ids=[w.products["leasing"].pk], condition="equipment_purchases_12m >= 1",
                      amount_basis="equipment_amount_12m", low_ratio="0.5", high_ratio="0.8")
    triggers_evaluate(actor=None, as_of=timezone.localdate())
    return w


def _offer(w, key):
    return PreApprovedOffer.objects.get(customer=w.customers[key])


def test_manager_sees_only_own_customers_offers(pushed):
    w = pushed
    wang = actor_of(w.user("am_wang"))
    assert {o.customer_id for o in offers_visible(wang)} == {w.customers["am_wang_company"].pk}
    lead = actor_of(w.user("east_a_lead"))
    assert {o.customer_id for o in offers_visible(lead)} == {w.customers["am_wang_company"].pk,
                                                             w.customers["am_zhao_company"].pk}
    assert offers_visible(actor_of(w.user("director"))).count() == 4
    with pytest.raises(Http404):
        offer_get(wang, _offer(w, "am_chen_company").pk)
    assert {t.owner_id for t in tasks_visible(wang)} == {w.staff["am_wang"].pk}


def test_accepting_opens_an_opportunity_and_closes_the_task(pushed):
    w = pushed
    offer = offer_accept(actor=w.user("am_wang"), offer=_offer(w, "am_wang_company"), amount="1200000")
    assert offer.status == "accepted"
    opp = Opportunity.objects.get(pk=offer.opportunity_id)
    assert (opp.customer_id, opp.product_id, opp.amount, opp.owner_id) == (
        w.customers["am_wang_company"].pk, w.products["leasing"].pk, Decimal("1200000"), w.staff["am_wang"].pk)
    assert ManagerTask.objects.get(offer=offer).status == "done"
    with pytest.raises(Conflict):
        offer_decline(actor=w.user("am_wang"), offer=offer)


def test_amount_outside_the_band_is_rejected_and_nothing_changes(pushed):
    w = pushed
    offer = _offer(w, "am_wang_company")
    with pytest.raises(ValidationError) as exc:
        offer_accept(actor=w.user("am_wang"), offer=offer, amount="9000000")
    assert "amount" in exc.value.message_dict
    offer.refresh_from_db()
    assert offer.status == "offered" and Opportunity.objects.count() == 0


def test_another_managers_offer_cannot_be_decided(pushed):
    w = pushed
    with pytest.raises(PermissionDenied):
        offer_decline(actor=w.user("am_wang"), offer=_offer(w, "am_chen_company"))
    assert _offer(w, "am_chen_company").status == "offered"


def test_declining_and_ticking_off(pushed):
    w = pushed
    offer = offer_decline(actor=w.user("am_zhao"), offer=_offer(w, "am_zhao_company"), reason="暂无需求")
    assert (offer.status, offer.decline_reason) == ("declined", "暂无需求")
    task = ManagerTask.objects.get(offer=_offer(w, "am_sun_company"))
    task_complete(actor=w.user("am_sun"), task=task, note="已电话沟通")
    task.refresh_from_db()
    assert task.status == "done"
    with pytest.raises(Conflict):
        task_complete(actor=w.user("am_sun"), task=task)


def test_expired_offer_cannot_be_accepted(pushed):
    w = pushed
    offer = _offer(w, "am_wang_company")
    PreApprovedOffer.objects.filter(pk=offer.pk).update(
        valid_until=timezone.localdate() - timedelta(days=1), offered_on=timezone.localdate() - timedelta(days=10))
    with pytest.raises(Conflict):
        offer_accept(actor=w.user("am_wang"), offer=offer)


def test_advisory_tasks_for_high_value_borrowers_once_a_quarter(world):
    w = world
    rich, poor, repaid = (w.customers["am_wang_company"], w.customers["am_zhao_company"],
                          w.customers["am_chen_company"])
    for customer, high, loans in ((rich, True, 1), (poor, False, 1), (repaid, True, 0)):
        facts(customer, active_loans=loans, loans_count=1)
        value(customer, high_value=high, lifetime_value=Decimal("900000") if high else Decimal("1000"))
    assert advisory_tasks_generate(actor=None, as_of=AS_OF) == 1
    assert advisory_tasks_generate(actor=None, as_of=AS_OF + timedelta(days=20)) == 0
    task = ManagerTask.objects.get(kind="advisory")
    assert (task.customer_id, task.owner_id) == (rich.pk, w.staff["am_wang"].pk)
    assert advisory_tasks_generate(actor=None, as_of=AS_OF + timedelta(days=40)) == 1  # next quarter


def test_daily_job_pushes_offers_and_advisory_tasks_once(leasing):
    from django.conf import settings

    from lendpilot.sales.tasks import evaluate_triggers_task

    w = leasing
    assert settings.LENDPILOT_SCHEDULE["scenario_triggers"]["task"] == "lendpilot.sales.tasks.evaluate_triggers_task"
    signals(w.customers["am_wang_company"], equipment_purchases_12m=1, equipment_amount_12m=Decimal("2000000"))
    facts(w.customers["am_wang_company"], active_loans=1)
    value(w.customers["am_wang_company"], high_value=True)
    trigger_rule_save(actor=w.user("director"), code="EQUIP", name="设备采购", node=FundingNode.EQUIPMENT_PURCHASE,
                      product_ids=[w.products["leasing"].pk], condition="equipment_purchases_12m >= 1",
                      amount_basis="equipment_amount_12m", low_ratio="0.5", high_ratio="0.8")
    first = evaluate_triggers_task.call(business_date=AS_OF.isoformat())
    again = evaluate_triggers_task.call(business_date=AS_OF.isoformat())
    assert (first["offers"], first["advisory_tasks"]) == (1, 1)
    assert (again["offers"], again["advisory_tasks"], again["messages"]) == (0, 0, 0)
