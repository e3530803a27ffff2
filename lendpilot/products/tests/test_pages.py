"""Product pages: every role with products.view reads the catalogue; only products.manage edits it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from lendpilot.products.models import Product

READERS = ["director", "east_head", "am_wang", "risk_l1", "compliance", "operations", "partner"]


def product_form(**overrides):
    data = {
        "code": "EQUIP-01", "name_zh": "设备融资租赁", "name_en": "Equipment leasing",
        "category": "equipment_leasing", "min_amount": "100000", "max_amount": "5000000",
        "min_term_months": "12", "max_term_months": "60", "min_annual_rate": "4.35", "max_annual_rate": "12",
        "repayment_methods": ["equal_instalment", "equal_principal"], "collateral": "optional",
        "max_ltv": "", "description": "", "is_active": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("key", READERS)
def test_every_reader_sees_the_catalogue(client, world, key):
    client.force_login(world.user(key))
    response = client.get(reverse("products:list"))
    assert response.status_code == 200
    assert {p.pk for p in response.context["page_obj"]} == {p.pk for p in world.products.values()}
    assert client.get(reverse("products:detail", args=[world.products["credit"].pk])).status_code == 200


@pytest.mark.parametrize("key", [k for k in READERS if k != "director"])
def test_only_product_managers_may_create_or_edit(client, world, key):
    client.force_login(world.user(key))
    product = world.products["credit"]
    before = Product.objects.count()
    assert client.get(reverse("products:create")).status_code == 403
    assert client.post(reverse("products:create"), product_form()).status_code == 403
    assert client.post(reverse("products:edit", args=[product.pk]), product_form(code=product.code)).status_code == 403
    assert Product.objects.count() == before
    product.refresh_from_db()
    assert product.name_en == "Personal credit loan"


def test_unknown_product_is_404(client, world):
    client.force_login(world.user("am_wang"))
    assert client.get(reverse("products:detail", args=[999999])).status_code == 404


def test_director_creates_a_product_with_rates_in_percent(client, world):
    client.force_login(world.user("director"))
    response = client.post(reverse("products:create"), product_form(is_active=""))  # a draft until cleared (C7)
    product = Product.objects.get(code="EQUIP-01")
    assert response.status_code == 302 and response["Location"] == reverse("products:detail", args=[product.pk])
    assert (product.min_annual_rate, product.max_annual_rate) == (Decimal("0.0435"), Decimal("0.12"))
    assert product.repayment_methods == ["equal_instalment", "equal_principal"]


@pytest.mark.parametrize(("field", "overrides"), [
    ("max_annual_rate", {"max_annual_rate": "40"}),  # above the 36% ceiling
    ("max_amount", {"max_amount": "1000"}),  # below the minimum
    ("repayment_methods", {"repayment_methods": []}),
    ("max_ltv", {"collateral": "required"}),  # collateral needs a loan-to-value cap
    ("code", {"code": "CREDIT-01"}),  # already taken
    ("min_amount", {"min_amount": "lots"}),
])
def test_bad_product_input_is_named_and_writes_nothing(client, world, field, overrides):
    client.force_login(world.user("director"))
    before = Product.objects.count()
    response = client.post(reverse("products:create"), product_form(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Product.objects.count() == before


def test_director_edits_a_product_but_not_its_code(client, world):
    client.force_login(world.user("director"))
    product = world.products["credit"]
    form = client.get(reverse("products:edit", args=[product.pk])).context["form"]
    assert form.initial["min_annual_rate"] == "4.35" and form.fields["code"].disabled
    data = {name: form.initial[name] for name in form.fields if form.initial.get(name) is not None}
    data.update(code="HACKED", max_annual_rate="15", is_active="on", max_ltv="")
    response = client.post(reverse("products:edit", args=[product.pk]), data)
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.code, product.max_annual_rate) == ("CREDIT-01", Decimal("0.15"))
