"""Request and response shapes of the product API. Amounts are CNY and rates fractions, both carried
as decimal strings (never floats)."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from lendpilot.core.reference import ProductCategory, RepaymentMethod
from lendpilot.core.schemas import AnnualRate, Money, Text
from lendpilot.products.models import FundingNode, Product

ScenarioCode = Literal[("", *FundingNode.values)]
CategoryCode = Literal[tuple(ProductCategory.values)]
CollateralCode = Literal[tuple(Product.Collateral.values)]
MethodCode = Literal[tuple(RepaymentMethod.values)]
Months = Annotated[int, Field(ge=1, le=1200, description="whole months")]
Ltv = Annotated[
    Decimal, Field(max_digits=5, decimal_places=4, allow_inf_nan=False, description="loan-to-value cap, 0 to 1")
]
Methods = Annotated[list[MethodCode], Field(min_length=1, max_length=len(RepaymentMethod.values) * 2)]
PenaltyMultiplier = Annotated[Decimal, Field(max_digits=5, decimal_places=3, allow_inf_nan=False,
                                             description="penalty rate = contract rate x this, 1 to 1.5")]
FeeRate = Annotated[Decimal, Field(max_digits=7, decimal_places=6, allow_inf_nan=False,
                                   description="early settlement fee, fraction of the principal repaid early")]
AllocationOrder = Annotated[str, Field(max_length=40, description="e.g. penalty,interest,principal")]


class ProductOut(Schema):
    id: int
    code: str
    name_zh: str
    name_en: str
    category: CategoryCode
    min_amount: Money
    max_amount: Money
    min_term_months: int
    max_term_months: int
    min_annual_rate: AnnualRate
    max_annual_rate: AnnualRate
    repayment_methods: list[MethodCode]
    collateral: CollateralCode
    max_ltv: Ltv | None
    description: str
    scenario: ScenarioCode
    is_active: bool
    penalty_multiplier: Decimal
    allocation_order: str
    roll_business_days: bool
    settlement_fee_rate: Decimal
    terms_version: int
    created_at: datetime
    updated_at: datetime


class ProductCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    code: Text(32, min_length=1, strip=True)
    name_zh: Text(100, min_length=1)
    name_en: Text(100, min_length=1)
    category: CategoryCode
    min_amount: Money
    max_amount: Money
    min_term_months: Months
    max_term_months: Months
    min_annual_rate: AnnualRate
    max_annual_rate: AnnualRate
    repayment_methods: Methods
    collateral: CollateralCode = Product.Collateral.NONE.value
    max_ltv: Ltv | None = None
    description: Text(2000) = ""
    scenario: ScenarioCode = ""
    is_active: bool = Field(False, description="live at once: only with a terms version compliance cleared")
    penalty_multiplier: PenaltyMultiplier = Decimal("1.5")
    allocation_order: AllocationOrder = "penalty,interest,principal"
    roll_business_days: bool = True
    settlement_fee_rate: FeeRate = Decimal("0")


class ProductUpdateIn(Schema):
    """Only the fields sent are changed; the code is fixed."""

    model_config = ConfigDict(extra="forbid")

    name_zh: Text(100, min_length=1) = None
    name_en: Text(100, min_length=1) = None
    category: CategoryCode = None
    min_amount: Money = None
    max_amount: Money = None
    min_term_months: Months = None
    max_term_months: Months = None
    min_annual_rate: AnnualRate = None
    max_annual_rate: AnnualRate = None
    repayment_methods: Methods = None
    collateral: CollateralCode = None
    max_ltv: Ltv | None = None
    description: Text(2000) = None
    scenario: ScenarioCode = None
    is_active: bool = None
    penalty_multiplier: PenaltyMultiplier = None
    allocation_order: AllocationOrder = None
    roll_business_days: bool = None
    settlement_fee_rate: FeeRate = None


class OfferIn(Schema):
    amount: Money
    term_months: Annotated[int, Field(ge=1, le=1200)]
    repayment_method: MethodCode
    annual_rate: AnnualRate | None = Field(None, description="the quoted rate; the product's minimum when omitted")


class OfferOut(Schema):
    ok: bool
    apr: AnnualRate = Field(
        ..., description="annualised rate of the offer (no fees): the nominal annual rate, as a fraction"
    )


class ProductPromiseFindingOut(Schema):
    phrase: str
    problem: str
    law: str
    excerpt: str


class ProductReviewOut(Schema):
    """The compliance review a terms version went to: the scanner's findings come back at once."""

    id: int
    subject_ref: str = Field(..., description="products.product:<code>@v<terms version>")
    status: str
    findings: list[ProductPromiseFindingOut]
