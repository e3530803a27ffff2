"""Demo bank step: scenario products (FEATURES B3). Runs after the loan book is built, so the products
that the earlier steps drew their loans from stay the same; it marks the leasing and supply-chain
products with their funding node and adds the scenario loans a lender sells at those moments."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction

from lendpilot.core.reference import ProductCategory as Cat
from lendpilot.core.reference import RepaymentMethod as RM
from lendpilot.products.models import FundingNode, Product
from lendpilot.products.services import product_create, product_update

if TYPE_CHECKING:
    from lendpilot.core.seeding import SeedContext

D = Decimal

SCENARIO_OF_EXISTING = {"LEASE-01": FundingNode.EQUIPMENT_PURCHASE, "SCF-01": FundingNode.SUPPLY_CHAIN}

SCENARIO_PRODUCTS: tuple[dict, ...] = (
    dict(code="TECH-01", name_zh="技改贷", name_en="Technology upgrade loan", category=Cat.BUSINESS,
         scenario=FundingNode.TECHNOLOGY_UPGRADE,
         min_amount=D("500000"), max_amount=D("20000000"), min_term_months=12, max_term_months=60,
         min_annual_rate=D("0.0350"), max_annual_rate=D("0.0900"),
         repayment_methods=[RM.EQUAL_PRINCIPAL, RM.EQUAL_INSTALMENT],
         collateral=Product.Collateral.OPTIONAL, max_ltv=D("0.70"),
         description="用于生产线自动化、数字化改造，按改造投资额的七成以内核定，宽限期内只付息。"),
    dict(code="STOCK-01", name_zh="旺季备货贷", name_en="Peak-season stocking loan", category=Cat.BUSINESS,
         scenario=FundingNode.PEAK_SEASON_STOCKING,
         min_amount=D("100000"), max_amount=D("5000000"), min_term_months=3, max_term_months=12,
         min_annual_rate=D("0.0380"), max_annual_rate=D("0.1000"),
         repayment_methods=[RM.INTEREST_FIRST, RM.BULLET],
         collateral=Product.Collateral.NONE,
         description="旺季前集中采购备货，额度参考上年旺季销售，随借随还，销售回款后还本。"),
    dict(code="EXPAND-01", name_zh="扩产贷", name_en="Expansion loan", category=Cat.BUSINESS,
         scenario=FundingNode.EXPANSION,
         min_amount=D("1000000"), max_amount=D("30000000"), min_term_months=12, max_term_months=84,
         min_annual_rate=D("0.0340"), max_annual_rate=D("0.0850"),
         repayment_methods=[RM.EQUAL_PRINCIPAL, RM.INTEREST_FIRST],
         collateral=Product.Collateral.OPTIONAL, max_ltv=D("0.70"),
         description="新建厂房、增加产线或开设网点，按开票与用工增长测算资金缺口。"),
)


def seed(ctx: SeedContext) -> dict[str, int]:
    with transaction.atomic():
        marked = 0
        for product in Product.objects.filter(code__in=SCENARIO_OF_EXISTING, scenario=""):
            product_update(actor=None, product=product, scenario=SCENARIO_OF_EXISTING[product.code])
            marked += 1
        existing = set(Product.objects.values_list("code", flat=True))
        created = [product_create(actor=None, **terms) for terms in SCENARIO_PRODUCTS if terms["code"] not in existing]
    ctx.add_ids("scenario_products", [p.pk for p in created])
    return {"scenario_products": len(created), "products_marked": marked}
