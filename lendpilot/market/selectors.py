"""Reads of market: the figures with their freshness, the competitor benchmark, the feedback loop, lead times
and capacity, and pilots with their design and effect. Market data is bank-wide reference data; a regional
head sees the national figures and those of the own region; lead times are read within the actor's scope."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import numpy as np
from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from lendpilot.core import business_calendar
from lendpilot.lending.models import Application, Decision, Loan
from lendpilot.lending.selectors import APPLICATION_OWNER
from lendpilot.market import capacity, rates
from lendpilot.market.models import (
    ChangeRequest,
    Competitor,
    CompetitorMove,
    ElasticityRun,
    Feedback,
    Indicator,
    Industry,
    LprFixing,
    OfferOutcome,
    Pilot,
    PricingProposal,
    Tenor,
)
from lendpilot.market.pilots import design, effect
from lendpilot.org.access import Actor, actor_of, require, scope_filter
from lendpilot.org.roles import DataScope, Perm
from lendpilot.sales.funnel import Node
from lendpilot.sales.models import Lead, Opportunity, Proposal
from lendpilot.scoring.models import PrescreenLog

LPR_MAX_AGE_DAYS = 35  # published monthly on the 20th
COMPETITOR_MAX_AGE_DAYS = 120
INDUSTRY_MAX_AGE_DAYS = 400  # industry studies are yearly


def _viewer(user) -> Actor:
    actor = actor_of(user)
    require(actor, Perm.VIEW_MARKET)
    return actor


def _regional(actor: Actor, queryset: QuerySet, *, nullable: bool = True) -> QuerySet:
    if actor.scope == DataScope.ALL or actor.is_system:
        return queryset
    region_id = actor.staff.region_id if actor.staff else None
    return queryset.filter(Q(region_id=region_id) | Q(region__isnull=True)) if nullable else \
        queryset.filter(region_id=region_id)


@dataclass(frozen=True)
class LprView:
    tenor: str
    rate: Decimal
    effective: date
    source: str
    stale: bool
    example_label: str  # LPR + 150bp as the customer sees it


def lpr_current(user, *, today: date | None = None) -> list[LprView]:
    _viewer(user)
    day = today or timezone.localdate()
    rows = []
    for tenor in Tenor.values:
        fixing = LprFixing.objects.filter(tenor=tenor, effective__lte=day).first()
        if fixing is not None:
            rows.append(LprView(tenor, fixing.rate, fixing.effective, fixing.source,
                                rates.is_stale(fixing.effective, today=day, max_age_days=LPR_MAX_AGE_DAYS),
                                rates.percent_label(rates.quoted_rate(fixing.rate, 150))))
    return rows


def lpr_history(user) -> QuerySet[LprFixing]:
    _viewer(user)
    return LprFixing.objects.all()


def indicators(user, *, today: date | None = None) -> list[tuple[Indicator, bool]]:
    actor = _viewer(user)
    day = today or timezone.localdate()
    rows = _regional(actor, Indicator.objects.select_related("region"))
    return [(row, rates.is_stale(row.as_of, today=day, max_age_days=row.max_age_days)) for row in rows[:500]]


def competitors(user, *, today: date | None = None) -> list[tuple[Competitor, bool]]:
    _viewer(user)
    day = today or timezone.localdate()
    return [(c, rates.is_stale(c.as_of, today=day, max_age_days=COMPETITOR_MAX_AGE_DAYS))
            for c in Competitor.objects.all()]


def competitor_moves(user) -> QuerySet[CompetitorMove]:
    actor = _viewer(user)
    return _regional(actor, CompetitorMove.objects.select_related("competitor", "region"), nullable=False)[:200]


def industries(user, *, today: date | None = None) -> list[tuple[Industry, bool]]:
    actor = _viewer(user)
    day = today or timezone.localdate()
    return [(row, rates.is_stale(row.as_of, today=day, max_age_days=INDUSTRY_MAX_AGE_DAYS))
            for row in _regional(actor, Industry.objects.select_related("region"))[:500]]


@dataclass(frozen=True)
class BenchmarkRow:
    product: str
    region: str
    competitor: str
    apr: Decimal
    approval_days: Decimal
    effective: date


def benchmark(user, *, day: date | None = None) -> dict[tuple[str, str], dict]:
    """Per product and region: each competitor's latest APR and approval days in force, with the medians."""
    actor = _viewer(user)
    as_of = day or timezone.localdate()
    latest: dict[tuple[str, str, int], CompetitorMove] = {}
    moves = _regional(actor, CompetitorMove.objects.filter(effective__lte=as_of).select_related(
        "competitor", "region"), nullable=False).order_by("-effective", "-id")
    for move in moves:
        latest.setdefault((move.product, move.region.code, move.competitor_id), move)
    table: dict[tuple[str, str], dict] = defaultdict(lambda: {"rows": []})
    for (product, region, _c), move in sorted(latest.items()):
        table[(product, region)]["rows"].append(move)
    for cell in table.values():
        cell["stale"] = rates.is_stale(max(m.effective for m in cell["rows"]), today=as_of,
                                       max_age_days=COMPETITOR_MAX_AGE_DAYS)
        cell["median_apr"] = Decimal(str(np.median([float(m.apr) for m in cell["rows"]]))).quantize(Decimal("0.0001"))
        cell["median_days"] = Decimal(str(np.median([float(m.approval_days) for m in cell["rows"]])))
    return dict(table)


def pricing_proposals(user) -> QuerySet[PricingProposal]:
    actor = _viewer(user)
    return _regional(actor, PricingProposal.objects.select_related("region", "proposed_by", "decided_by", "target"),
                     nullable=False)


def latest_elasticity(user) -> ElasticityRun | None:
    _viewer(user)
    return ElasticityRun.objects.first()


def feedback_summary(user) -> dict:
    """Feedback by source and reason, the lost-deal reasons of the sales funnel, and the change requests."""
    actor = _viewer(user)
    feedback = _regional(actor, Feedback.objects.all())
    by_reason = list(feedback.values("source", "product", "reason").annotate(n=Count("id")).order_by("-n")[:50])
    lost = scope_filter(actor, Opportunity.objects.filter(node="lost"), owner="owner")
    lost_reasons = list(lost.values("loss_reason").annotate(n=Count("id")).order_by("-n"))
    requests = ChangeRequest.objects.select_related("owner__staff").annotate(evidence_count=Count("evidence"))
    return {"by_reason": by_reason, "lost_reasons": lost_reasons, "requests": requests,
            "recent": feedback.select_related("region")[:50]}


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment).replace(tzinfo=None)


def lead_times(user, *, since: date) -> list[capacity.StageTimes]:
    """Calendar and business hours from submission through each approval level to disbursement."""
    actor = _viewer(user)
    apps = scope_filter(actor, Application.objects.filter(submitted_at__date__gte=since), owner=APPLICATION_OWNER)
    decisions = (Decision.objects.filter(application__in=apps).select_related("application__product")
                 .order_by("application_id", "decided_at"))
    durations: dict[tuple[str, str], list[float]] = defaultdict(list)
    previous: dict[int, datetime] = {}
    for d in decisions:
        start = previous.get(d.application_id) or d.application.submitted_at
        if start is None:
            continue
        durations[(f"L{d.level}", d.application.product.category)].append(
            capacity.business_hours(_local(start), _local(d.decided_at),
                                    is_business_day=business_calendar.is_business_day))
        previous[d.application_id] = d.decided_at
    for loan in Loan.objects.filter(contract__application__in=apps).select_related("contract__application__product"):
        start = previous.get(loan.contract.application_id) if loan.contract else None
        if start is not None and loan.contract is not None:
            durations[("disbursement", loan.contract.application.product.category)].append(
                capacity.business_hours(_local(start), _local(loan.created_at),
                                        is_business_day=business_calendar.is_business_day))
    return capacity.stage_percentiles(durations)


def pilots(user) -> QuerySet[Pilot]:
    _viewer(user)
    return Pilot.objects.all()


def _pilot_design(clusters: list, treated: list[bool], pilot: Pilot) -> dict:
    counted = sum(c.units for c in clusters)
    # Before any case is counted, the plan rests on the cases expected per team or branch.
    mean_size = max(1, round(counted / len(clusters)) if counted and clusters else pilot.cases_per_cluster)
    report: dict = {"plan": design.power_plan(
        p_control=float(pilot.baseline_rate), p_treatment=float(pilot.target_rate), cluster_size=mean_size,
        icc=float(pilot.icc), clusters_per_arm=max(1, sum(treated)))}
    units_t = sum(c.units for c in clusters if c.treated)
    units_c = sum(c.units for c in clusters if not c.treated)
    if units_t and units_c:
        report["ratio"] = design.sample_ratio_check(treated=units_t, control=units_c,
                                                    expected_share=sum(treated) / len(treated))
    if clusters and all(c.pre_value is not None for c in clusters):
        report["balance"] = design.pre_period_balance(
            {"metric before": [float(c.pre_value or 0) for c in clusters], "cases": [c.units for c in clusters]},
            treated)
    return report


def _pilot_effect(clusters: list, treated: list[bool], pilot: Pilot) -> dict:
    if not clusters or any(c.post_value is None or c.pre_value is None for c in clusters):
        return {}
    pre = np.array([float(c.pre_value or 0) for c in clusters])
    post = np.array([float(c.post_value or 0) for c in clusters])
    report: dict = {}
    try:
        for method in ("did", "cuped"):
            found = effect.pilot_effect(pre, post, np.array(treated), method=method)
            report[method] = {name: float(getattr(found, name)) for name in
                              ("estimate", "standard_error", "p_value", "ci_low", "ci_high")}
    except ValueError:
        return {}
    c = report["cuped"]
    report["recommendation"] = effect.recommended_decision(
        ci_low=c["ci_low"], ci_high=c["ci_high"], minimum_effect=float(pilot.target_rate - pilot.baseline_rate),
        finished=pilot.ends <= timezone.localdate())
    return report


def pilot_report(user, pilot: Pilot) -> dict:
    """The design figures before start (power, MDE, balance, split) and, with results, the DiD/CUPED effect."""
    _viewer(user)
    clusters = list(pilot.clusters.all())
    treated = [c.treated for c in clusters]
    return {"clusters": clusters} | _pilot_design(clusters, treated, pilot) | _pilot_effect(clusters, treated, pilot)


# --- the bank's offers, the input of the take-up model ---------------------------------------------------

# Where the customer met the offer: a partner's lead is the partner channel, a campaign or scenario trigger
# online, everything else (walk-in, direct, referral, no lead) the branch.
CHANNEL_OF_SOURCE = {Lead.Source.CHANNEL: "partner", Lead.Source.CAMPAIGN: "online", Lead.Source.SCENARIO: "online"}
UNGRADED = "C"  # an offer whose customer has neither an application grade nor a pre-screen: the middle grade


@dataclass(frozen=True)
class OfferRow:
    """One offer as the take-up model reads it: what was offered to whom, through which channel, against
    which competitors' rate, and whether the customer took it."""

    product: str  # category
    product_id: int | None
    region_id: int
    day: date
    rate: float
    competitor_rate: float
    grade: str
    channel: str
    amount: float
    accepted: bool


