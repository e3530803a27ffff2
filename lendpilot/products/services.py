"""Product catalogue writes (FEATURES X1) and the offer check that later capabilities call."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event, snapshot
from lendpilot.core.field_values import read_decimal
from lendpilot.core.reference import ProductCategory, RepaymentMethod
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm
from lendpilot.products.models import FundingNode, Product
from lendpilot.products.offer import ProductLimits, offer_problems

EDITABLE = [
    "name_zh",
    "name_en",
    "category",
    "min_amount",
    "max_amount",
    "min_term_months",
    "max_term_months",
    "min_annual_rate",
    "max_annual_rate",
    "repayment_methods",
    "collateral",
    "max_ltv",
    "description",
    "scenario",
    "is_active",
    "penalty_multiplier",
    "allocation_order",
    "roll_business_days",
    "settlement_fee_rate",
]
# The money terms copied to each contract; changing one starts a new terms version.
MONEY_TERMS = ("penalty_multiplier", "allocation_order", "roll_business_days", "settlement_fee_rate")
ALLOCATION_COMPONENTS = ("penalty", "interest", "principal")


DECIMAL_PLACES = {
    "min_amount": Decimal("0.01"),
    "max_amount": Decimal("0.01"),
    "min_annual_rate": Decimal("0.000001"),
    "max_annual_rate": Decimal("0.000001"),
    "max_ltv": Decimal("0.0001"),
    "penalty_multiplier": Decimal("0.001"),
    "settlement_fee_rate": Decimal("0.000001"),
}


def _check_codes(data: dict, errors: dict[str, str]) -> None:
    if "category" in data and data["category"] not in ProductCategory.values:
        errors["category"] = _("unknown category %(category)s") % {"category": data["category"]}
    if data.get("scenario") and data["scenario"] not in FundingNode.values:
        errors["scenario"] = _("unknown scenario %(scenario)s") % {"scenario": data["scenario"]}
    if "collateral" in data and data["collateral"] not in Product.Collateral.values:
        errors["collateral"] = _("unknown collateral requirement %(collateral)s") % {"collateral": data["collateral"]}


def _clean_numbers(data: dict, clean: dict, errors: dict[str, str]) -> None:
    for field, places in DECIMAL_PLACES.items():
        if data.get(field) is not None:
            number = read_decimal(data[field], field=field, errors=errors, required=True)
            # Stored at the column's precision, so the audit "after" equals what the database holds.
            clean[field] = number.quantize(places, rounding=ROUND_HALF_UP) if number is not None else None
    for field in ("min_term_months", "max_term_months"):
        if field in data and (not isinstance(data[field], int) or data[field] < 1):
            errors[field] = _("term is a whole number of months, at least 1")
    if "roll_business_days" in data and not isinstance(data["roll_business_days"], bool):
        errors["roll_business_days"] = _("yes or no")


def _clean_allocation_order(data: dict, clean: dict, errors: dict[str, str]) -> None:
    if "allocation_order" not in data:
        return
    order = data["allocation_order"]
    parts = [p.strip() for p in (order.split(",") if isinstance(order, str) else order or [])]
    if sorted(parts) != sorted(ALLOCATION_COMPONENTS):
        errors["allocation_order"] = _("the allocation order names penalty, interest and principal once each")
    else:
        clean["allocation_order"] = ",".join(parts)


def _clean_methods(data: dict, clean: dict, errors: dict[str, str]) -> None:
    methods = data.get("repayment_methods")
    if methods is None:
        return
    if not methods:
        errors["repayment_methods"] = _("allow at least one repayment method")
    elif any(m not in RepaymentMethod.values for m in methods):
        errors["repayment_methods"] = _("repayment methods are among %(choices)s") % {
            "choices": ", ".join(RepaymentMethod.values)
        }
    else:
        clean["repayment_methods"] = sorted(set(methods), key=RepaymentMethod.values.index)


def _validated_terms(data: dict) -> dict:
    errors: dict[str, str] = {}
    clean = dict(data)
    _check_codes(data, errors)
    _clean_numbers(data, clean, errors)
    _clean_allocation_order(data, clean, errors)
    _clean_methods(data, clean, errors)
    if errors:
        raise ValidationError(errors)
    return clean


def _check_ranges(product: Product) -> None:
    errors = {}
    if product.min_amount <= 0:
        errors["min_amount"] = _("minimum amount must be positive")
    if product.max_amount < product.min_amount:
        errors["max_amount"] = _("maximum amount is below the minimum")
    if product.max_term_months < product.min_term_months:
        errors["max_term_months"] = _("maximum term is below the minimum")
    if product.min_annual_rate < 0:
        errors["min_annual_rate"] = _("rate must not be negative")
    if product.max_annual_rate < product.min_annual_rate:
        errors["max_annual_rate"] = _("maximum rate is below the minimum")
    elif product.max_annual_rate > Decimal("0.36"):
        errors["max_annual_rate"] = _("annual rate above 36 percent is not allowed")
    if product.max_ltv is not None and not Decimal(0) < product.max_ltv <= Decimal(1):
        errors["max_ltv"] = _("loan-to-value cap is between 0 and 1")
    # The judicial interpretation on private lending caps default interest; banks price penalty interest
    # at 30% to 50% above the contract rate (中国人民银行关于人民币贷款利率有关问题的通知).
    if not Decimal(1) <= product.penalty_multiplier <= Decimal("1.5"):
        errors["penalty_multiplier"] = _("the penalty multiplier lies between 1 and 1.5")
    if not Decimal(0) <= product.settlement_fee_rate <= Decimal("0.05"):
        errors["settlement_fee_rate"] = _("the settlement fee is a fraction between 0 and 0.05")
    if product.collateral == Product.Collateral.REQUIRED and product.max_ltv is None:
        errors["max_ltv"] = _("a product that requires collateral needs a loan-to-value cap")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def product_create(
    *,
    actor,
    code: str,
    name_zh: str,
    name_en: str,
    category: str,
    min_amount,
    max_amount,
    min_term_months: int,
    max_term_months: int,
    min_annual_rate,
    max_annual_rate,
    repayment_methods: list[str],
    collateral: str = Product.Collateral.NONE,
    max_ltv=None,
    description: str = "",
    is_active: bool = True,
    scenario: str = "",
    penalty_multiplier=Decimal("1.5"),
    allocation_order: str = "penalty,interest,principal",
    roll_business_days: bool = True,
    settlement_fee_rate=Decimal("0"),
) -> Product:
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_PRODUCTS)
    if not (code or "").strip():
        raise ValidationError({"code": _("a product code is required")})
    if Product.objects.filter(code=code).exists():
        raise ValidationError({"code": _("product %(code)s already exists") % {"code": code}})
    clean = _validated_terms(
        dict(
            name_zh=name_zh,
            name_en=name_en,
            category=category,
            min_amount=min_amount,
            max_amount=max_amount,
            min_term_months=min_term_months,
            max_term_months=max_term_months,
            min_annual_rate=min_annual_rate,
            max_annual_rate=max_annual_rate,
            repayment_methods=repayment_methods,
            collateral=collateral,
            max_ltv=max_ltv,
            description=description,
            is_active=is_active,
            scenario=scenario or "",
            penalty_multiplier=penalty_multiplier,
            allocation_order=allocation_order,
            roll_business_days=roll_business_days,
            settlement_fee_rate=settlement_fee_rate,
        )
    )
    product = Product(code=code.strip(), **clean)
    _check_ranges(product)
    product.save()
    record_event(actor=acting.user, event_code="products.product_created", obj=product, after=snapshot(product))
    return product


@transaction.atomic
def product_update(*, actor, product: Product, **changes) -> Product:
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_PRODUCTS)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({field: _("this field cannot be changed") for field in sorted(unknown)})
    product = Product.objects.select_for_update().get(pk=product.pk)
    before = snapshot(product)
    terms_before = [getattr(product, f) for f in MONEY_TERMS]
    for field, value in _validated_terms(changes).items():
        setattr(product, field, value)
    _check_ranges(product)
    if [getattr(product, f) for f in MONEY_TERMS] != terms_before:
        product.terms_version += 1
    product.save()
    record_event(
        actor=acting.user, event_code="products.product_updated", obj=product, before=before, after=snapshot(product)
    )
    return product


def limits_of(product: Product) -> ProductLimits:
    return ProductLimits(
        min_amount=product.min_amount,
        max_amount=product.max_amount,
        min_term_months=product.min_term_months,
        max_term_months=product.max_term_months,
        min_annual_rate=product.min_annual_rate,
        max_annual_rate=product.max_annual_rate,
        repayment_methods=tuple(product.repayment_methods),
        is_active=product.is_active,
    )


def offer_check(*, product: Product, amount, term_months: int, repayment_method: str, annual_rate=None) -> None:
    """Raise ValidationError naming each field of the offer that the product does not allow."""
    problems = offer_problems(
        limits_of(product),
        amount=amount,
        term_months=term_months,
        repayment_method=repayment_method,
        annual_rate=annual_rate,
    )
    if problems:
        raise ValidationError(problems)
