"""Whether an offer (amount, term, repayment method, rate) fits a product (FEATURES X1). Pure: works on
the product's limits, returns the problems per field so a form or the API can name them."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from lendpilot.core.reference import RepaymentMethod


@dataclass(frozen=True)
class ProductLimits:
    min_amount: Decimal
    max_amount: Decimal
    min_term_months: int
    max_term_months: int
    min_annual_rate: Decimal
    max_annual_rate: Decimal
    repayment_methods: tuple[str, ...]
    is_active: bool = True


def offer_problems(limits: ProductLimits, *, amount, term_months, repayment_method: str,
                   annual_rate=None) -> dict[str, str]:
    """Field -> reason for every way the offer breaks the product's limits; empty when it fits."""
    problems: dict[str, str] = {}
    if not limits.is_active:
        problems["product"] = "the product is not on sale"
    try:
        amount = Decimal(str(amount))
        if not amount.is_finite():
            raise InvalidOperation
        if amount != amount.quantize(Decimal("0.01")):
            problems["amount"] = "amount has more than two decimal places"
        elif not limits.min_amount <= amount <= limits.max_amount:
            problems["amount"] = f"amount must be between {limits.min_amount:,.2f} and {limits.max_amount:,.2f} CNY"
    except (InvalidOperation, ValueError, TypeError):
        problems["amount"] = "amount is not a number"
    if not isinstance(term_months, int) or isinstance(term_months, bool):
        problems["term_months"] = "term is a whole number of months"
    elif not limits.min_term_months <= term_months <= limits.max_term_months:
        problems["term_months"] = (f"term must be between {limits.min_term_months} and "
                                   f"{limits.max_term_months} months")
    if repayment_method not in RepaymentMethod.values:
        problems["repayment_method"] = f"unknown repayment method {repayment_method!r}"
    elif repayment_method not in limits.repayment_methods:
        problems["repayment_method"] = "this product does not allow that repayment method"
    if annual_rate is not None:
        try:
            rate = Decimal(str(annual_rate))
            if not rate.is_finite():
                raise InvalidOperation
            if not limits.min_annual_rate <= rate <= limits.max_annual_rate:
                problems["annual_rate"] = (f"annual rate must be between {limits.min_annual_rate:.4%} and "
                                           f"{limits.max_annual_rate:.4%}")
        except (InvalidOperation, ValueError, TypeError):
            problems["annual_rate"] = "annual rate is not a number"
    return problems
