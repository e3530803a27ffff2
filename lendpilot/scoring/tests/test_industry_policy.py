"""Industry decisions of the risk committee become a policy version (E1, C6): admission changes the
excluded industries, premiums (bps) are priced into the pre-screen's repayment capacity."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lendpilot.compliance.models import AuditEvent
from lendpilot.products.models import Product
from lendpilot.scoring import policy, services
from lendpilot.scoring.models import PolicyVersion

APPLICANT = dict(product_code="CREDIT-01", amount="200000", term_months=36, age=40, monthly_income="30000",
                 monthly_debt_payments="1500", employment_years=12, bureau_inquiries_6m=0, bureau_overdue_24m=0,
                 region="EAST")


def test_apply_industry_changes_is_pure_and_named():
    rules = policy.validate_rules({"excluded_industries": ["K"], "industry_premium_bps": {"E": 50}})
    out = policy.apply_industry_changes(rules, [
        {"industry": "F", "admission": "tighten", "premium_bps": 120},
        {"industry": "K", "admission": "loosen", "premium_bps": 0},
        {"industry": "E", "admission": "keep", "premium_bps": 75},
    ])
    assert out["excluded_industries"] == ["F"]
    assert out["industry_premium_bps"] == {"E": 75, "F": 120}
    assert rules["excluded_industries"] == ["K"]  # the input is not changed
    with pytest.raises(policy.PolicyError) as exc:
        policy.apply_industry_changes(rules, [{"industry": "Z", "admission": "maybe", "premium_bps": -5}])
    assert set(exc.value.errors) == {"changes.0.industry", "changes.0.admission", "changes.0.premium_bps"}
    with pytest.raises(policy.PolicyError):
        policy.apply_industry_changes(rules, [])


def test_priced_rate_adds_the_premium_up_to_the_ceiling():
    rules = policy.validate_rules({"industry_premium_bps": {"E": 75}})
    assert policy.priced_rate(rules, base_rate=Decimal("0.05"), industry="E") == (Decimal("0.057500"), 75)
    assert policy.priced_rate(rules, base_rate=Decimal("0.05"), industry="C") == (Decimal("0.050000"), 0)
    assert policy.priced_rate(rules, base_rate=Decimal("0.05"), industry="E",
                              ceiling=Decimal("0.055"))[0] == Decimal("0.055000")
    with pytest.raises(policy.PolicyError):
        policy.validate_rules({"industry_premium_bps": {"E": 1.5}})


def test_publish_industry_changes_creates_a_version(world):
    first = services.policy_version_publish(actor=world.user("risk_l1"), rules={"excluded_industries": ["T"]})
    version = services.policy_publish_industry_changes(
        actor=world.user("risk_l2"), source="industry map 2026-10",
        changes=[{"industry": "E", "admission": "tighten", "premium_bps": 80},
                 {"industry": "T", "admission": "loosen", "premium_bps": 0},
                 {"industry": "C", "admission": "keep", "premium_bps": 40}])
    first.refresh_from_db()
    assert first.status == "retired" and version.status == "active" and version.number == first.number + 1
    assert version.rules["excluded_industries"] == ["E"]
    assert version.rules["industry_premium_bps"] == {"C": 40, "E": 80}
    assert version.note.startswith("industry map 2026-10")
    event = AuditEvent.objects.filter(event_code="scoring.policy_published").order_by("-seq").first()
    assert event.after["number"] == version.number


def test_bad_industry_changes_publish_nothing(world):
    services.policy_version_publish(actor=world.user("risk_l1"), rules={})
    with pytest.raises(ValidationError) as exc:
        services.policy_publish_industry_changes(actor=world.user("risk_l1"), source="x",
                                                 changes=[{"industry": "C", "admission": "widen"}])
    assert "changes.0.admission" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.policy_publish_industry_changes(actor=world.user("am_wang"), source="x",
                                                 changes=[{"industry": "C", "admission": "keep"}])
    assert PolicyVersion.objects.count() == 1


def test_prescreen_prices_the_industry_premium(world, active_version):
    product = Product.objects.get(code="CREDIT-01")
    am = world.user("am_wang")
    services.policy_version_publish(actor=world.user("risk_l1"), rules={})
    plain = services.prescreen_run(actor=am, industry="C", **APPLICANT).body
    assert plain["industry_premium_bps"] == 0
    assert Decimal(plain["priced_rate"]) == product.min_annual_rate
    services.policy_publish_industry_changes(actor=world.user("risk_l1"), source="test",
                                             changes=[{"industry": "C", "admission": "keep", "premium_bps": 300}])
    priced = services.prescreen_run(actor=am, industry="C", **APPLICANT).body
    assert priced["industry_premium_bps"] == 300
    assert Decimal(priced["priced_rate"]) == min(product.min_annual_rate + Decimal("0.03"), product.max_annual_rate)
    if Decimal(priced["priced_rate"]) > Decimal(plain["priced_rate"]):
        capacity = "repayment_capacity"
        assert Decimal(priced["amount_caps"][capacity]) < Decimal(plain["amount_caps"][capacity])
