"""Checkpoints: the forbidden-promise scanner, the contract disclosures, and a review that cannot be skipped:
publishing needs the approval of exactly this text by a compliance officer other than the author."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from lendpilot.compliance.checkpoints import selectors, services
from lendpilot.compliance.checkpoints.checklist import CHECKLISTS, ContractFacts, contract_gaps
from lendpilot.compliance.checkpoints.promises import forbidden_promises, scan
from lendpilot.compliance.models import AuditEvent


def phrases(text: str, **kwargs) -> list[str]:
    return [f.phrase for f in scan(text, **kwargs)]


def test_the_list_is_a_maintained_data_file():
    listed = {p.phrase for p in forbidden_promises()}
    assert {"保本", "无风险", "秒批", "零利息", "不看征信"} <= listed


@pytest.mark.parametrize("text,expected", [
    ("本产品保本无忧", ["保本"]),
    ("无风险，秒批！", ["无风险", "秒批"]),
    ("不看征信，黑户可贷", ["不看征信", "黑户可贷"]),
    ("保 本 保 息", ["保本保息"]),
    ("無風險", ["无风险"]),
    ("年化利率（单利）6%起，审批以实际为准", []),
])
def test_scanner_finds_forbidden_promises(text, expected):
    assert phrases(text) == expected


def test_zero_interest_is_a_finding_only_when_fees_exist():
    assert phrases("首月零利息", has_fees=True) == ["零利息"]
    assert phrases("首月零利息", has_fees=False) == []


def test_contract_disclosures():
    good = ContractFacts(apr=Decimal("0.0435"), total_cost=Decimal("1234.56"), penalty_terms="逾期按日万分之五",
                         cooling_off_days=7, product_has_cooling_off=True, identity_verified=True)
    assert contract_gaps(good) == []
    bad = ContractFacts(apr=None, total_cost=None, penalty_terms="", cooling_off_days=None,
                        product_has_cooling_off=True, identity_verified=False)
    assert contract_gaps(bad) == ["apr", "total_cost", "penalty", "cooling_off", "identity"]


def test_publication_needs_approval_of_the_same_text_by_another_officer(world):
    text = "个人信用贷，年化利率4.35%起，费用见产品说明书。"
    review = services.checkpoint_submit(actor=world.user("director"), subject_ref="products.product:1@v2",
                                        kind="product_version", title="信用贷 v2", text=text)
    with pytest.raises(ValidationError):
        selectors.require_cleared(subject_ref="products.product:1@v2", text=text)
    with pytest.raises(PermissionDenied):
        services.checkpoint_decide(actor=world.user("director"), review=review, approve=True)
    items = [code for code, _label, _law in CHECKLISTS["product_version"]]
    with pytest.raises(ValidationError):
        services.checkpoint_decide(actor=world.user("compliance"), review=review, approve=True, checked=items[:1])
    services.checkpoint_decide(actor=world.user("compliance"), review=review, approve=True, checked=items)
    selectors.require_cleared(subject_ref="products.product:1@v2", text=text)
    assert not selectors.is_cleared(subject_ref="products.product:1@v2", text=text + "秒批")
    assert AuditEvent.objects.filter(event_code__in=["compliance.checkpoint_submitted",
                                                     "compliance.checkpoint_decided"]).count() == 2


def test_text_with_forbidden_promises_cannot_be_approved(world):
    review = services.checkpoint_submit(actor=world.user("east_head"), subject_ref="sales.playbook:3",
                                        kind="playbook_script", title="话术", text="我们秒批，不看征信")
    assert [f["phrase"] for f in review.findings] == ["秒批", "不看征信"]
    items = [code for code, _label, _law in CHECKLISTS["playbook_script"]]
    with pytest.raises(ValidationError):
        services.checkpoint_decide(actor=world.user("compliance"), review=review, approve=True, checked=items)
    with pytest.raises(ValidationError):
        services.checkpoint_decide(actor=world.user("compliance"), review=review, approve=False, note="")
    services.checkpoint_decide(actor=world.user("compliance"), review=review, approve=False, note="删除秒批和不看征信")


def test_the_checkpoint_cannot_be_skipped_through_the_api(client, world):
    client.force_login(world.user("east_head"))
    response = client.post("/api/v1/compliance/checkpoints", {
        "subject_ref": "sales.playbook:9", "kind": "objection_answer", "title": "利率异议", "text": "无风险"},
        content_type="application/json")
    assert response.status_code == 201
    review_id = response.json()["id"]
    assert client.post(f"/api/v1/compliance/checkpoints/{review_id}/decision", {"approve": True},
                       content_type="application/json").status_code == 403
    cleared = client.post("/api/v1/compliance/checkpoints/clearance",
                          {"subject_ref": "sales.playbook:9", "text": "无风险"}, content_type="application/json")
    assert cleared.json() == {"cleared": False}
    client.force_login(world.user("compliance"))
    response = client.post(f"/api/v1/compliance/checkpoints/{review_id}/decision",
                           {"approve": True, "checked": ["no_forbidden_promise", "truthful"]},
                           content_type="application/json")
    assert response.status_code == 422
    assert client.get(reverse("compliance:checkpoints")).status_code == 200
    assert client.get(reverse("compliance:checkpoint", args=[review_id])).status_code == 200
    scan_page = client.post(reverse("compliance:checkpoints"), {"text": "保本", "has_fees": "on"})
    assert "promise-findings" in scan_page.content.decode()
    client.force_login(world.user("am_wang"))
    assert client.get(reverse("compliance:checkpoints")).status_code == 403
    assert client.get(reverse("compliance:checkpoint_submit")).status_code == 200
