"""In a real browser: an account manager opens the offers from the navigation, goes to the customer's 360
page, sees the live offer and the next best action, and accepts the offer there."""

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lendpilot.core.reference import ProductCategory
from lendpilot.customers.models import CustomerSignals
from lendpilot.products.models import FundingNode
from lendpilot.products.services import product_create
from lendpilot.sales.models import PreApprovedOffer
from lendpilot.sales.scenarios.services import trigger_rule_save, triggers_evaluate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_accepts_an_offer_from_the_360_page(live_world, sign_in):
    w = live_world
    leasing = product_create(actor=None, code="LEASE-T", name_zh="设备融资租赁", name_en="Equipment leasing",
                             category=ProductCategory.EQUIPMENT_LEASING, scenario=FundingNode.EQUIPMENT_PURCHASE,
                             min_amount=Decimal("500000"), max_amount=Decimal("3000000"), min_term_months=12,
                             max_term_months=60, min_annual_rate=Decimal("0.045"), max_annual_rate=Decimal("0.12"),
                             repayment_methods=["equal_instalment"], collateral="required", max_ltv=Decimal("0.8"))
    company = w.customers["am_wang_company"]
    CustomerSignals.objects.create(customer=company, as_of=timezone.localdate(), equipment_purchases_12m=1,
                                   equipment_amount_12m=Decimal("2000000"))
    trigger_rule_save(actor=w.user("director"), code="EQUIP", name="设备采购", node=FundingNode.EQUIPMENT_PURCHASE,
                      product_ids=[leasing.pk], condition="equipment_purchases_12m >= 1",
                      amount_basis="equipment_amount_12m", low_ratio="0.5", high_ratio="0.8")
    triggers_evaluate(actor=None)
    offer = PreApprovedOffer.objects.get()
    page = sign_in("am_wang")
    page.click("#nav-group-customers")  # the menu group opens its drop-down
    page.click("#nav-offers")
    page.locator(f'[data-offer="{offer.pk}"] a').first.click()
    expect(page.locator("#c360-next-action")).to_have_attribute("data-action", "call_about_offer")
    page.locator(f'#c360-offers [data-offer="{offer.pk}"] button.btn-success').click()
    expect(page.locator(f'#c360-offers [data-offer="{offer.pk}"]')).to_have_count(0)
    offer.refresh_from_db()
    assert offer.status == "accepted" and offer.opportunity_id
