"""Product catalogue writes (FEATURES X1) and the offer check that later capabilities call.

Compliance checkpoint (C7): a product is live (`is_active`) only with a terms version that compliance cleared.
The version is the customer-facing text of the product (names, category, scenario, collateral, description) and
its contract money terms (penalty, allocation order, business-day roll, settlement fee): `publication_text`.
A draft (an inactive product) is created and edited freely and submitted with `product_submit_for_review`;
activating it, or changing that text of a live product, needs the approval of exactly the new text by a compliance
officer other than the author. Amount, term and rate ranges and repayment methods are limits priced through the
pricing approval (market proposals) and checked on every offer: changing them does not start a new version.
The system actor (demo seeding, benchmarks) goes through the documented system path, which scans the text and
records the review (`checkpoint_clear_by_system`).
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event, snapshot
from lendpilot.compliance.checkpoints.models import CheckpointReview
from lendpilot.compliance.checkpoints.selectors import is_cleared, latest_review
from lendpilot.compliance.checkpoints.services import checkpoint_clear_by_system, checkpoint_submit
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


def publication_ref(product: Product) -> str:
    """The material reference of a product's terms version, as compliance reviews it."""
    return f"products.product:{product.code}@v{product.terms_version}"


def publication_text(product: Product) -> str:
    """What compliance reviews for a terms version: the same text whatever the page language."""
    return "\n".join([
        f"产品名称：{product.name_zh}（{product.name_en}）",
        f"产品类别：{product.category}；适用场景：{product.scenario or 'general'}；担保要求：{product.collateral}",
        f"产品说明：{(product.description or '').strip()}",
        f"罚息利率：合同利率×{product.penalty_multiplier}；还款冲抵顺序：{product.allocation_order}",
        f"提前结清手续费：提前归还本金的{(product.settlement_fee_rate * 100).normalize():f}%；"
        f"到期日遇节假日顺延：{'是' if product.roll_business_days else '否'}",
    ])


def charges_fees(product: Product) -> bool:
    return product.settlement_fee_rate > 0 or product.max_annual_rate > 0


def review_of(product: Product) -> CheckpointReview | None:
    """The newest compliance review of the product's current terms version, if any."""
    return latest_review(subject_ref=publication_ref(product), text=publication_text(product))


# The fields of the reviewed text (`publication_text`).
PUBLICATION_FIELDS = ("name_zh", "name_en", "category", "scenario", "collateral", "description", *MONEY_TERMS)


def _publication_check(acting, product: Product, *, live_text: str | None, changed: Iterable[str] = ()) -> None:
    """A live product carries a cleared terms version: activating it, or changing the reviewed text of a live
    product, needs compliance's approval of exactly that text (the system path records one)."""
    if not product.is_active:
        return
    text = publication_text(product)
    if text == live_text:
        return
    ref = publication_ref(product)
    if acting.is_system:
        checkpoint_clear_by_system(actor=acting, subject_ref=ref, kind="product_version",
                                   title=f"{product.name_zh} v{product.terms_version}", text=text,
                                   has_fees=charges_fees(product))
        return
    if is_cleared(subject_ref=ref, text=text):
        return
    if live_text is None:
        raise ValidationError({"is_active": _(
            "compliance has not cleared this product version (%(ref)s): save the product inactive as a draft, "
            "submit it for compliance review, and activate it once approved") % {"ref": ref}})
    message = _("this change makes a new product version (%(ref)s) that compliance has not cleared: submit the "
                "change for compliance review first and save it once approved") % {"ref": ref}
    fields = [f for f in changed if f in PUBLICATION_FIELDS] or ["is_active"]
    raise ValidationError({field: message for field in fields})


def _apply_changes(product: Product, changes: dict) -> None:
    """Validate the changes onto the (unsaved) product; a changed money term starts a new terms version."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({field: _("this field cannot be changed") for field in sorted(unknown)})
    terms_before = [getattr(product, f) for f in MONEY_TERMS]
    for field, value in _validated_terms(changes).items():
        setattr(product, field, value)
    _check_ranges(product)
    if [getattr(product, f) for f in MONEY_TERMS] != terms_before:
        product.terms_version += 1


@transaction.atomic
def product_submit_for_review(*, actor, product: Product, **changes) -> CheckpointReview:
    """Send a product's terms version to compliance: the current one, or the one these changes would make (the
    product itself is not changed; save the same changes once approved). The forbidden-promise scanner runs at
    once; its findings come back on the review."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_PRODUCTS)
    proposed = Product.objects.get(pk=product.pk)
    _apply_changes(proposed, changes)
    return checkpoint_submit(actor=acting, subject_ref=publication_ref(proposed), kind="product_version",
                             title=f"{proposed.name_zh} v{proposed.terms_version}", text=publication_text(proposed),
                             has_fees=charges_fees(proposed))


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
    _publication_check(acting, product, live_text=None)
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
    live_text = publication_text(product) if product.is_active else None
    _apply_changes(product, changes)
    _publication_check(acting, product, live_text=live_text, changed=changes)
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
