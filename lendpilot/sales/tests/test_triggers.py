"""Scenario triggers (FEATURES B3, D3): a crafted world where some customers bought equipment, the
rule's band and product choice, the rate limits across runs, the outbox, the tasks and the audit."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from lendpilot.compliance.models import AuditEvent
from lendpilot.customers.models import CustomerMessage
from lendpilot.products.models import FundingNode
from lendpilot.sales.models import ManagerTask, PreApprovedOffer, TriggerRule
from lendpilot.sales.scenarios.services import trigger_rule_save, triggers_evaluate
from lendpilot.sales.tests.conftest import AS_OF, facts, signals


def equipment_rule(world, **overrides):
    data = dict(code="EQUIP", name="设备采购触发", node=FundingNode.EQUIPMENT_PURCHASE,
                product_ids=[world.products["leasing"].pk], condition="equipment_purchases_12m >= 1",
                amount_basis="equipment_amount_12m", low_ratio="0.5", high_ratio="0.8", validity_days=30,
                cooldown_days=90, max_offers=2, window_days=30)
    data.update(overrides)
    return trigger_rule_save(actor=world.user("director"), **data)


@pytest.fixture
def buyers(leasing):
    w = leasing
    signals(w.customers["am_wang_company"], equipment_purchases_12m=2, equipment_amount_12m=Decimal("2000000"))
    signals(w.customers["am_chen_company"], equipment_purchases_12m=1, equipment_amount_12m=Decimal("9000000"))
    # bought equipment but is in arrears: no pre-approval
    signals(w.customers["am_zhao_company"], equipment_purchases_12m=1, equipment_amount_12m=Decimal("2000000"))
    facts(w.customers["am_zhao_company"], max_days_past_due=12)
    # no purchase
    signals(w.customers["am_sun_company"], equipment_purchases_12m=0, equipment_amount_12m=Decimal("0"))
    return w


def test_run_offers_the_band_on_the_product_to_customers_at_the_node(buyers):
    w = buyers
    rule = equipment_rule(w)
    run = triggers_evaluate(actor=None, as_of=AS_OF)
    offers = {o.customer_id: o for o in PreApprovedOffer.objects.all()}
    assert set(offers) == {w.customers["am_wang_company"].pk, w.customers["am_chen_company"].pk}
    wang = offers[w.customers["am_wang_company"].pk]
    assert (wang.amount_low, wang.amount_high) == (Decimal("1000000"), Decimal("1600000"))
    assert wang.product_id == w.products["leasing"].pk and wang.node == FundingNode.EQUIPMENT_PURCHASE
    assert wang.valid_until == AS_OF + timedelta(days=30) and wang.rule_version == rule.version
    assert wang.manager_id == w.staff["am_wang"].pk and wang.status == "offered"
    chen = offers[w.customers["am_chen_company"].pk]
    assert (chen.amount_low, chen.amount_high) == (Decimal("3000000"), Decimal("3000000"))  # clipped at max
    assert run.offers == 2 and run.tasks == 2 and run.messages == 2
    tasks = ManagerTask.objects.filter(kind="offer")
    assert {t.owner_id for t in tasks} == {w.staff["am_wang"].pk, w.staff["am_chen"].pk}
    assert set(CustomerMessage.objects.values_list("dedup_key", flat=True)) == {f"offer:{o.pk}"
                                                                                 for o in offers.values()}
    assert AuditEvent.objects.filter(event_code="sales.offers_pushed").count() == 1
    assert AuditEvent.objects.filter(event_code="customers.messages_queued").count() == 1


def test_second_run_within_the_cooldown_creates_nothing_and_after_it_creates_again(buyers):
    w = buyers
    equipment_rule(w, cooldown_days=60, max_offers=5)
    assert triggers_evaluate(actor=None, as_of=AS_OF).offers == 2
    same_day = triggers_evaluate(actor=None, as_of=AS_OF)
    later = triggers_evaluate(actor=None, as_of=AS_OF + timedelta(days=59))
    assert (same_day.offers, same_day.tasks, same_day.messages) == (0, 0, 0)
    assert later.offers == 0
    assert PreApprovedOffer.objects.count() == 2 and CustomerMessage.objects.count() == 2
    after = triggers_evaluate(actor=None, as_of=AS_OF + timedelta(days=60))
    assert after.offers == 2 and after.messages == 2
    # the first offers ran out meanwhile
    assert PreApprovedOffer.objects.filter(status="expired").count() == 2


def test_max_offers_per_window_holds_across_rules_of_different_nodes(buyers):
    w = buyers
    signals(w.customers["am_wang_company"], equipment_purchases_12m=2, equipment_amount_12m=Decimal("2000000"),
            ecommerce_peak_ratio=2.5, tax_invoice_12m=Decimal("3000000"))
    equipment_rule(w, max_offers=1, window_days=30)
    trigger_rule_save(actor=w.user("director"), code="PEAK", name="旺季备货", node=FundingNode.PEAK_SEASON_STOCKING,
                      product_ids=[w.products["stocking"].pk], condition="ecommerce_peak_ratio >= 2",
                      amount_basis="tax_invoice_12m", low_ratio="0.1", high_ratio="0.2", max_offers=1)
    triggers_evaluate(actor=None, as_of=AS_OF)
    wang = PreApprovedOffer.objects.filter(customer=w.customers["am_wang_company"])
    assert list(wang.values_list("node", flat=True)) == [FundingNode.EQUIPMENT_PURCHASE]
    # a month later the window has room again: the stocking node is offered, the equipment node is cooling down
    triggers_evaluate(actor=None, as_of=AS_OF + timedelta(days=30))
    assert sorted(wang.values_list("node", flat=True)) == sorted([FundingNode.EQUIPMENT_PURCHASE,
                                                                   FundingNode.PEAK_SEASON_STOCKING])
    stocking = wang.get(node=FundingNode.PEAK_SEASON_STOCKING)
    assert (stocking.amount_low, stocking.amount_high) == (Decimal("300000"), Decimal("600000"))


def test_first_product_whose_range_the_band_reaches_is_offered(buyers):
    w = buyers
    signals(w.customers["am_wang_company"], equipment_purchases_12m=1, equipment_amount_12m=Decimal("500000"))
    # leasing starts at 500k; a 250k-400k band reaches only the stocking loan
    equipment_rule(w, product_ids=[w.products["leasing"].pk, w.products["stocking"].pk])
    triggers_evaluate(actor=None, as_of=AS_OF)
    offer = PreApprovedOffer.objects.get(customer=w.customers["am_wang_company"])
    assert offer.product_id == w.products["stocking"].pk
    assert (offer.amount_low, offer.amount_high) == (Decimal("250000"), Decimal("400000"))
    chen = PreApprovedOffer.objects.get(customer=w.customers["am_chen_company"])
    assert chen.product_id == w.products["leasing"].pk


def test_tag_detects_the_node(buyers):
    from lendpilot.customers.models import CustomerTag, TagDefinition

    w = buyers
    tag = TagDefinition.objects.create(code="need_expansion", name_zh="扩产需求", name_en="Expansion need",
                                       theme="needs", source="tax", rule="tax_invoice_growth >= 0.3")
    CustomerTag.objects.create(tag=tag, customer=w.customers["am_sun_company"])
    signals(w.customers["am_sun_company"], tax_invoice_12m=Decimal("8000000"))
    trigger_rule_save(actor=w.user("director"), code="EXP", name="扩产", node=FundingNode.EXPANSION,
                      product_ids=[w.products["leasing"].pk], tag_code="need_expansion",
                      amount_basis="tax_invoice_12m", low_ratio="0.1", high_ratio="0.25")
    triggers_evaluate(actor=None, as_of=AS_OF)
    offer = PreApprovedOffer.objects.get()
    assert offer.customer == w.customers["am_sun_company"] and offer.node == FundingNode.EXPANSION
    assert (offer.amount_low, offer.amount_high) == (Decimal("800000"), Decimal("2000000"))


@pytest.mark.parametrize("field,overrides", [
    ("product_ids", {"product_ids": []}),
    ("product_ids", {"product_ids": [999999]}),
    ("condition", {"condition": "equipment_purchases_12m >="}),
    ("condition", {"condition": "no_such_field > 1"}),
    ("condition", {"condition": "", "tag_code": ""}),
    ("tag_code", {"tag_code": "no_such_tag"}),
    ("node", {"node": "moon_landing"}),
    ("high_ratio", {"low_ratio": "0.8", "high_ratio": "0.5"}),
    ("low_ratio", {"low_ratio": "0"}),
    ("cooldown_days", {"cooldown_days": 0}),
    ("max_offers", {"max_offers": 99}),
    ("amount_basis", {"amount_basis": "salary"}),
])
def test_bad_rule_is_rejected_naming_the_field_and_nothing_is_saved(leasing, field, overrides):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        equipment_rule(leasing, **overrides)
    assert field in exc.value.message_dict
    assert TriggerRule.objects.count() == 0 and AuditEvent.objects.count() == before


def test_edit_raises_the_version_and_new_offers_carry_it(buyers):
    w = buyers
    rule = equipment_rule(w)
    rule = equipment_rule(w, rule=rule, high_ratio="0.6")
    assert rule.version == 2
    triggers_evaluate(actor=None, as_of=AS_OF)
    assert set(PreApprovedOffer.objects.values_list("rule_version", flat=True)) == {2}
    assert AuditEvent.objects.filter(event_code="sales.trigger_rule_saved").count() == 2


def test_a_code_cannot_be_taken_twice(buyers):
    equipment_rule(buyers)
    with pytest.raises(ValidationError) as exc:
        equipment_rule(buyers)
    assert "code" in exc.value.message_dict


def test_account_manager_cannot_write_rules_or_run_them(buyers):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        trigger_rule_save(
            actor=buyers.user("am_wang"), code="X", name="x", node="expansion",
            product_ids=[buyers.products["leasing"].pk], condition="headcount > 1", amount_basis="tax_invoice_12m",
            low_ratio="0.1", high_ratio="0.2")
    with pytest.raises(PermissionDenied):
        triggers_evaluate(actor=buyers.user("am_wang"), as_of=AS_OF)


def test_outbox_never_sends_the_same_offer_twice(buyers):
    from django.db import transaction

    from lendpilot.customers.services import customer_message_queue

    equipment_rule(buyers)
    triggers_evaluate(actor=None, as_of=AS_OF)
    offer = PreApprovedOffer.objects.first()
    with transaction.atomic():
        again = customer_message_queue(actor=None, customer=offer.customer, channel="sms", body="再发一次",
                                       purpose="preapproved_offer", dedup_key=f"offer:{offer.pk}")
    assert again is None
    assert CustomerMessage.objects.filter(dedup_key=f"offer:{offer.pk}").count() == 1
