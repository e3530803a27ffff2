"""Competitor response: estimate the price-elasticity index from the bank's offers, raise benchmark-adjustment
proposals where the gap to competitors and the fall in take-up cross their thresholds, and decide them
(maker-checker: whoever raised a proposal cannot approve it)."""

from datetime import date, timedelta
from statistics import median

import numpy as np
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone

from lendpilot.compliance.audit import record_event, snapshot
from lendpilot.core.errors import Conflict
from lendpilot.market import elasticity
from lendpilot.market.models import (
    CompetitorMove,
    ElasticityRun,
    LprFixing,
    OfferOutcome,
    PricingProposal,
    ProposalStatus,
    Tenor,
)
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm

WINDOW = timedelta(days=30)


def response_thresholds() -> elasticity.ResponseThresholds:
    """The thresholds from settings (MARKET_RESPONSE_THRESHOLDS, a dict of the fields), else the defaults."""
    return elasticity.ResponseThresholds(**getattr(settings, "MARKET_RESPONSE_THRESHOLDS", {}))


def offers_as_arrays(rows: list[tuple]) -> elasticity.Offers:
    """(rate, competitor_rate, grade, channel, amount, accepted) rows -> the model's arrays (rates in points)."""
    data = np.array([(float(r), float(c), elasticity.GRADES.index(g) if g in elasticity.GRADES else 3,
                      elasticity.CHANNELS.index(ch) if ch in elasticity.CHANNELS else 0, float(a), float(ok))
                     for r, c, g, ch, a, ok in rows], dtype=np.float64).reshape(-1, 6)
    return elasticity.Offers(rate_pp=data[:, 0] * 100, grade=data[:, 2].astype(int), amount=data[:, 4],
                             channel=data[:, 3].astype(int), gap_pp=(data[:, 0] - data[:, 1]) * 100,
                             accepted=data[:, 5])


def elasticity_estimate(*, actor, since: date | None = None) -> ElasticityRun:
    require(actor_of(actor), Perm.MANAGE_MARKET)
    offers = OfferOutcome.objects.all()
    if since is not None:
        offers = offers.filter(offered_on__gte=since)
    rows = list(offers.values_list("rate", "competitor_rate", "risk_grade", "channel", "amount", "accepted"))
    try:
        index = elasticity.estimate_elasticity(offers_as_arrays(rows))
    except ValueError as error:
        raise ValidationError({"offers": [str(error)]}) from error
    with transaction.atomic():
        run = ElasticityRun.objects.create(
            computed_on=timezone.localdate(), offers=index.offers, rate_coefficient=index.rate_coefficient,
            standard_error=index.standard_error, take_up=index.take_up,
            take_up_change_per_pp=index.take_up_change_per_pp, computed_by=actor)
        record_event(actor=actor, event_code="market.elasticity_estimated", obj=run, after=snapshot(run))
    return run


def _take_up(product: str, region_id: int, start: date, end: date) -> tuple[float | None, float | None]:
    rows = OfferOutcome.objects.filter(product=product, region_id=region_id, offered_on__gte=start,
                                       offered_on__lt=end)
    figures = rows.aggregate(rate=Avg("rate"), offers=Count("id"), taken=Count("id", filter=Q(accepted=True)))
    taken = figures["taken"] / figures["offers"] if figures["offers"] else None
    return (float(taken) if taken is not None else None,
            float(figures["rate"]) if figures["rate"] is not None else None)


def competitor_median_apr(product: str, region_id: int, day: date) -> float | None:
    """The median of each competitor's latest APR in force on `day` for the product and region."""
    latest: dict[int, float] = {}
    for competitor_id, apr in (CompetitorMove.objects.filter(product=product, region_id=region_id,
                                                             effective__lte=day)
                               .order_by("competitor_id", "-effective", "-id")
                               .values_list("competitor_id", "apr")):
        latest.setdefault(competitor_id, float(apr))
    return median(latest.values()) if latest else None


def pricing_check(*, actor, today: date | None = None) -> list[PricingProposal]:
    """Propose a benchmark adjustment for every product and region past both thresholds (one open each)."""
    require(actor_of(actor), Perm.MANAGE_MARKET)
    day = today or timezone.localdate()
    thresholds = response_thresholds()
    lpr = LprFixing.objects.filter(tenor=Tenor.ONE_YEAR, effective__lte=day).first()
    if lpr is None:
        raise ValidationError({"lpr": ["record the 1-year LPR first"]})
    proposals = []
    pairs = OfferOutcome.objects.filter(offered_on__gte=day - 2 * WINDOW).values_list("product", "region_id")
    for product, region_id in sorted(set(pairs)):
        now, our_rate = _take_up(product, region_id, day - WINDOW, day + timedelta(days=1))
        before, _rate = _take_up(product, region_id, day - 2 * WINDOW, day - WINDOW)
        market = competitor_median_apr(product, region_id, day)
        if now is None or before is None or our_rate is None or market is None:
            continue
        gap_bp = round((our_rate - market) * 10_000)
        spread = round((our_rate - float(lpr.rate)) * 10_000)
        proposed = elasticity.benchmark_adjustment(spread_bp=spread, gap_bp=gap_bp, take_up_now=now,
                                                   take_up_before=before, thresholds=thresholds)
        if proposed is None or PricingProposal.objects.filter(product=product, region_id=region_id,
                                                              status=ProposalStatus.PROPOSED).exists():
            continue
        with transaction.atomic():
            proposal = PricingProposal.objects.create(
                product=product, region_id=region_id, spread_from_bp=spread, spread_to_bp=proposed, gap_bp=gap_bp,
                take_up_before=round(before, 4), take_up_now=round(now, 4), proposed_by=actor)
            record_event(actor=actor, event_code="market.pricing_proposed", obj=proposal,
                         after=snapshot(proposal))
        proposals.append(proposal)
    return proposals


def pricing_decide(*, actor, proposal_id: int, approve: bool) -> PricingProposal:
    require(actor_of(actor), Perm.APPROVE_PRICING)
    with transaction.atomic():
        proposal = PricingProposal.objects.select_for_update().filter(pk=proposal_id).first()
        if proposal is None:
            raise ValidationError({"proposal": ["no such proposal"]})
        if proposal.status != ProposalStatus.PROPOSED:
            raise Conflict("the proposal was already decided")
        if proposal.proposed_by_id == getattr(actor, "pk", None):
            raise PermissionDenied("a proposal is approved by someone other than who raised it")
        before = snapshot(proposal)
        proposal.status = ProposalStatus.APPROVED if approve else ProposalStatus.REJECTED
        proposal.decided_by = actor
        proposal.decided_at = timezone.now()
        proposal.save(update_fields=["status", "decided_by", "decided_at"])
        record_event(actor=actor, event_code="market.pricing_decided", obj=proposal, before=before,
                     after=snapshot(proposal))
    return proposal
