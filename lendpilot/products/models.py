"""Loan products (FEATURES X1): category, amount and term ranges, annual rate range, the repayment
methods it allows, and what collateral it requires."""

from decimal import Decimal

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lendpilot.core.reference import ProductCategory


class FundingNode(models.TextChoices):
    """Funding nodes in a customer's life cycle (FEATURES B3, D3): the moments a scenario product serves."""

    EXPANSION = "expansion", _("Expansion")
    TECHNOLOGY_UPGRADE = "technology_upgrade", _("Technology upgrade")
    EQUIPMENT_PURCHASE = "equipment_purchase", _("Equipment purchase")
    PEAK_SEASON_STOCKING = "peak_season_stocking", _("Peak-season stocking")
    SUPPLY_CHAIN = "supply_chain", _("Supply-chain turnover")


class Product(models.Model):
    class Collateral(models.TextChoices):
        NONE = "none", _("No collateral")
        OPTIONAL = "optional", _("Collateral optional")
        REQUIRED = "required", _("Collateral required")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    category = models.CharField(_("category"), max_length=32, choices=ProductCategory.choices, db_index=True)
    min_amount = models.DecimalField(_("minimum amount (CNY)"), max_digits=16, decimal_places=2)
    max_amount = models.DecimalField(_("maximum amount (CNY)"), max_digits=16, decimal_places=2)
    min_term_months = models.PositiveSmallIntegerField(_("minimum term (months)"))
    max_term_months = models.PositiveSmallIntegerField(_("maximum term (months)"))
    # Annual nominal rates as fractions: 0.0435 is 4.35%.
    min_annual_rate = models.DecimalField(_("minimum annual rate"), max_digits=7, decimal_places=6)
    max_annual_rate = models.DecimalField(_("maximum annual rate"), max_digits=7, decimal_places=6)
    repayment_methods = models.JSONField(_("repayment methods"), default=list)
    collateral = models.CharField(_("collateral"), max_length=16, choices=Collateral.choices,
                                  default=Collateral.NONE)
    max_ltv = models.DecimalField(_("maximum loan-to-value"), max_digits=5, decimal_places=4, null=True, blank=True)
    description = models.TextField(_("description"), blank=True, default="")
    # B3: the life-cycle funding node this product is made for; blank for a general product.
    scenario = models.CharField(_("scenario"), max_length=24, choices=FundingNode.choices, blank=True, default="",
                                db_index=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Money terms of the contract (issue 15). Versioned: `terms_version` goes up whenever one of them
    # changes, and each contract copies them with the version, so a later change never touches a signed loan.
    penalty_multiplier = models.DecimalField(_("penalty rate multiplier"), max_digits=5, decimal_places=3,
                                             default=Decimal("1.500"))
    allocation_order = models.CharField(_("allocation order"), max_length=40, default="penalty,interest,principal")
    roll_business_days = models.BooleanField(_("due dates roll to the next business day"), default=True)
    settlement_fee_rate = models.DecimalField(_("early settlement fee (fraction of principal repaid early)"),
                                              max_digits=7, decimal_places=6, default=Decimal("0"))
    terms_version = models.PositiveIntegerField(_("terms version"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("loan product")
        verbose_name_plural = _("loan products")
        constraints = [
            models.CheckConstraint(condition=models.Q(min_amount__gt=0), name="product_min_amount_positive"),
            models.CheckConstraint(condition=models.Q(max_amount__gte=models.F("min_amount")),
                                   name="product_amount_range"),
            models.CheckConstraint(condition=models.Q(min_term_months__gte=1), name="product_min_term_positive"),
            models.CheckConstraint(condition=models.Q(max_term_months__gte=models.F("min_term_months")),
                                   name="product_term_range"),
            models.CheckConstraint(condition=models.Q(min_annual_rate__gte=0), name="product_rate_not_negative"),
            models.CheckConstraint(condition=models.Q(max_annual_rate__gte=models.F("min_annual_rate")),
                                   name="product_rate_range"),
            # The judicial protection ceiling for private lending is 4x LPR; no product may price above 36%.
            models.CheckConstraint(condition=models.Q(max_annual_rate__lte=Decimal("0.36")),
                                   name="product_rate_ceiling"),
            models.CheckConstraint(condition=models.Q(penalty_multiplier__gte=1)
                                   & models.Q(penalty_multiplier__lte=Decimal("1.5")),
                                   name="product_penalty_multiplier_range"),
            models.CheckConstraint(condition=models.Q(settlement_fee_rate__gte=0)
                                   & models.Q(settlement_fee_rate__lte=Decimal("0.05")),
                                   name="product_settlement_fee_range"),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh
