"""Reads of market: the figures with their freshness, the competitor benchmark, the feedback loop, lead times
and capacity, and pilots with their design and effect. Market data is bank-wide reference data; a regional
head sees the national figures and those of the own region; lead times are read within the actor's scope."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import numpy as np
from django.db.models import Count, Q, QuerySet
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
    Pilot,
    PricingProposal,
    Tenor,
)
from lendpilot.market.pilots import design, effect
from lendpilot.org.access import Actor, actor_of, require, scope_filter
from lendpilot.org.roles import DataScope, Perm
from lendpilot.sales.models import Opportunity

LPR_MAX_AGE_DAYS = 35  # published monthly on the 20th
COMPETITOR_MAX_AGE_DAYS = 120


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


def industries(user) -> QuerySet[Industry]:
    actor = _viewer(user)
    return _regional(actor, Industry.objects.select_related("region"))


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
        cell["median_apr"] = Decimal(str(np.median([float(m.apr) for m in cell["rows"]]))).quantize(Decimal("0.0001"))
        cell["median_days"] = Decimal(str(np.median([float(m.approval_days) for m in cell["rows"]])))
    return dict(table)


def pricing_proposals(user) -> QuerySet[PricingProposal]:
    actor = _viewer(user)
    return _regional(actor, PricingProposal.objects.select_related("region", "proposed_by", "decided_by"),
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
    requests = ChangeRequest.objects.select_related("owner").annotate(evidence_count=Count("evidence"))
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
    mean_size = max(1, round(sum(c.units for c in clusters) / len(clusters))) if clusters else 1
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
