"""Demo bank, step 2: the six loan products (FEATURES X1), through the product service.

Ranges follow what mainland lenders publish for these families: rates sit between the one-year
LPR (about 3%) and the 24% that regulators expect consumer credit to stay under; mortgage and
leasing require collateral with a loan-to-value cap.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction

from lendpilot.core.reference import ProductCategory as Cat
from lendpilot.core.reference import RepaymentMethod as RM
from lendpilot.products.models import Product
from lendpilot.products.services import product_create

if TYPE_CHECKING:
    from lendpilot.core.seeding import SeedContext

D = Decimal

PRODUCTS: tuple[dict, ...] = (
    dict(code="CREDIT-01", name_zh="信用贷", name_en="Credit loan", category=Cat.CREDIT,
         min_amount=D("10000"), max_amount=D("500000"), min_term_months=6, max_term_months=36,
         min_annual_rate=D("0.0360"), max_annual_rate=D("0.1800"),
         repayment_methods=[RM.EQUAL_INSTALMENT, RM.EQUAL_PRINCIPAL, RM.INTEREST_FIRST],
         collateral=Product.Collateral.NONE,
         description="无抵押、凭信用评分授信，适合工薪与优质个体客户。"),
    dict(code="MORT-01", name_zh="抵押贷", name_en="Mortgage loan", category=Cat.MORTGAGE,
         min_amount=D("300000"), max_amount=D("10000000"), min_term_months=12, max_term_months=240,
         min_annual_rate=D("0.0310"), max_annual_rate=D("0.0650"),
         repayment_methods=[RM.EQUAL_INSTALMENT, RM.EQUAL_PRINCIPAL, RM.INTEREST_FIRST],
         collateral=Product.Collateral.REQUIRED, max_ltv=D("0.70"),
         description="以住宅或商铺抵押，抵押率不超过评估价的七成。"),
    dict(code="BIZ-01", name_zh="经营贷", name_en="Business loan", category=Cat.BUSINESS,
         min_amount=D("100000"), max_amount=D("5000000"), min_term_months=6, max_term_months=60,
         min_annual_rate=D("0.0345"), max_annual_rate=D("0.1200"),
         repayment_methods=[RM.EQUAL_INSTALMENT, RM.EQUAL_PRINCIPAL, RM.INTEREST_FIRST, RM.BULLET],
         collateral=Product.Collateral.OPTIONAL, max_ltv=D("0.70"),
         description="面向小微企业主与个体工商户的流动资金贷款。"),
    dict(code="CONS-01", name_zh="消费贷", name_en="Consumer loan", category=Cat.CONSUMER,
         min_amount=D("5000"), max_amount=D("300000"), min_term_months=3, max_term_months=60,
         min_annual_rate=D("0.0380"), max_annual_rate=D("0.2400"),
         repayment_methods=[RM.EQUAL_INSTALMENT, RM.EQUAL_PRINCIPAL],
         collateral=Product.Collateral.NONE,
         description="装修、教育、购车等个人消费用途，受托支付。"),
    dict(code="LEASE-01", name_zh="设备融资租赁", name_en="Equipment finance leasing",
         category=Cat.EQUIPMENT_LEASING,
         min_amount=D("500000"), max_amount=D("30000000"), min_term_months=12, max_term_months=60,
         min_annual_rate=D("0.0450"), max_annual_rate=D("0.1200"),
         repayment_methods=[RM.EQUAL_INSTALMENT, RM.EQUAL_PRINCIPAL],
         collateral=Product.Collateral.REQUIRED, max_ltv=D("0.80"),
         description="直租或售后回租，租赁物为生产设备，融资额不超过设备价值的八成。"),
    dict(code="SCF-01", name_zh="供应链金融", name_en="Supply-chain finance", category=Cat.SUPPLY_CHAIN,
         min_amount=D("100000"), max_amount=D("20000000"), min_term_months=1, max_term_months=12,
         min_annual_rate=D("0.0380"), max_annual_rate=D("0.1000"),
         repayment_methods=[RM.BULLET, RM.INTEREST_FIRST],
         collateral=Product.Collateral.OPTIONAL, max_ltv=D("0.90"),
         description="基于核心企业应收账款与订单的保理和订单融资。"),
)


def seed(ctx: SeedContext) -> dict[str, int]:
    with transaction.atomic():
        products = [product_create(actor=None, **terms) for terms in PRODUCTS]
    ctx.add_ids("products", [p.pk for p in products])
    return {"products": len(products)}
