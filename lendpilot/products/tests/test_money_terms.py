"""The product's money terms (issue 15): penalty multiplier, allocation order, business-day roll and
settlement fee are checked by field, and every change of one of them starts a new terms version."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from lendpilot.products.services import product_update
from lendpilot.testing import clear_product_terms


def test_defaults_are_the_bank_conventions(world):
    product = world.products["credit"]
    assert (product.penalty_multiplier, product.allocation_order, product.roll_business_days,
            product.settlement_fee_rate, product.terms_version) == (
        Decimal("1.500"), "penalty,interest,principal", True, Decimal("0"), 1)


def test_a_change_of_a_money_term_starts_a_new_version_other_changes_do_not(world):
    product = product_update(actor=None, product=world.products["credit"], description="new text")
    assert product.terms_version == 1
    product = product_update(actor=None, product=product, penalty_multiplier=Decimal("1.3"))
    assert product.terms_version == 2
    product = product_update(actor=None, product=product, allocation_order="interest,penalty,principal",
                             settlement_fee_rate=Decimal("0.01"))
    assert product.terms_version == 3
    product = product_update(actor=None, product=product, settlement_fee_rate=Decimal("0.01"))
    assert product.terms_version == 3  # the same value again is no change


@pytest.mark.parametrize(("changes", "field"), [
    ({"penalty_multiplier": Decimal("1.6")}, "penalty_multiplier"),
    ({"penalty_multiplier": Decimal("0.9")}, "penalty_multiplier"),
    ({"allocation_order": "penalty,interest"}, "allocation_order"),
    ({"allocation_order": "penalty,penalty,principal"}, "allocation_order"),
    ({"settlement_fee_rate": Decimal("0.06")}, "settlement_fee_rate"),
    ({"settlement_fee_rate": "abc"}, "settlement_fee_rate"),
    ({"roll_business_days": "yes"}, "roll_business_days"),
])
def test_bad_money_terms_are_named(world, changes, field):
    with pytest.raises(ValidationError) as exc:
        product_update(actor=None, product=world.products["credit"], **changes)
    assert field in exc.value.message_dict
    world.products["credit"].refresh_from_db()
    assert world.products["credit"].terms_version == 1


def test_terms_through_the_api(world, client):
    client.force_login(world.user("director"))
    product = world.products["credit"]
    clear_product_terms(world, product, penalty_multiplier=Decimal("1.4"))
    answer = client.patch(f"/api/v1/products/{product.pk}", {"penalty_multiplier": "1.4"},
                          content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["terms_version"] == 2 and Decimal(answer.json()["penalty_multiplier"]) == Decimal("1.4")
    bad = client.patch(f"/api/v1/products/{product.pk}", {"allocation_order": "fee,interest"},
                       content_type="application/json")
    assert bad.status_code == 422 and "allocation_order" in bad.content.decode()
