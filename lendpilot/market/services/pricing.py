"""Competitor response: estimate the price-elasticity index from the bank's offers, raise benchmark-adjustment
proposals where the gap to competitors and the fall in take-up cross their thresholds, and decide them
(maker-checker: whoever raised a proposal cannot approve it)."""

from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from statistics import median

import numpy as np
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from lendpilot.compliance.audit import record_event, snapshot
from lendpilot.compliance.models import AuditEvent
from lendpilot.core.errors import Conflict
from lendpilot.market import elasticity, selectors
from lendpilot.market.models import (
    CompetitorMove,
    ElasticityRun,
    LprFixing,
    PricingProposal,
    ProposalStatus,
    Tenor,
)
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm
from lendpilot.products.models import Product
from lendpilot.products.services import product_update

WINDOW = timedelta(days=30)
RATE_PLACES = Decimal("0.000001")


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
    """Fit the take-up model on the bank's own offers in the actor's scope (selectors.bank_offers: the sales
    proposals of decided opportunities with the competitor gap joined, and recorded offer outcomes)."""
    require(actor_of(actor), Perm.MANAGE_MARKET)
    rows = [(o.rate, o.competitor_rate, o.grade, o.channel, o.amount, o.accepted)
            for o in selectors.bank_offers(actor, since=since)]
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


def _take_up(offers: list[selectors.OfferRow], start: date, end: date) -> tuple[float | None, float | None]:
    """Share taken up and mean offered rate of the offers made in [start, end)."""
    window = [o for o in offers if start <= o.day < end]
    if not window:
        return None, None
    return (sum(o.accepted for o in window) / len(window), sum(o.rate for o in window) / len(window))


def _target_product(offers: list[selectors.OfferRow], category: str) -> Product | None:
    """The catalogue product the proposal reprices: the one most offered in the window, else the category's
    first active product."""
    counts = Counter(o.product_id for o in offers if o.product_id is not None)
    for product_id, _n in counts.most_common():
        found = Product.objects.filter(pk=product_id, category=category).first()
        if found is not None:
            return found
    return Product.objects.filter(category=category, is_active=True).order_by("code").first()


def _rate_diff(product: Product | None, change_bp: int) -> dict:
    """The product's annual rate range now and moved by the spread change (never below zero)."""
    if product is None:
        return {}
    delta = Decimal(change_bp) / 10_000
    low = max(Decimal(0), product.min_annual_rate + delta).quantize(RATE_PLACES)
    high = max(low, product.max_annual_rate + delta).quantize(RATE_PLACES)
    return {"target": product, "min_rate_from": product.min_annual_rate, "min_rate_to": low,
            "max_rate_from": product.max_annual_rate, "max_rate_to": high}


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
    grouped: dict[tuple[str, int], list[selectors.OfferRow]] = defaultdict(list)
    for offer in selectors.bank_offers(actor, since=day - 2 * WINDOW):
        grouped[(offer.product, offer.region_id)].append(offer)
    for (product, region_id), offers in sorted(grouped.items()):
        now, our_rate = _take_up(offers, day - WINDOW, day + timedelta(days=1))
        before, _rate = _take_up(offers, day - 2 * WINDOW, day - WINDOW)
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
                take_up_before=round(before, 4), take_up_now=round(now, 4), proposed_by=actor,
                **_rate_diff(_target_product(offers, product), proposed - spread))
            record_event(actor=actor, event_code="market.pricing_proposed", obj=proposal,
                         after=snapshot(proposal))
        proposals.append(proposal)
    return proposals


def _apply_to_product(actor, proposal: PricingProposal, product_id: int) -> int | None:
    """Reprice the catalogue product by exactly the diff the approver saw (through the product service, which
    checks and audits the change); a product repriced since the proposal is a conflict, not a silent merge.
    Returns the audit number of the product change."""
    product = Product.objects.select_for_update().get(pk=product_id)
    if (product.min_annual_rate, product.max_annual_rate) != (proposal.min_rate_from, proposal.max_rate_from):
        raise Conflict("the product's rates changed since the proposal; check the thresholds again")
    product_update(actor=actor, product=product, min_annual_rate=proposal.min_rate_to,
                   max_annual_rate=proposal.max_rate_to)
    change = (AuditEvent.objects.filter(event_code="products.product_updated", object_type="products.product",
                                        object_id=str(product.pk)).order_by("-seq").values_list("seq", flat=True)
              .first())
    return change


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
        if approve and proposal.target_id is not None:
            proposal.product_change_seq = _apply_to_product(actor, proposal, proposal.target_id)
        proposal.save(update_fields=["status", "decided_by", "decided_at", "product_change_seq"])
        record_event(actor=actor, event_code="market.pricing_decided", obj=proposal, before=before,
                     after=snapshot(proposal))
    return proposal
