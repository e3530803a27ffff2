"""What the channel pages and API show: the ranking with KPIs and the latest review score, and one partner's
file (tier, gap to next, resources, tier history, vintage curves). Scoped through the selectors."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from lendpilot.channels import selectors, tiers, vintage
from lendpilot.channels.models import Partner, Review, TierChange
from lendpilot.channels.services.tiering import metrics_of
from lendpilot.org.access import actor_of


@dataclass(frozen=True)
class Ranked:
    partner: Partner
    loans: int
    disbursed: Decimal
    conversion: Decimal
    approval: Decimal
    m1: Decimal
    m3: Decimal
    score: Decimal | None


def ranking(user: object) -> list[Ranked]:
    """Every visible partner, best latest review score first (unreviewed last)."""
    partners = list(selectors.visible_partners(actor_of(user)).exclude(status=Partner.Status.APPLYING))
    latest: dict[int, Decimal] = {}
    for review in Review.objects.filter(partner__in=partners).order_by("partner_id", "-quarter"):
        latest.setdefault(review.partner_id, review.score)
    rows = []
    for p in partners:
        k = selectors.kpis(p)
        rows.append(Ranked(p, k.loans, k.disbursed, k.conversion, k.approval, k.m1, k.m3, latest.get(p.pk)))
    return sorted(rows, key=lambda r: (r.score is None, -(r.score or 0), r.partner.name))


@dataclass(frozen=True)
class PartnerFile:
    partner: Partner
    kpis: selectors.Kpis
    gaps: list[str]
    next_tier: str
    resources: dict[str, Decimal]
    tiers: QuerySet[TierChange]
    curves: dict[date, list[tuple[int, Decimal]]]


def partner_file(partner: Partner) -> PartnerFile:
    """The tier is the one placed at the last re-tiering; the gap is measured on today's facts."""
    index = tiers.TIERS.index(partner.tier) if partner.tier in tiers.TIERS else 0
    next_tier = tiers.TIERS[index + 1] if index + 1 < len(tiers.TIERS) else ""
    gaps = tiers.gaps_to(metrics_of(partner, timezone.localdate()), next_tier) if next_tier else []
    return PartnerFile(partner, selectors.kpis(partner), gaps, next_tier, tiers.RESOURCES.get(partner.tier, {}),
                       selectors.tier_history(partner), vintage.curves(selectors.partner_cells(partner), "m1"))
