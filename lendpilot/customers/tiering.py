"""Tiers, service packages and lifetime value (FEATURES B2, D7) -- pure rules, no database.

Tier by the largest single loan (单笔), thresholds configurable (`TierPolicy`):
    strategic  max_single_loan >= 5,000,000
    growth     1,000,000 <= max_single_loan < 5,000,000
    micro      max_single_loan < 1,000,000 (and customers who never borrowed)

Lifetime value (D7), per borrowing customer, in CNY:
    annual_margin = interest_income * NET_MARGIN_SHARE / tenure_years
        interest_income: interest and penalty received so far; NET_MARGIN_SHARE: the share left after
        funding and operating cost; tenure_years: calendar years since the first loan, counting the
        current one (>= 1).
    retention = RETENTION[risk bucket], the bucket taken from the worst days past due (0, 1-30, 31-90, > 90)
    CLV = annual_margin * sum_{t=1..HORIZON_YEARS} retention**t / (1 + DISCOUNT_RATE)**t
A customer is high-value when CLV >= the policy's `high_value_clv`; high-value customers get a dedicated
manager and post-loan advisory (the strategic package's entitlements) whatever their tier.
RFM scores are quintiles 1..5 (5 best: most recent, most frequent, largest) over borrowing customers.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext, gettext_noop

STRATEGIC_MIN = Decimal("5000000")
GROWTH_MIN = Decimal("1000000")
HIGH_VALUE_CLV = Decimal("100000")

NET_MARGIN_SHARE = Decimal("0.45")
DISCOUNT_RATE = Decimal("0.08")
HORIZON_YEARS = 5
# Worst days past due -> probability the customer is still with us (and paying) a year later.
RISK_BUCKETS = ((90, Decimal("0.20")), (30, Decimal("0.55")), (0, Decimal("0.75")), (-1, Decimal("0.90")))


@dataclass(frozen=True)
class Thresholds:
    strategic_min: Decimal = STRATEGIC_MIN
    growth_min: Decimal = GROWTH_MIN
    high_value_clv: Decimal = HIGH_VALUE_CLV


def tier_for(max_single_loan: Decimal | None, thresholds: Thresholds = Thresholds()) -> str:
    """Tier of a customer from the largest single loan (None or 0 for one who never borrowed)."""
    amount = Decimal(max_single_loan or 0)
    if amount >= thresholds.strategic_min:
        return "strategic"
    if amount >= thresholds.growth_min:
        return "growth"
    return "micro"


def retention_for(max_days_past_due: int) -> Decimal:
    for floor, retention in RISK_BUCKETS:
        if max_days_past_due > floor:
            return retention
    return RISK_BUCKETS[-1][1]


def annuity_factor(retention: Decimal) -> Decimal:
    """sum_{t=1..H} retention^t / (1 + d)^t"""
    step = retention / (1 + DISCOUNT_RATE)
    return sum((step ** t for t in range(1, HORIZON_YEARS + 1)), Decimal(0))


def lifetime_value(*, interest_income: Decimal, tenure_years: int, max_days_past_due: int) -> Decimal:
    """The CLV formula of the module docstring, for one customer (the database computes the same set-based)."""
    annual_margin = Decimal(interest_income) * NET_MARGIN_SHARE / max(tenure_years, 1)
    return (annual_margin * annuity_factor(retention_for(max_days_past_due))).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Package:
    tier: str
    dedicated_manager: bool
    response_sla_hours: int
    pricing_band: str
    review_every_months: int
    advisory: str


# The texts are stored in English (the service package rows copy them) and marked for translation, so a page
# shows them in the reader's language through `package_text`.
DEFAULT_PACKAGES = {
    "strategic": Package("strategic", True, 4, gettext_noop("preferential (LPR + 0-50bp)"), 3,
                         gettext_noop("quarterly post-loan advisory visit, cash-management review")),
    "growth": Package("growth", True, 24, gettext_noop("standard (LPR + 50-150bp)"), 6,
                      gettext_noop("half-yearly review call")),
    "micro": Package("micro", False, 48, gettext_noop("risk-based (LPR + 150-400bp)"), 12,
                     gettext_noop("annual review, online self-service")),
}

# The credit band moves the price within the tier's package: good bands keep the package's band,
# weak ones are priced for risk (B2: tier combined with the credit score band).
PACKAGE_BAND = gettext_noop("within the package band")
BAND_PRICING = {"A": gettext_noop("lower end of the package band"), "B": PACKAGE_BAND,
                "C": gettext_noop("upper end of the package band"),
                "D": gettext_noop("risk premium +100bp, review quarterly"),
                "E": gettext_noop("no new credit without risk sign-off")}


def pricing_note(credit_band: str) -> str:
    return BAND_PRICING.get(credit_band or "", PACKAGE_BAND)


def package_text(text: str) -> str:
    """A package's pricing band, advisory or band note in the reader's language: the built-in texts above are
    translated; a bank's own wording of a package reads as it was typed."""
    return gettext(text) if text else text
