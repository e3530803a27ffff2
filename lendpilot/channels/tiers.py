"""Monthly tier placement: scale earns a tier, compliance and performance cap it. Pure: a partner's metrics
for the last twelve months in, the tier, its reasons and the gap to the next tier out."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

TIERS = ["bronze", "silver", "gold", "platinum"]
"""Lowest first."""
TIER_LABELS = {"bronze": gettext_lazy("Bronze"), "silver": gettext_lazy("Silver"), "gold": gettext_lazy("Gold"),
               "platinum": gettext_lazy("Platinum")}


@dataclass(frozen=True)
class TierRule:
    min_disbursed: Decimal
    min_loans: int
    max_complaints: int
    max_findings: int
    max_incidents: int
    min_conversion: Decimal
    max_overdue: Decimal
    """M3+ overdue ratio at the latest observed month on book."""


RULES: dict[str, TierRule] = {
    "silver": TierRule(Decimal("20000000"), 50, 20, 3, 1, Decimal("0.05"), Decimal("0.05")),
    "gold": TierRule(Decimal("100000000"), 200, 10, 1, 0, Decimal("0.10"), Decimal("0.03")),
    "platinum": TierRule(Decimal("300000000"), 500, 5, 0, 0, Decimal("0.15"), Decimal("0.02")),
}
"""A partner earns a tier when it meets every bound of that tier's rule (bronze has none)."""

RESOURCES: dict[str, dict[str, Decimal]] = {
    "bronze": {"rate_authority_bp": Decimal("0"), "lead_share": Decimal("0.00"), "marketing_budget": Decimal("0")},
    "silver": {"rate_authority_bp": Decimal("10"), "lead_share": Decimal("0.05"),
               "marketing_budget": Decimal("50000")},
    "gold": {"rate_authority_bp": Decimal("20"), "lead_share": Decimal("0.10"),
             "marketing_budget": Decimal("200000")},
    "platinum": {"rate_authority_bp": Decimal("30"), "lead_share": Decimal("0.20"),
                 "marketing_budget": Decimal("500000")},
}
"""What each tier earns: rate authority (basis points off the list rate), share of the bank's own leads handed
to partners, and the yearly marketing budget (CNY)."""


@dataclass(frozen=True)
class TierMetrics:
    disbursed: Decimal
    loans: int
    complaints: int
    findings: int
    incidents: int
    conversion: Decimal
    overdue: Decimal


@dataclass(frozen=True)
class Placement:
    tier: str
    gaps: list[str] = field(default_factory=list)
    """What the partner lacks for the next tier (empty at the top)."""


def _shortfalls(m: TierMetrics, rule: TierRule) -> list[str]:
    gaps = []
    if m.disbursed < rule.min_disbursed:
        gaps.append(_("disburse %(amount)s more") % {"amount": f"{rule.min_disbursed - m.disbursed:,.2f}"})
    if m.loans < rule.min_loans:
        gaps.append(_("book %(count)d more loans") % {"count": rule.min_loans - m.loans})
    if m.complaints > rule.max_complaints:
        gaps.append(_("complaints at most %(max)d (now %(now)d)") % {"max": rule.max_complaints, "now": m.complaints})
    if m.findings > rule.max_findings:
        gaps.append(_("audit findings at most %(max)d (now %(now)d)") % {"max": rule.max_findings, "now": m.findings})
    if m.incidents > rule.max_incidents:
        gaps.append(_("data incidents at most %(max)d (now %(now)d)") % {"max": rule.max_incidents,
                                                                        "now": m.incidents})
    if m.conversion < rule.min_conversion:
        gaps.append(_("conversion at least %(min)s (now %(now)s)") % {"min": f"{rule.min_conversion:.1%}",
                                                                      "now": f"{m.conversion:.1%}"})
    if m.overdue > rule.max_overdue:
        gaps.append(_("M3+ overdue at most %(max)s (now %(now)s)") % {"max": f"{rule.max_overdue:.1%}",
                                                                     "now": f"{m.overdue:.1%}"})
    return gaps


def place(metrics: TierMetrics) -> Placement:
    """The highest tier whose every bound the partner meets, and what it lacks for the one above."""
    tier = "bronze"
    for name in TIERS[1:]:
        if _shortfalls(metrics, RULES[name]):
            break
        tier = name
    index = TIERS.index(tier)
    if index == len(TIERS) - 1:
        return Placement(tier=tier)
    return Placement(tier=tier, gaps=_shortfalls(metrics, RULES[TIERS[index + 1]]))


def change_reasons(before: str, after: Placement) -> list[str]:
    """Why the tier moved: up means the new tier's bounds are met; down names what the old tier now lacks."""
    if before == after.tier or before not in TIERS:
        return []
    if TIERS.index(after.tier) > TIERS.index(before):
        return [_("meets every bound of the higher tier")]
    return after.gaps or [_("no longer meets the bounds of the former tier")]


def gaps_to(metrics: TierMetrics, tier: str) -> list[str]:
    """What the partner lacks for `tier` (empty when it meets every bound, or for bronze)."""
    return _shortfalls(metrics, RULES[tier]) if tier in RULES else []
