"""Helpers: loans written straight into the table (the lending workflow has its own tests)."""

from datetime import date
from decimal import Decimal

import pytest

from lendpilot.lending.models import Loan


def make_loan(world, *, customer="am_wang_person", product="credit", amount="100000", on=date(2026, 3, 10),
              risk_class=1) -> Loan:
    return Loan.objects.create(
        number=f"T{Loan.objects.count() + 1:06d}", borrower=world.customers[customer],
        product=world.products[product], principal=Decimal(amount), annual_rate=Decimal("0.08"), term_months=12,
        repayment_method="equal_instalment", disbursed_on=on, outstanding_principal=Decimal(amount),
        risk_class=risk_class)


@pytest.fixture(autouse=True)
def english_messages(settings):
    settings.LANGUAGE_CODE = "en"
