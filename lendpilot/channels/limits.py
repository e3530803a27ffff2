"""Cooperation limits: the fee cap and the joint-lending (联合贷) funding share and concentration limits.
Pure: the caller passes the balances; the answer lists every limit a booking would break."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from lendpilot.core.money import to_money


@dataclass(frozen=True)
class JointLimits:
    min_partner_share: Decimal = Decimal("0.30")
    """The partner funds at least this share of each joint loan."""
    single_partner_cap: Decimal = Decimal("0.25")
    """The bank's balance with one partner, as a share of net tier-1 capital."""
    all_partners_cap: Decimal = Decimal("0.50")
    """The bank's balance with all partners, as a share of its total loans."""


@dataclass(frozen=True)
class Exposure:
    """The bank's own balances before the booking (its share of joint loans only)."""

    partner_balance: Decimal
    all_partners_balance: Decimal
    total_loans: Decimal
    net_tier1_capital: Decimal


def bank_part(amount: Decimal, partner_share: Decimal) -> Decimal:
    """What the bank funds of a joint loan."""
    return to_money(amount - amount * partner_share)


def joint_loan_fits(*, amount: Decimal, partner_share: Decimal, exposure: Exposure,
                    limits: JointLimits) -> list[str]:
    """Every limit the booking would break; an empty list means it fits."""
    breaches = []
    if partner_share < limits.min_partner_share:
        breaches.append(_("the partner's funding share %(share)s is below the minimum %(min)s") % {
            "share": f"{partner_share:.0%}", "min": f"{limits.min_partner_share:.0%}"})
    ours = bank_part(amount, partner_share)
    single_cap = exposure.net_tier1_capital * limits.single_partner_cap
    if exposure.partner_balance + ours > single_cap:
        breaches.append(_("the balance with this partner would exceed %(cap)s of net tier-1 capital") % {
            "cap": f"{limits.single_partner_cap:.0%}"})
    after_total = exposure.total_loans + ours
    if after_total <= 0 or exposure.all_partners_balance + ours > after_total * limits.all_partners_cap:
        breaches.append(_("the balance with all partners would exceed %(cap)s of total loans") % {
            "cap": f"{limits.all_partners_cap:.0%}"})
    return breaches


def fee_breaches(*, fee_rate: Decimal, enhancement_fee_rate: Decimal, fee_cap: Decimal) -> list[str]:
    """Credit-enhancement fees count in the customer's total financing cost, so the cap covers both."""
    if fee_rate < 0 or enhancement_fee_rate < 0:
        return [_("fee rates cannot be negative")]
    if fee_rate + enhancement_fee_rate > fee_cap:
        return [_("service and credit-enhancement fees together exceed the cap")]
    return []
