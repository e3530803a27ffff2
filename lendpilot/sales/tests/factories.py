"""Helpers for sales tests: leads with valid synthetic identifiers, skills, a submitted application."""

import random
from decimal import Decimal

from lendpilot.customers.synthetic import make_credit_code, make_id_number, make_mobile
from lendpilot.lending.models import Application
from lendpilot.org.models import IndustryExpertise, ProductFamiliarity, SkillProfile
from lendpilot.sales.services import lead_create

_rng = random.Random(2024)


def new_lead(world, *, actor="director", region="east", **overrides):
    data = dict(kind="person", name="潜在客户", source="direct", industry="C", region=world.regions[region],
                id_number=make_id_number(_rng), phone=make_mobile(_rng), product=world.products["credit"],
                amount_wanted=Decimal("100000"))
    data.update(overrides)
    return lead_create(actor=world.user(actor) if actor else None, **data)


def enterprise_identifiers():
    return {"credit_code": make_credit_code(_rng), "phone": make_mobile(_rng)}


def skills(staff, *, industries=None, products=None, conversion="0.2"):
    for industry, level in (industries or {}).items():
        IndustryExpertise.objects.update_or_create(staff=staff, industry=industry, defaults={"level": level})
    for category, level in (products or {}).items():
        ProductFamiliarity.objects.update_or_create(staff=staff, category=category, defaults={"level": level})
    SkillProfile.objects.update_or_create(staff=staff, defaults={"existing_customer_conversion_rate":
                                                                 Decimal(conversion)})


def submitted_application(world, customer, status=Application.Status.IN_REVIEW):
    return Application.objects.create(
        number=f"AP-T-{customer.pk}-{status}", applicant=customer, product=world.products["credit"],
        amount=Decimal("100000"), term_months=12, repayment_method="equal_instalment", annual_rate=Decimal("0.08"),
        purpose="经营周转", risk_grade="B", monthly_income=Decimal("20000"), monthly_debt_payments=Decimal("0"),
        status=status, created_by=customer.manager, submitted_by=customer.manager)
