"""The product API: catalogue reads for every role that may view products, writes for the director
only, money and rates as decimal strings, and the offer check naming each field out of bounds."""

from decimal import Decimal

import pytest
from django.test import Client

from lendpilot.compliance.models import AuditEvent
from lendpilot.products.models import Product


def login(client: Client, world, key: str) -> Client:
    client.force_login(world.user(key))
    return client


def post(client, url, payload):
    return client.post(url, payload, content_type="application/json")


def patch(client, url, payload):
    return client.patch(url, payload, content_type="application/json")


def named(response, field: str) -> bool:
    return any(error["loc"][-1] == field for error in response.json()["detail"])


NEW_PRODUCT = {
    "code": "BIZ-01", "name_zh": "小微经营贷", "name_en": "Small business loan", "category": "business",
    "min_amount": "50000.00", "max_amount": "3000000.00", "min_term_months": 12, "max_term_months": 60,
    "min_annual_rate": "0.0385", "max_annual_rate": "0.1200",
    "repayment_methods": ["equal_principal", "equal_instalment"],
}


@pytest.mark.parametrize("key", ["director", "am_wang", "compliance", "partner"])
def test_every_role_with_the_view_permission_reads_the_catalogue(world, client, key):
    login(client, world, key)
    body = client.get("/api/v1/products").json()
    assert [p["code"] for p in body["items"]] == ["CREDIT-01", "MORT-01"]
    credit = client.get(f"/api/v1/products/{world.products['credit'].pk}").json()
    assert credit["min_amount"] == "10000.00"
    assert credit["max_annual_rate"] == "0.180000"
    assert credit["repayment_methods"] == ["equal_instalment", "equal_principal"]


def test_filters_and_unknown_ids(world, client):
    login(client, world, "am_wang")
    assert [p["code"] for p in client.get("/api/v1/products", {"category": "mortgage"}).json()["items"]] == [
        "MORT-01"]
    assert client.get("/api/v1/products", {"category": "yacht"}).status_code == 422
    assert client.get("/api/v1/products/999999").status_code == 404
    assert client.get(f"/api/v1/products/{10**20}").status_code == 422
    assert client.get("/api/v1/products/-3").status_code == 422


def test_director_creates_and_updates_a_product(world, client):
    login(client, world, "director")
    audit_before = AuditEvent.objects.count()
    response = post(client, "/api/v1/products", NEW_PRODUCT)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["min_amount"] == "50000.00" and body["min_annual_rate"] == "0.038500"
    assert body["repayment_methods"] == ["equal_instalment", "equal_principal"]
    product = Product.objects.get(code="BIZ-01")
    assert product.max_amount == Decimal("3000000.00")
    response = patch(client, f"/api/v1/products/{product.pk}", {"max_annual_rate": "0.15", "is_active": False})
    assert response.status_code == 200, response.content
    assert response.json()["max_annual_rate"] == "0.150000"
    assert response.json()["is_active"] is False
    assert AuditEvent.objects.count() == audit_before + 2


@pytest.mark.parametrize("key", ["am_wang", "east_head", "risk_l3", "partner"])
def test_only_the_director_manages_products(world, client, key):
    login(client, world, key)
    product = world.products["credit"]
    audit_before = AuditEvent.objects.count()
    assert post(client, "/api/v1/products", NEW_PRODUCT).status_code == 403
    assert patch(client, f"/api/v1/products/{product.pk}", {"max_annual_rate": "0.2"}).status_code == 403
    assert patch(client, f"/api/v1/products/{product.pk}", {}).status_code == 403
    assert not Product.objects.filter(code="BIZ-01").exists()
    product.refresh_from_db()
    assert product.max_annual_rate == Decimal("0.18")
    assert AuditEvent.objects.count() == audit_before


