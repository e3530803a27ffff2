"""Compliance checkpoint on products (C7): a terms version goes live only after a compliance officer other than the
author approved exactly its text. Drafts are saved and submitted freely; neither the API nor the pages can activate
a product, or change the reviewed text of a live one, without that approval. Rate changes (pricing) need none."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from lendpilot.compliance.checkpoints.models import CheckpointReview
from lendpilot.compliance.models import AuditEvent
from lendpilot.products.models import Product
from lendpilot.products.services import product_create, product_update, publication_ref, publication_text
from lendpilot.testing import clear_product_terms

DRAFT = {
    "code": "BIZ-09", "name_zh": "小微经营贷", "name_en": "Small business loan", "category": "business",
    "min_amount": "50000.00", "max_amount": "3000000.00", "min_term_months": 12, "max_term_months": 60,
    "min_annual_rate": "0.0385", "max_annual_rate": "0.1200", "repayment_methods": ["equal_instalment"],
    "description": "年化利率（单利）3.85%起，审批以实际为准。",
}
CHECKED = ["apr_disclosed", "fees_listed", "target_customers", "aml_cdd"]


def post(client, url, payload):
    return client.post(url, payload, content_type="application/json")


def patch(client, url, payload):
    return client.patch(url, payload, content_type="application/json")


def fields_of(response) -> set[str]:
    return {error["loc"][-1] for error in response.json()["detail"]}


def test_a_product_cannot_go_live_through_the_api_without_a_cleared_review(world, client):
    client.force_login(world.user("director"))
    refused = post(client, "/api/v1/products", {**DRAFT, "is_active": True})
    assert refused.status_code == 422 and fields_of(refused) == {"is_active"}
    assert "合规审查" in refused.json()["detail"][0]["msg"]  # the reason, in the site's language
    assert not Product.objects.filter(code="BIZ-09").exists()

    created = post(client, "/api/v1/products", DRAFT)  # a draft by default
    assert created.status_code == 201 and created.json()["is_active"] is False
    url = f"/api/v1/products/{created.json()['id']}"
    refused = patch(client, url, {"is_active": True})
    assert refused.status_code == 422 and fields_of(refused) == {"is_active"}

    review = post(client, f"{url}/review", {})
    assert review.status_code == 201 and review.json()["status"] == "pending"
    assert review.json()["subject_ref"] == "products.product:BIZ-09@v1" and review.json()["findings"] == []
    # the author cannot approve it; still refused while it waits
    assert post(client, f"/api/v1/compliance/checkpoints/{review.json()['id']}/decision",
                {"approve": True, "checked": CHECKED}).status_code == 403
    assert patch(client, url, {"is_active": True}).status_code == 422

    client.force_login(world.user("compliance"))
    decided = post(client, f"/api/v1/compliance/checkpoints/{review.json()['id']}/decision",
                   {"approve": True, "checked": CHECKED})
    assert decided.status_code == 200, decided.content
    client.force_login(world.user("director"))
    live = patch(client, url, {"is_active": True})
    assert live.status_code == 200 and live.json()["is_active"] is True

    # a live product's reviewed text cannot change without a new review; its price range can (pricing approval)
    refused = patch(client, url, {"description": "秒批，不看征信"})
    assert refused.status_code == 422 and fields_of(refused) == {"description"}
    assert Product.objects.get(code="BIZ-09").description == DRAFT["description"]
    assert patch(client, url, {"max_annual_rate": "0.1500"}).status_code == 200
    flagged = post(client, f"{url}/review", {"description": "秒批，不看征信"})
    assert flagged.status_code == 201 and [f["phrase"] for f in flagged.json()["findings"]] == ["秒批", "不看征信"]
    assert Product.objects.get(code="BIZ-09").description == DRAFT["description"]


def test_a_money_term_change_of_a_live_product_needs_its_own_review(world):
    product = world.products["credit"]
    director = world.user("director")
    with pytest.raises(ValidationError) as refused:
        product_update(actor=director, product=product, settlement_fee_rate=Decimal("0.01"))
    assert list(refused.value.message_dict) == ["settlement_fee_rate"]
    clear_product_terms(world, product, settlement_fee_rate=Decimal("0.01"))
    product = product_update(actor=director, product=product, settlement_fee_rate=Decimal("0.01"))
    assert product.terms_version == 2
    review = CheckpointReview.objects.get(subject_ref=publication_ref(product))
    assert review.status == "approved" and review.decided_by == world.user("compliance")


def test_the_system_path_records_the_review_and_refuses_forbidden_promises(world):
    product = product_create(actor=None, code="SYS-01", name_zh="系统产品", name_en="System product",
                             category="credit", min_amount=Decimal("1000"), max_amount=Decimal("2000"),
                             min_term_months=1, max_term_months=12, min_annual_rate=Decimal("0.04"),
                             max_annual_rate=Decimal("0.10"), repayment_methods=["equal_instalment"])
    review = CheckpointReview.objects.get(subject_ref=publication_ref(product))
    assert review.status == "approved" and review.text == publication_text(product) and review.decided_by is None
    assert AuditEvent.objects.filter(event_code="compliance.checkpoint_system_cleared",
                                     object_id=str(review.pk)).exists()
    with pytest.raises(ValidationError) as refused:
        product_create(actor=None, code="SYS-02", name_zh="系统产品", name_en="System product", category="credit",
                       min_amount=Decimal("1000"), max_amount=Decimal("2000"), min_term_months=1,
                       max_term_months=12, min_annual_rate=Decimal("0.04"), max_annual_rate=Decimal("0.10"),
                       repayment_methods=["equal_instalment"], description="无风险，秒批")
    assert "text" in refused.value.message_dict
    assert not Product.objects.filter(code="SYS-02").exists()


def test_the_pages_submit_a_change_and_name_the_field_until_it_is_cleared(world, client):
    client.force_login(world.user("director"))
    product = world.products["credit"]
    url = reverse("products:edit", args=[product.pk])
    form = client.get(url).context["form"]
    data = {name: form.initial[name] for name in form.fields if form.initial.get(name) is not None}
    data.update(description="年化利率（单利）4.35%起。", is_active="on", max_ltv="")
    refused = client.post(url, data)
    assert refused.status_code == 200 and "description" in refused.context["form"].errors
    product.refresh_from_db()
    assert product.description == ""
    submitted = client.post(url, {**data, "submit_review": "1"})
    assert submitted.status_code == 302
    review = CheckpointReview.objects.get(subject_ref="products.product:CREDIT-01@v1", status="pending")
    detail = client.get(reverse("products:detail", args=[product.pk]))
    assert "product-review" in detail.content.decode()
    client.force_login(world.user("compliance"))
    client.post(reverse("compliance:checkpoint", args=[review.pk]), {"approve": "1", "checked": CHECKED})
    review.refresh_from_db()
    assert review.status == "approved"
    client.force_login(world.user("director"))
    assert client.post(url, data).status_code == 302
    product.refresh_from_db()
    assert product.description == "年化利率（单利）4.35%起。"