def _sales_offer_rows(actor: Actor, since: date | None) -> list[tuple]:
    """Set-based: the last proposal of every decided opportunity (won = taken up, lost = not) in scope, with
    its product category, region, risk grade and channel resolved in the one query."""
    opportunities = scope_filter(actor, Opportunity.objects.filter(node__in=(Node.WON, Node.LOST)), owner="owner")
    newer = Proposal.objects.filter(opportunity=OuterRef("opportunity"), version__gt=OuterRef("version"))
    prescreen = (PrescreenLog.objects.filter(customer=OuterRef("opportunity__customer_id"))
                 .order_by("-id").values("grade")[:1])
    channel = Case(*(When(opportunity__lead__source=source, then=Value(name))
                     for source, name in CHANNEL_OF_SOURCE.items()),
                   default=Value("branch"), output_field=CharField())
    rows = (Proposal.objects.filter(opportunity__in=opportunities).filter(~Exists(newer))
            .annotate(region_code_id=Coalesce("opportunity__customer__region", "opportunity__lead__region",
                                              "opportunity__owner__region"),
                      grade=Coalesce("opportunity__application__risk_grade", Subquery(prescreen), Value(UNGRADED),
                                     output_field=CharField()),
                      offer_channel=channel)
            .filter(region_code_id__isnull=False))
    if since is not None:
        rows = rows.filter(created_at__date__gte=since)
    return list(rows.values_list("product__category", "product_id", "region_code_id", "created_at", "annual_rate",
                                 "grade", "offer_channel", "amount", "opportunity__node"))


def _competitor_timelines(keys: set[tuple[str, int]]) -> dict[tuple[str, int], list[tuple[date, int, float]]]:
    timelines: dict[tuple[str, int], list[tuple[date, int, float]]] = defaultdict(list)
    products = {k[0] for k in keys}
    regions = {k[1] for k in keys}
    for product, region_id, effective, competitor_id, apr in (
            CompetitorMove.objects.filter(product__in=products, region_id__in=regions)
            .order_by("effective", "id").values_list("product", "region_id", "effective", "competitor_id", "apr")):
        if (product, region_id) in keys:
            timelines[(product, region_id)].append((effective, competitor_id, float(apr)))
    return timelines


def _join_competitor_rates(rows: list[tuple]) -> list[OfferRow]:
    """Each offer gets the median of every competitor's latest APR in force on its day for its product and
    region; an offer with no competitor observed yet has no gap and is left out of the model."""
    by_key: dict[tuple[str, int], list[tuple]] = defaultdict(list)
    for row in rows:
        by_key[(row[0], row[2])].append(row)
    timelines = _competitor_timelines(set(by_key))
    joined: list[OfferRow] = []
    for key, offers in by_key.items():
        moves, latest, i = timelines.get(key, []), {}, 0
        for category, product_id, region_id, day, rate, grade, channel, amount, node in sorted(
                offers, key=lambda r: r[3]):
            while i < len(moves) and moves[i][0] <= day:
                latest[moves[i][1]] = moves[i][2]
                i += 1
            if latest:
                joined.append(OfferRow(category, product_id, region_id, day, float(rate),
                                       float(np.median(list(latest.values()))), grade, channel, float(amount),
                                       node == Node.WON))
    return joined


def bank_offers(user, *, since: date | None = None) -> list[OfferRow]:
    """The offers the take-up model learns from, in the actor's scope: the sales proposals of decided
    opportunities (offered rate, risk grade, amount, channel, taken up or not) with the competitors' rate of
    the day joined from the market data, and the recorded offer outcomes kept in market (imported history)."""
    actor = _viewer(user)
    sales = [(category, product_id, region_id, timezone.localtime(created).date(), rate, grade, channel, amount,
              node) for category, product_id, region_id, created, rate, grade, channel, amount, node
             in _sales_offer_rows(actor, since)]
    rows = _join_competitor_rates(sales)
    recorded = _regional(actor, OfferOutcome.objects.all(), nullable=False)
    if since is not None:
        recorded = recorded.filter(offered_on__gte=since)
    rows.extend(OfferRow(product, None, region_id, day, float(rate), float(competitor), grade, channel,
                         float(amount), accepted)
                for product, region_id, day, rate, competitor, grade, channel, amount, accepted in recorded.values_list(
                    "product", "region_id", "offered_on", "rate", "competitor_rate", "risk_grade", "channel",
                    "amount", "accepted").iterator(chunk_size=5000))
    return rows
