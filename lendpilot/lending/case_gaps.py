"""The gaps a reviewer must see before deciding a case (C1, C2), and the account manager before submitting.

Pure: plain Decimals in, sentences out. Three gaps: the requested amount above what the pre-screen engine
would approve, an entered rate below the rate the engine priced for this applicant, and a loan-to-value
above the product's cap. A gap does not block anything by itself; it is what a decision must answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

AMOUNT_ABOVE_APPROVABLE = "amount_above_approvable"
RATE_BELOW_PRICED = "rate_below_priced"
LTV_ABOVE_CAP = "ltv_above_cap"


@dataclass(frozen=True)
class Gap:
    code: str
    message: str


def _cny(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _pct(fraction: Decimal) -> str:
    return f"{(fraction * 100).quantize(Decimal('0.01'))}%"


def review_gaps(*, amount: Decimal, annual_rate: Decimal, approvable: Decimal | None = None,
                priced_rate: Decimal | None = None, ltv: Decimal | None = None,
                max_ltv: Decimal | None = None) -> list[Gap]:
    """The gaps of a case's terms against the engine's answer and the product's cap (a missing figure
    gives no gap)."""
    gaps: list[Gap] = []
    if approvable is not None and amount > approvable:
        gaps.append(Gap(AMOUNT_ABOVE_APPROVABLE, _(
            "The requested amount of %(amount)s CNY is above the approvable amount of %(approvable)s CNY "
            "(by %(excess)s CNY).") % {"amount": _cny(amount), "approvable": _cny(approvable),
                                       "excess": _cny(amount - approvable)}))
    if priced_rate is not None and annual_rate < priced_rate:
        gaps.append(Gap(RATE_BELOW_PRICED, _(
            "The entered rate of %(rate)s is below the priced rate of %(priced)s for this applicant.") % {
            "rate": _pct(annual_rate), "priced": _pct(priced_rate)}))
    if ltv is not None and max_ltv is not None and ltv > max_ltv:
        gaps.append(Gap(LTV_ABOVE_CAP, _(
            "The loan-to-value of %(ltv)s is above the product's cap of %(cap)s.") % {
            "ltv": _pct(ltv), "cap": _pct(max_ltv)}))
    return gaps
