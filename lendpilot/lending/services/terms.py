"""The terms of a case as entered: amounts and rates read from input, the product's offer limits,
and the ratios a reviewer weighs (debt-to-income, loan-to-value)."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.core.field_values import read_decimal, read_money
from lendpilot.lending.models import Application
from lendpilot.lending.schedule import build_schedule
from lendpilot.products.services import offer_check

# The grade, score and route are the engine's and the matrix's: never edited by a client.
EDITABLE_APPLICATION_FIELDS = {"amount", "term_months", "repayment_method", "annual_rate", "fee_amount", "purpose",
                               "monthly_income", "monthly_debt_payments"}
MAX_ANNUAL_RATE = Decimal("0.36")
MONEY_TERMS = ("amount", "monthly_income", "monthly_debt_payments", "fee_amount")


def read_rate(value: object, field: str, errors: dict[str, str]) -> Decimal | None:
    """An annual rate as a fraction (0.0435), at most the legal ceiling of 36 per cent."""
    rate = read_decimal(value, field=field, errors=errors, required=True)
    if rate is None:
        return None
    if not Decimal(0) <= rate <= MAX_ANNUAL_RATE:
        errors[field] = _("annual rate is a fraction between 0 and 0.36")
        return None
    return rate.quantize(Decimal("0.000001"))


def validated_terms(data: dict[str, Any]) -> dict[str, Any]:
    """The terms in `data` read and checked; one ValidationError naming every bad field."""
    errors: dict[str, str] = {}
    clean = dict(data)
    for field in MONEY_TERMS:
        if field in data:
            clean[field] = read_money(data[field], field=field, errors=errors, required=True,
                                      positive=field == "amount")
    if "annual_rate" in data:
        clean["annual_rate"] = read_rate(data["annual_rate"], "annual_rate", errors)
    if "purpose" in data and not str(data["purpose"] or "").strip():
        errors["purpose"] = _("state the purpose of the loan")
    if "term_months" in data and (not isinstance(data["term_months"], int) or isinstance(data["term_months"], bool)):
        errors["term_months"] = _("term is a whole number of months")
    if errors:
        raise ValidationError(errors)
    return clean


def check_offer(application: Application) -> None:
    offer_check(product=application.product, amount=application.amount, term_months=application.term_months,
                repayment_method=application.repayment_method, annual_rate=application.annual_rate)
    if application.fee_amount >= application.amount:
        raise ValidationError({"fee_amount": _("fees must be smaller than the amount")})


def debt_to_income(application: Application) -> Decimal | None:
    """Debt-to-income: (existing monthly debt payments + the new loan's first monthly payment) / monthly income."""
    if not application.monthly_income:
        return None
    rows = build_schedule(principal=application.amount, annual_rate=application.annual_rate,
                          periods=application.term_months, method=application.repayment_method,
                          start=timezone.localdate())
    new_payment = rows[0].payment if len(rows) > 1 else rows[0].interest / application.term_months
    value = (application.monthly_debt_payments + new_payment) / application.monthly_income
    return min(value, Decimal("999")).quantize(Decimal("0.0001"))


def loan_to_value(application: Application) -> Decimal | None:
    """Amount / total collateral valuation; None without collateral."""
    total = sum((c.valuation for c in application.collateral.all()), Decimal("0"))
    if not total:
        return None
    return (application.amount / total).quantize(Decimal("0.0001"))
