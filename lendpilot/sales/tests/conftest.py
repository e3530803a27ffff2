"""Fixtures of the scenario trigger tests: scenario products and portrait rows written directly, the way
the customers' set-based refreshes would leave them."""

from datetime import date
from decimal import Decimal

import pytest

from lendpilot.core.reference import ProductCategory, RepaymentMethod
from lendpilot.customers.models import CustomerFacts, CustomerSignals, CustomerValue
from lendpilot.products.models import FundingNode
from lendpilot.products.services import product_create

AS_OF = date(2026, 3, 2)


def signals(customer, **values):
    row, _ = CustomerSignals.objects.update_or_create(customer=customer, defaults={"as_of": AS_OF, **values})
    return row


def facts(customer, **values):
    row, _ = CustomerFacts.objects.update_or_create(customer=customer, defaults={"as_of": AS_OF, **values})
    return row


def value(customer, **values):
    row, _ = CustomerValue.objects.update_or_create(customer=customer, defaults={"computed_on": AS_OF, **values})
    return row


@pytest.fixture
def leasing(world):
    world.products["leasing"] = product_create(
        actor=None, code="LEASE-T", name_zh="设备融资租赁", name_en="Equipment finance leasing",
        category=ProductCategory.EQUIPMENT_LEASING, scenario=FundingNode.EQUIPMENT_PURCHASE,
        min_amount=Decimal("500000"), max_amount=Decimal("3000000"), min_term_months=12, max_term_months=60,
        min_annual_rate=Decimal("0.045"), max_annual_rate=Decimal("0.12"),
        repayment_methods=[RepaymentMethod.EQUAL_INSTALMENT], collateral="required", max_ltv=Decimal("0.8"))
    world.products["stocking"] = product_create(
        actor=None, code="STOCK-T", name_zh="旺季备货贷", name_en="Peak-season stocking loan",
        category=ProductCategory.BUSINESS, scenario=FundingNode.PEAK_SEASON_STOCKING,
        min_amount=Decimal("100000"), max_amount=Decimal("1000000"), min_term_months=3, max_term_months=12,
        min_annual_rate=Decimal("0.038"), max_annual_rate=Decimal("0.10"),
        repayment_methods=[RepaymentMethod.INTEREST_FIRST])
    return world
