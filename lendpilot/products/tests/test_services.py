"""Product catalogue: ranges are consistent, offers outside them are rejected by field (X1)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lendpilot.compliance.models import AuditEvent
from lendpilot.core.reference import ProductCategory, RepaymentMethod
from lendpilot.products.models import Product
from lendpilot.products.services import offer_check, product_create, product_update

VALID = dict(
    code="SC-01", name_zh="供应链金融", name_en="Supply-chain finance", category=ProductCategory.SUPPLY_CHAIN,
    min_amount=Decimal("100000"), max_amount=Decimal("5000000"), min_term_months=3, max_term_months=12,
    min_annual_rate=Decimal("0.0400"), max_annual_rate=Decimal("0.0900"),
    repayment_methods=[RepaymentMethod.BULLET, RepaymentMethod.INTEREST_FIRST],
)


@pytest.mark.parametrize(
    ("amount", "term", "method", "rate", "bad_field"),
    [
        (Decimal("9999.99"), 12, "equal_instalment", None, "amount"),
        (Decimal("500000.01"), 12, "equal_instalment", None, "amount"),
        ("abc", 12, "equal_instalment", None, "amount"),
        (Decimal("100.001"), 12, "equal_instalment", None, "amount"),
        (Decimal("50000"), 5, "equal_instalment", None, "term_months"),
        (Decimal("50000"), 37, "equal_instalment", None, "term_months"),
        (Decimal("50000"), 12, "bullet", None, "repayment_method"),
        (Decimal("50000"), 12, "weekly", None, "repayment_method"),
        (Decimal("50000"), 12, "equal_instalment", Decimal("0.0434"), "annual_rate"),
        (Decimal("50000"), 12, "equal_instalment", Decimal("0.1801"), "annual_rate"),
    ],
)
def test_offer_outside_the_product_is_rejected_naming_the_field(world, amount, term, method, rate, bad_field):
    with pytest.raises(ValidationError) as exc:
        offer_check(product=world.products["credit"], amount=amount, term_months=term, repayment_method=method,
                    annual_rate=rate)
    assert list(exc.value.message_dict) == [bad_field]


@pytest.mark.parametrize(("amount", "term"), [(Decimal("10000"), 6), (Decimal("500000"), 36)])
def test_offer_on_the_range_edges_is_accepted(world, amount, term):
    offer_check(product=world.products["credit"], amount=amount, term_months=term,
                repayment_method="equal_principal", annual_rate=Decimal("0.0435"))


def test_product_create_records_an_audit_event(world):
    product = product_create(actor=world.user("director"), **VALID, is_active=False)  # a draft (C7)
    assert product.repayment_methods == [RepaymentMethod.INTEREST_FIRST, RepaymentMethod.BULLET]
    assert AuditEvent.objects.filter(event_code="products.product_created", object_id=str(product.pk)).exists()


@pytest.mark.parametrize(
    ("override", "bad_field"),
    [
        ({"max_amount": Decimal("1")}, "max_amount"),
        ({"min_amount": Decimal("0")}, "min_amount"),
        ({"max_term_months": 1}, "max_term_months"),
        ({"max_annual_rate": Decimal("0.40")}, "max_annual_rate"),
        ({"repayment_methods": []}, "repayment_methods"),
        ({"repayment_methods": ["monthly_magic"]}, "repayment_methods"),
        ({"category": "crypto"}, "category"),
        ({"collateral": "required"}, "max_ltv"),
        ({"min_amount": "lots"}, "min_amount"),
        ({"code": "CREDIT-01"}, "code"),
    ],
)
def test_inconsistent_product_is_rejected_and_nothing_saved(world, override, bad_field):
    before = Product.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        product_create(actor=world.user("director"), **{**VALID, **override})
    assert bad_field in exc.value.message_dict
    assert (Product.objects.count(), AuditEvent.objects.count()) == before


def test_only_the_director_manages_products(world):
    with pytest.raises(PermissionDenied):
        product_create(actor=world.user("am_wang"), **VALID)
    with pytest.raises(PermissionDenied):
        product_update(actor=world.user("east_head"), product=world.products["credit"], is_active=False)


def test_update_keeps_ranges_consistent(world):
    product = world.products["credit"]
    with pytest.raises(ValidationError) as exc:
        product_update(actor=world.user("director"), product=product, min_amount=Decimal("600000"))
    assert "max_amount" in exc.value.message_dict
    product.refresh_from_db()
    assert product.min_amount == Decimal("10000")
    product_update(actor=world.user("director"), product=product, max_annual_rate=Decimal("0.2000"))
    product.refresh_from_db()
    assert product.max_annual_rate == Decimal("0.2000")
    event = AuditEvent.objects.get(event_code="products.product_updated")
    assert (event.before["max_annual_rate"], event.after["max_annual_rate"]) == ("0.180000", "0.200000")


def test_inactive_product_accepts_no_offer(world):
    product = product_update(actor=world.user("director"), product=world.products["credit"], is_active=False)
    with pytest.raises(ValidationError) as exc:
        offer_check(product=product, amount=Decimal("50000"), term_months=12, repayment_method="equal_instalment")
    assert "product" in exc.value.message_dict
