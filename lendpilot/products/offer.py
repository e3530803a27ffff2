"""Whether an offer (amount, term, repayment method, rate) fits a product (FEATURES X1). Pure: works on
the product's limits, returns the problems per field so a form or the API can name them."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

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


def offer_problems(
    limits: ProductLimits, *, amount: object, term_months: object, repayment_method: str, annual_rate: object = None
) -> dict[str, str]:
    """Field -> reason for every way the offer breaks the product's limits; empty when it fits."""
    problems: dict[str, str] = {}
    if not limits.is_active:
        problems["product"] = _("the product is not on sale")
    try:
        amount = Decimal(str(amount))
        if not amount.is_finite():
            raise InvalidOperation
        if amount != amount.quantize(Decimal("0.01")):
            problems["amount"] = _("amount has more than two decimal places")
        elif not limits.min_amount <= amount <= limits.max_amount:
            problems["amount"] = _("amount must be between %(low)s and %(high)s CNY") % {
                "low": format(limits.min_amount, ",.2f"),
                "high": format(limits.max_amount, ",.2f"),
            }
    except (InvalidOperation, ValueError, TypeError):
        problems["amount"] = _("amount is not a number")
    if not isinstance(term_months, int) or isinstance(term_months, bool):
        problems["term_months"] = _("term is a whole number of months")
    elif not limits.min_term_months <= term_months <= limits.max_term_months:
        problems["term_months"] = _("term must be between %(low)s and %(high)s months") % {
            "low": limits.min_term_months,
            "high": limits.max_term_months,
        }
    if repayment_method not in RepaymentMethod.values:
        problems["repayment_method"] = _("unknown repayment method %(repayment_method)s") % {
            "repayment_method": repayment_method
        }
    elif repayment_method not in limits.repayment_methods:
        problems["repayment_method"] = _("this product does not allow that repayment method")
    if annual_rate is not None:
        try:
            rate = Decimal(str(annual_rate))
            if not rate.is_finite():
                raise InvalidOperation
            if not limits.min_annual_rate <= rate <= limits.max_annual_rate:
                problems["annual_rate"] = _("annual rate must be between %(low)s and %(high)s") % {
                    "low": format(limits.min_annual_rate, ".4%"),
                    "high": format(limits.max_annual_rate, ".4%"),
                }
        except (InvalidOperation, ValueError, TypeError):
            problems["annual_rate"] = _("annual rate is not a number")
    return problems
