"""Hard rules and the approvable amount."""

from decimal import Decimal

import pytest

from lendpilot.scoring import policy


def test_rules_default_and_validation():
    rules = policy.validate_rules({})
    assert rules == policy.DEFAULT_RULES
    with pytest.raises(policy.PolicyError) as exc:
        policy.validate_rules({"age": {"min": 70, "max": 60}, "excluded_industries": ["Z"], "colour": 1})
    assert {"rules.age", "rules.excluded_industries", "rules.colour"} <= set(exc.value.errors)


def test_evaluate_names_every_broken_rule():
    rules = policy.validate_rules({"excluded_industries": ["K"], "regions": {"excluded": ["WEST"]}})
    declines = policy.evaluate(rules, age=17, dti=0.9, industry="K", region="WEST", bureau_overdue_24m=9,
                               bureau_inquiries_6m=20, bureau_flags=["fraud", "guarantee_default"],
                               blacklisted=["phone"])
    codes = [d.code for d in declines]
    assert codes == ["blacklist.phone", "age", "max_dti", "industry", "region", "bureau.overdue",
                     "bureau.inquiries", "bureau.fraud"]
    assert all(d.text_zh and d.text_en for d in declines)
    assert policy.evaluate(rules, age=30, dti=0.2, industry="C", region="EAST", bureau_overdue_24m=0,
                           bureau_inquiries_6m=1, bureau_flags=[], blacklisted=[]) == []


def test_annuity_principal():
    # 1,000 a month for 12 months at 12% a year (1% a month): 1000 * (1 - 1.01^-12) / 0.01 = 11,255.08
    assert policy.annuity_principal(Decimal(1000), Decimal("0.12"), 12).quantize(Decimal("0.01")) == Decimal(
        "11255.08")
    assert policy.annuity_principal(Decimal(1000), Decimal(0), 12) == Decimal(12000)
    assert policy.annuity_principal(Decimal(-5), Decimal("0.1"), 12) == 0


def test_approvable_amount_is_the_least_cap():
    rules = policy.validate_rules({"regions": {"max_amount": {"SOUTH": "150000"}}})
    amount, caps = policy.approvable_amount(
        rules, grade="B", product_max=Decimal(500000), product_min=Decimal(10000), annual_rate=Decimal("0.12"),
        term_months=36, monthly_income=Decimal(20000), monthly_debt=Decimal(3000), collateral_value=None,
        max_ltv=None, region="EAST")
    # capacity: (20000 * 0.55 - 3000) = 8000 a month for 36 months at 1% -> 240,860.20 -> 240,800
    assert caps["repayment_capacity"] == "240800"
    assert caps["grade"] == "400000"
    assert amount == Decimal("240800.00")
    south, caps = policy.approvable_amount(
        rules, grade="A", product_max=Decimal(500000), product_min=Decimal(10000), annual_rate=Decimal("0.12"),
        term_months=36, monthly_income=Decimal(20000), monthly_debt=Decimal(0), collateral_value=Decimal(100000),
        max_ltv=Decimal("0.7"), region="SOUTH")
    assert south == Decimal("70000.00") and caps["region"] == "150000"
    none, _ = policy.approvable_amount(
        rules, grade="E", product_max=Decimal(500000), product_min=Decimal(10000), annual_rate=Decimal("0.12"),
        term_months=36, monthly_income=Decimal(20000), monthly_debt=Decimal(0), collateral_value=None, max_ltv=None,
        region=None)
    assert none == 0


def test_approval_probability():
    rules = policy.validate_rules({})
    assert policy.approval_probability(rules, pd=0.15, declined=False, requested=None,
                                       approvable=Decimal(1)) == pytest.approx(0.5)
    low = policy.approval_probability(rules, pd=0.02, declined=False, requested=None, approvable=Decimal(1))
    high = policy.approval_probability(rules, pd=0.40, declined=False, requested=None, approvable=Decimal(1))
    assert low > 0.9 and high < 0.2
    assert policy.approval_probability(rules, pd=0.02, declined=True, requested=None, approvable=Decimal(1)) == 0
    half = policy.approval_probability(rules, pd=0.02, declined=False, requested=Decimal(200),
                                       approvable=Decimal(100))
    assert half == pytest.approx(low / 2, abs=1e-4)
