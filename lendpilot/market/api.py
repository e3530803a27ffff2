"""REST endpoints of market (thin: parse, call a selector or service, return a schema). Bad input is a 422
naming the field with nothing saved; a decided proposal is a 409; a proposal approved by whoever raised it
is a 403."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from lendpilot.core.schemas import with_errors
from lendpilot.market import capacity, selectors, services
from lendpilot.market.models import Competitor
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm

router = Router()


class LprOut(Schema):
    tenor: str
    rate: Decimal
    effective: date
    source: str
    stale: bool
    example_label: str


class LprIn(Schema):
    effective: date
    tenor: Literal["1Y", "5Y"]
    rate: Decimal = Field(..., gt=0, lt=Decimal("0.2"), description="a fraction: 0.03 is 3.00%")
    source: str = Field(..., min_length=1, max_length=200)


class CompetitorMoveIn(Schema):
    competitor_id: int = Field(..., ge=1, le=2**31 - 1)
    kind: Literal["rate", "approval_time", "documents"]
    product: str = Field(..., max_length=32)
    region: str = Field(..., max_length=16)
    effective: date
    apr: Decimal = Field(..., gt=0, lt=Decimal("0.36"), max_digits=7, decimal_places=6)
    approval_days: Decimal = Field(..., ge=0, le=365, max_digits=6, decimal_places=1)
    documents: str = Field("", max_length=300)
    source: str = Field(..., min_length=1, max_length=200)


class CompetitorMoveOut(Schema):
    id: int
    competitor: str
    kind: str
    product: str
    region: str
    effective: date
    apr: Decimal
    approval_days: Decimal
    documents: str
    source: str


class IndicatorIn(Schema):
    code: str = Field(..., min_length=1, max_length=40)
    name: str = Field("", max_length=120)
    region: str = Field("", max_length=16, description="region code; empty for a national figure")
    as_of: date
    value: Decimal = Field(..., ge=Decimal("-1e11"), le=Decimal("1e11"), max_digits=16, decimal_places=4)
    unit: str = Field("", max_length=20)
    source: str = Field(..., min_length=1, max_length=200)
    max_age_days: int = Field(100, ge=1, le=3650)


class IndicatorOut(Schema):
    id: int
    code: str
    name: str
    region: str
    as_of: date
    value: Decimal
    unit: str
    source: str
    stale: bool


class CompetitorIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    kind: str = Field("", max_length=60)
    profile: str = Field("", max_length=4000)
    report: str = Field("", max_length=4000)
    source: str = Field(..., min_length=1, max_length=200)
    as_of: date


class CompetitorOut(Schema):
    id: int
    name: str
    kind: str
    profile: str
    report: str
    source: str
    as_of: date
    stale: bool


class IndustryIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    region: str = Field("", max_length=16, description="region code; empty for national")
    growth: Decimal = Field(..., gt=-1, lt=10, max_digits=7, decimal_places=4, description="a fraction: 0.12 is 12%")
    financing_need: str = Field(..., min_length=1, max_length=2000)
    source: str = Field(..., min_length=1, max_length=200)
    as_of: date


class IndustryOut(Schema):
    id: int
    name: str
    region: str
    growth: Decimal
    financing_need: str
    source: str
    as_of: date
    stale: bool


class BenchmarkOut(Schema):
    product: str
    region: str
    competitors: int
    median_apr: Decimal
    median_approval_days: Decimal


class PricingProposalOut(Schema):
    id: int
    product: str
    region: str
    gap_bp: int
    spread_from_bp: int
    spread_to_bp: int
    take_up_before: Decimal
    take_up_now: Decimal
    status: str
    product_id: int | None = Field(None, description="the catalogue product the proposal reprices")
    min_rate_from: Decimal | None = None
    min_rate_to: Decimal | None = None
    max_rate_from: Decimal | None = None
    max_rate_to: Decimal | None = None
    product_change_seq: int | None = Field(None, description="audit number of the applied product change")


class PricingDecisionIn(Schema):
    approve: bool


class ElasticityOut(Schema):
    computed_on: date
    offers: int
    rate_coefficient: float
    standard_error: float
    take_up: float
    take_up_change_per_pp: float


class FeedbackIn(Schema):
    source: Literal["manager", "lost_deal", "complaint"]
    product: str
    reason: str = Field(..., min_length=1, max_length=60)
    text: str = ""
    region: str = ""


class LeadTimeStageOut(Schema):
    stage: str
    product: str
    count: int
    p50_hours: float
    p90_hours: float
    slowest: bool


class StaffingOut(Schema):
    traffic: float
    raw: int
    staffed: int
    service_level: float
    occupancy: float


class PilotOut(Schema):
    id: int
    name: str
    metric: str
    status: str
    decision: str
    starts: date
    ends: date


class PilotIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    change: str = Field(..., min_length=1, max_length=4000)
    metric: str = Field(..., min_length=1, max_length=80)
    baseline_rate: Decimal = Field(..., gt=0, lt=1, max_digits=5, decimal_places=4)
    target_rate: Decimal = Field(..., gt=0, lt=1, max_digits=5, decimal_places=4)
    icc: Decimal = Field(Decimal("0.01"), ge=0, lt=1, max_digits=5, decimal_places=4)
    starts: date
    ends: date
    pre_starts: date | None = None
    cases_per_cluster: int = Field(0, ge=0, le=1_000_000, description="expected cases per team or branch")
    clusters: dict[str, str] = Field(..., description="team or branch code -> stratum")
    seed: int = Field(1, ge=0, le=1_000_000)


class PilotDecisionIn(Schema):
    decision: Literal["roll_out", "stop", "extend"]


def _proposal(p) -> dict:
    return {"id": p.pk, "product": p.product, "region": p.region.code, "gap_bp": p.gap_bp,
            "spread_from_bp": p.spread_from_bp, "spread_to_bp": p.spread_to_bp,
            "take_up_before": p.take_up_before, "take_up_now": p.take_up_now, "status": p.status,
            "product_id": p.target_id, "min_rate_from": p.min_rate_from, "min_rate_to": p.min_rate_to,
            "max_rate_from": p.max_rate_from, "max_rate_to": p.max_rate_to,
            "product_change_seq": p.product_change_seq}


@router.get("/lpr", response=with_errors({200: list[LprOut]}), summary="The LPR in force, with freshness")
def lpr_current(request):
    return selectors.lpr_current(request.user)


@router.post("/lpr", response=with_errors({201: LprOut}), summary="Record an LPR fixing")
def lpr_record(request, payload: LprIn):
    services.lpr_record(actor=request.user, **payload.dict())
    row = next(r for r in selectors.lpr_current(request.user, today=payload.effective) if r.tenor == payload.tenor)
    return Status(201, row)


@router.get("/benchmark", response=with_errors({200: list[BenchmarkOut]}),
            summary="Competitors' median APR and approval days per product and region")
def benchmark(request):
    return [{"product": product, "region": region, "competitors": len(cell["rows"]),
             "median_apr": cell["median_apr"], "median_approval_days": cell["median_days"]}
            for (product, region), cell in sorted(selectors.benchmark(request.user).items())]


@router.post("/moves", response=with_errors({201: dict}), summary="Record a competitor move")
def move_record(request, payload: CompetitorMoveIn):
    competitor = get_object_or_404(Competitor, pk=payload.competitor_id)
    data = payload.dict()
    data.pop("competitor_id")
    move = services.competitor_move_record(actor=request.user, competitor=competitor, **data)
    return Status(201, {"id": move.pk})


@router.get("/moves", response=with_errors({200: list[CompetitorMoveOut]}), summary="Competitor moves, newest first")
def moves(request):
    return [{"id": m.pk, "competitor": m.competitor.name, "kind": m.kind, "product": m.product,
             "region": m.region.code, "effective": m.effective, "apr": m.apr, "approval_days": m.approval_days,
             "documents": m.documents, "source": m.source} for m in selectors.competitor_moves(request.user)]


def _indicator(row, stale: bool) -> dict:
    return {"id": row.pk, "code": row.code, "name": row.name, "region": row.region.code if row.region else "",
            "as_of": row.as_of, "value": row.value, "unit": row.unit, "source": row.source, "stale": stale}


@router.get("/indicators", response=with_errors({200: list[IndicatorOut]}),
            summary="Macro and regional indicators with source, date and freshness")
def indicators(request):
    return [_indicator(row, stale) for row, stale in selectors.indicators(request.user)]


@router.post("/indicators", response=with_errors({201: IndicatorOut}), summary="Record an indicator")
def indicator_record(request, payload: IndicatorIn):
    row = services.indicator_record(actor=request.user, **payload.dict())
    stale = next(s for r, s in selectors.indicators(request.user) if r.pk == row.pk)
    return Status(201, _indicator(row, stale))


def _competitor(row, stale: bool) -> dict:
    return {"id": row.pk, "name": row.name, "kind": row.kind, "profile": row.profile, "report": row.report,
            "source": row.source, "as_of": row.as_of, "stale": stale}


@router.get("/competitors", response=with_errors({200: list[CompetitorOut]}),
            summary="Competitor profiles with source, date and freshness")
def competitors(request):
    return [_competitor(row, stale) for row, stale in selectors.competitors(request.user)]


@router.post("/competitors", response=with_errors({201: CompetitorOut}),
             summary="Save a competitor profile (a name that exists is updated)")
def competitor_save(request, payload: CompetitorIn):
    row = services.competitor_save(actor=request.user, **payload.dict())
    stale = next(s for r, s in selectors.competitors(request.user) if r.pk == row.pk)
    return Status(201, _competitor(row, stale))


def _industry(row, stale: bool) -> dict:
    return {"id": row.pk, "name": row.name, "region": row.region.code if row.region else "", "growth": row.growth,
            "financing_need": row.financing_need, "source": row.source, "as_of": row.as_of, "stale": stale}


@router.get("/industries", response=with_errors({200: list[IndustryOut]}),
            summary="High-potential industries and their financing needs")
def industries(request):
    return [_industry(row, stale) for row, stale in selectors.industries(request.user)]


@router.post("/industries", response=with_errors({201: IndustryOut}), summary="Record a high-potential industry")
def industry_save(request, payload: IndustryIn):
    row = services.industry_save(actor=request.user, **payload.dict())
    stale = next(s for r, s in selectors.industries(request.user) if r.pk == row.pk)
    return Status(201, _industry(row, stale))


@router.get("/elasticity", response=with_errors({200: ElasticityOut | None}), summary="Latest elasticity index")
def elasticity_latest(request):
    return selectors.latest_elasticity(request.user)


@router.post("/elasticity", response=with_errors({201: ElasticityOut}),
             summary="Estimate the price-elasticity index from the bank's offers")
def elasticity_estimate(request):
    return Status(201, services.elasticity_estimate(actor=request.user))


@router.get("/proposals", response=with_errors({200: list[PricingProposalOut]}),
            summary="Benchmark-adjustment proposals")
def proposals(request):
    return [_proposal(p) for p in selectors.pricing_proposals(request.user)[:200]]


@router.post("/proposals/check", response=with_errors({200: list[PricingProposalOut]}),
             summary="Raise proposals where gap and take-up drop cross the thresholds")
def proposals_check(request):
    return [_proposal(p) for p in services.pricing_check(actor=request.user)]


@router.post("/proposals/{proposal_id}/decision", response=with_errors({200: PricingProposalOut}),
             summary="Approve or reject a proposal (not by whoever raised it)")
def proposal_decide(request, proposal_id: int, payload: PricingDecisionIn):
    return _proposal(services.pricing_decide(actor=request.user, proposal_id=proposal_id, approve=payload.approve))


@router.post("/feedback", response=with_errors({201: dict}), summary="Record market feedback")
def feedback_record(request, payload: FeedbackIn):
    row = services.feedback_record(actor=request.user, day=timezone.localdate(), **payload.dict())
    return Status(201, {"id": row.pk})


@router.get("/lead-times", response=with_errors({200: list[LeadTimeStageOut]}),
            summary="p50/p90 business hours per approval level and disbursement, per product")
def lead_times(request, days: int = 180):
    return selectors.lead_times(request.user, since=timezone.localdate() - timedelta(days=max(1, min(days, 730))))


@router.get("/staffing", response=with_errors({200: StaffingOut}), summary="Erlang C staffing for a workload")
def staffing(request, cases: float = 100, interval_minutes: float = 30, handle_minutes: float = 3,
             answer_seconds: float = 20, service_level: float = 0.8, max_occupancy: float = 0.85,
             shrinkage: float = 0.3):
    require(actor_of(request.user), Perm.VIEW_MARKET)
    try:
        return capacity.required_staff(cases=cases, interval_minutes=interval_minutes, handle_minutes=handle_minutes,
                                       answer_seconds=answer_seconds, target_service_level=service_level,
                                       max_occupancy=max_occupancy, shrinkage=shrinkage)
    except ValueError as error:
        raise ValidationError({"shrinkage": [str(error)]}) from error


@router.get("/pilots", response=with_errors({200: list[PilotOut]}), summary="Pilots")
def pilots(request):
    return list(selectors.pilots(request.user)[:200])


@router.post("/pilots", response=with_errors({201: PilotOut}),
             summary="Plan a pilot: teams or branches randomised within their strata")
def pilot_plan(request, payload: PilotIn):
    return Status(201, services.pilot_plan(actor=request.user, **payload.dict()))


@router.get("/pilots/{pilot_id}", response=with_errors({200: dict}), summary="A pilot's design and effect")
def pilot_report(request, pilot_id: int):
    pilot = get_object_or_404(selectors.pilots(request.user), pk=pilot_id)
    report = selectors.pilot_report(request.user, pilot)
    plan = report["plan"]
    return {"id": pilot.pk, "status": pilot.status, "decision": pilot.decision,
            "per_arm_unclustered": plan.per_arm_unclustered, "design_effect": plan.design_effect,
            "per_arm_clustered": plan.per_arm_clustered, "minimum_detectable_effect": plan.minimum_detectable_effect,
            "sample_ratio_mismatch": report["ratio"].mismatch if "ratio" in report else None,
            "did": report.get("did"), "cuped": report.get("cuped"), "recommendation": report.get("recommendation")}


@router.post("/pilots/{pilot_id}/start", response=with_errors({200: PilotOut}), summary="Start a planned pilot")
def pilot_start(request, pilot_id: int):
    get_object_or_404(selectors.pilots(request.user), pk=pilot_id)
    return services.pilot_start(actor=request.user, pilot_id=pilot_id)


@router.post("/pilots/{pilot_id}/decision", response=with_errors({200: PilotOut}),
             summary="Roll out, stop or extend a pilot")
def pilot_decide(request, pilot_id: int, payload: PilotDecisionIn):
    get_object_or_404(selectors.pilots(request.user), pk=pilot_id)
    return services.pilot_decide(actor=request.user, pilot_id=pilot_id, decision=payload.decision)