@pytest.mark.parametrize("overrides, field", [
    ({"code": "CREDIT-01"}, "code"),
    ({"code": ""}, "code"),
    ({"category": "yacht"}, "category"),
    ({"min_amount": "0"}, "min_amount"),
    ({"min_amount": "abc"}, "min_amount"),
    ({"min_amount": "NaN"}, "min_amount"),
    ({"min_amount": "1.001"}, "min_amount"),
    ({"max_amount": "1e30"}, "max_amount"),
    ({"max_amount": "100"}, "max_amount"),
    ({"min_term_months": 0}, "min_term_months"),
    ({"max_term_months": 6}, "max_term_months"),
    ({"max_term_months": 40000}, "max_term_months"),
    ({"max_annual_rate": "0.40"}, "max_annual_rate"),
    ({"min_annual_rate": "-0.01"}, "min_annual_rate"),
    ({"repayment_methods": []}, "repayment_methods"),
    ({"repayment_methods": ["balloon"]}, 0),
    ({"collateral": "required"}, "max_ltv"),
    ({"max_ltv": "1.5"}, "max_ltv"),
    ({"name_en": "x" * 101}, "name_en"),
    ({"owner": "me"}, "owner"),
])
def test_bad_product_is_422_naming_the_field_and_writes_nothing(world, client, overrides, field):
    login(client, world, "director")
    products_before, audit_before = Product.objects.count(), AuditEvent.objects.count()
    response = post(client, "/api/v1/products", {**NEW_PRODUCT, **overrides})
    assert response.status_code == 422, response.content
    assert named(response, field), response.json()
    assert Product.objects.count() == products_before
    assert AuditEvent.objects.count() == audit_before


@pytest.mark.parametrize("payload, field", [
    ({"max_amount": "5000"}, "max_amount"),
    ({"max_annual_rate": "0.5"}, "max_annual_rate"),
    ({"code": "NEW"}, "code"),
    ({"min_term_months": None}, "min_term_months"),
    ({"repayment_methods": []}, "repayment_methods"),
])
def test_bad_update_is_422_and_changes_nothing(world, client, payload, field):
    login(client, world, "director")
    product = world.products["credit"]
    before = Product.objects.values().get(pk=product.pk)
    audit_before = AuditEvent.objects.count()
    response = patch(client, f"/api/v1/products/{product.pk}", payload)
    assert response.status_code == 422, response.content
    assert named(response, field), response.json()
    assert Product.objects.values().get(pk=product.pk) == before
    assert AuditEvent.objects.count() == audit_before


def offer_url(world, key="credit") -> str:
    return f"/api/v1/products/{world.products[key].pk}/check-offer"


def test_offer_that_fits(world, client):
    login(client, world, "am_wang")
    response = post(client, offer_url(world), {"amount": "200000.00", "term_months": 24,
                                               "repayment_method": "equal_instalment", "annual_rate": "0.0650"})
    assert response.status_code == 200, response.content
    assert response.json() == {"ok": True, "apr": "0.065000"}
    response = post(client, offer_url(world), {"amount": "10000", "term_months": 6,
                                               "repayment_method": "equal_principal"})
    assert response.json() == {"ok": True, "apr": "0.043500"}


@pytest.mark.parametrize("payload, fields", [
    ({"amount": "9999.99", "term_months": 12, "repayment_method": "equal_instalment"}, {"amount"}),
    ({"amount": "20000", "term_months": 48, "repayment_method": "equal_instalment"}, {"term_months"}),
    ({"amount": "20000", "term_months": 12, "repayment_method": "bullet"}, {"repayment_method"}),
    ({"amount": "20000", "term_months": 12, "repayment_method": "equal_instalment", "annual_rate": "0.2"},
     {"annual_rate"}),
    ({"amount": "1", "term_months": 1, "repayment_method": "interest_first", "annual_rate": "0.01"},
     {"amount", "term_months", "repayment_method", "annual_rate"}),
    ({"amount": "20000.001", "term_months": 12, "repayment_method": "equal_instalment"}, {"amount"}),
    ({"amount": "20000", "term_months": 12, "repayment_method": "balloon"}, {"repayment_method"}),
    ({"amount": "20000", "term_months": 0, "repayment_method": "equal_instalment"}, {"term_months"}),
    ({"term_months": 12, "repayment_method": "equal_instalment"}, {"amount"}),
])
def test_offer_out_of_bounds_names_each_field(world, client, payload, fields):
    login(client, world, "am_wang")
    response = post(client, offer_url(world), payload)
    assert response.status_code == 422, response.content
    assert {error["loc"][-1] for error in response.json()["detail"]} == fields


def test_offer_on_an_inactive_product(world, client):
    Product.objects.filter(pk=world.products["credit"].pk).update(is_active=False)
    login(client, world, "am_wang")
    response = post(client, offer_url(world), {"amount": "20000", "term_months": 12,
                                               "repayment_method": "equal_instalment"})
    assert response.status_code == 422
    assert named(response, "product")


def test_offer_on_an_unknown_product_is_404(world, client):
    login(client, world, "am_wang")
    response = post(client, "/api/v1/products/999999/check-offer",
                    {"amount": "20000", "term_months": 12, "repayment_method": "equal_instalment"})
    assert response.status_code == 404
