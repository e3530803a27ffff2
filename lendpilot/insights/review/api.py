"""REST endpoints of the review cycle: funnel diagnostics, conversion analysis, action items and the
biweekly review report (B9, B10, B11, F2, F4). Thin: parse, call a selector or service, return a schema.

A slice is `dimension` (bank, region, team, manager, product, channel, tier) and `key`; without them the
user's own scope. A period is `start` and `end` (dates, inclusive); without them the last complete biweek.
"""

from datetime import date, datetime
from typing import Annotated

from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from lendpilot.core.schemas import Id, IsoDate, Page, PathId, Text, with_errors
from lendpilot.insights.review import actions, selectors
from lendpilot.insights.review.report import (
    conversion_payload,
    funnel_payload,
    period_label,
    period_out,
    report_rows,
    review_period,
    slice_out,
    to_pdf,
    to_xlsx,
)

router = Router()

Dimension = Annotated[str | None, Query(None, max_length=16, pattern=r"^[a-z]*$")]
Key = Annotated[str | None, Query(None, max_length=40, pattern=r"^[A-Za-z0-9_\-]*$")]


class ReviewSliceOut(Schema):
    dimension: str
    key: str
    label: str


class ReviewPeriodOut(Schema):
    start: date
    end: date


class FunnelStageOut(Schema):
    stage: str
    entered: int
    advanced: int
    lost: int
    decided: int
    conversion_pct: float | None
    loss_pct: float | None
    baseline_advanced: int
    baseline_lost: int
    baseline_loss_pct: float | None
    excess_points: float | None
    judged: bool
    flagged: bool
    action_item_id: int | None


class FunnelDiagnosisOut(Schema):
    slice: ReviewSliceOut
    period: ReviewPeriodOut
    baseline_periods: list[ReviewPeriodOut]
    threshold_points: float
    min_volume: int
    created: int
    nodes: list[FunnelStageOut]
    flagged: list[str]


class DiagnoseIn(Schema):
    dimension: str | None = Field(None, max_length=16)
    key: str | None = Field(None, max_length=40)
    start: IsoDate | None = None
    end: IsoDate | None = None
    baseline_periods: int | None = Field(None, ge=1, le=24)
    threshold: float | None = Field(None, ge=0, lt=1)
    min_volume: int | None = Field(None, ge=0, le=1_000_000)


class ConversionSegmentOut(Schema):
    key: list[str]
    labels: list[str]
    opened: int
    won: int
    conversion_pct: float | None
    low_pct: float | None
    high_pct: float | None
    ranked: bool


class ConversionOut(Schema):
    slice: ReviewSliceOut
    period: ReviewPeriodOut
    dimensions: list[str]
    confidence: float
    min_volume: int
    opened: int
    won: int
    conversion_pct: float | None
    segments: list[ConversionSegmentOut]
    best: list[ConversionSegmentOut]
    worst: list[ConversionSegmentOut]


class MemberIn(Schema):
    user_id: Id
    function: Text(16)


class MemberOut(Schema):
    user_id: int
    function: str


class HistoryOut(Schema):
    from_status: str
    to_status: str
    actor_label: str
    note: str
    at: datetime


class ActionItemOut(Schema):
    id: int
    title: str
    description: str
    source_kind: str
    source_ref: str
    owner_id: int
    created_by_id: int | None
    status: str
    sla_hours: int
    created_at: datetime
    due_at: datetime
    started_at: datetime | None
    closed_at: datetime | None
    outcome: str
    escalated: bool
    escalated_at: datetime | None
    escalated_to_id: int | None
    overdue: bool

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_live and obj.due_at < timezone.now()


class ActionItemDetailOut(ActionItemOut):
    members: list[MemberOut]
    history: list[HistoryOut]

    @staticmethod
    def resolve_members(obj):
        return list(obj.members.all())

    @staticmethod
    def resolve_history(obj):
        return list(obj.status_history.all())


class ActionItemIn(Schema):
    title: Text(200)
    description: Text(4000) = ""
    owner_id: Id | None = None
    members: list[MemberIn] = Field(default_factory=list, max_length=20)
    sla_hours: int | None = Field(None, ge=1, le=1440)


class FromAlertIn(Schema):
    alert_id: Id
    owner_id: Id | None = None
    members: list[MemberIn] = Field(default_factory=list, max_length=20)


class ActionOutcomeIn(Schema):
    outcome: Text(4000)


class ReasonIn(Schema):
    reason: Text(500)


class EscalatedOut(Schema):
    escalated: int


def _today() -> date:
    return timezone.localdate()


@router.get("/review/funnel", response=with_errors({200: FunnelDiagnosisOut}))
def funnel_get(request, dimension: Dimension = None, key: Key = None, start: IsoDate | None = None,
               end: IsoDate | None = None, baseline_periods: int | None = Query(None, ge=1, le=24),
               threshold: float | None = Query(None, ge=0, lt=1),
               min_volume: int | None = Query(None, ge=0, le=1_000_000)):
    """Conversion and loss per funnel node for a slice and period, judged against the previous periods."""
    sl = selectors.resolve_slice(request.user, dimension, key)
    period = review_period(start, end, today=_today())
    result = selectors.funnel_diagnosis(request.user, sl, period, baseline_periods=baseline_periods,
                                               threshold=None if threshold is None else str(threshold),
                                               min_volume=min_volume)
    return funnel_payload(result, sl)


@router.post("/review/funnel/diagnose", response=with_errors({200: FunnelDiagnosisOut}))
def funnel_diagnose(request, body: DiagnoseIn):
    """Diagnose and open one improvement action item per flagged node (idempotent per slice, node, period)."""
    sl = selectors.resolve_slice(request.user, body.dimension, body.key)
    period = review_period(body.start, body.end, today=_today())
    result = actions.action_items_from_funnel(
        actor=request.user, the_slice=sl, period=period, baseline_periods=body.baseline_periods,
        threshold=None if body.threshold is None else str(body.threshold), min_volume=body.min_volume)
    return funnel_payload(result, sl)


@router.get("/review/conversion", response=with_errors({200: ConversionOut}))
def conversion_get(request, dimension: Dimension = None, key: Key = None, start: IsoDate | None = None,
                   end: IsoDate | None = None, by: str | None = Query(None, max_length=40, pattern=r"^[a-z,]*$"),
                   min_volume: int | None = Query(None, ge=1, le=1_000_000),
                   confidence: float | None = Query(None, ge=0.5, lt=1), top: int = Query(5, ge=1, le=50)):
    """Conversion by channel x product x tier (or the dimensions in `by`) with Wilson intervals."""
    sl = selectors.resolve_slice(request.user, dimension, key)
    period = review_period(start, end, today=_today())
    result = selectors.conversion_analysis(request.user, sl, period, by=by, min_volume=min_volume,
                                                  confidence=confidence, top=top)
    return conversion_payload(result, sl, period)


class BiweeklyReviewOut(Schema):
    slice: ReviewSliceOut
    period: ReviewPeriodOut
    metrics: list[dict]
    metrics_note: str
    funnel: FunnelDiagnosisOut
    conversion: ConversionOut
    open_items: list[ActionItemOut]
    closed_items: list[ActionItemOut]


@router.get("/review/report", response=with_errors({200: BiweeklyReviewOut}))
def review_get(request, dimension: Dimension = None, key: Key = None, start: IsoDate | None = None,
               end: IsoDate | None = None):
    """The biweekly review (B9) of a scope and period: metrics with deviations, funnel diagnosis, top and
    bottom segments, open and closed action items."""
    sl = selectors.resolve_slice(request.user, dimension, key)
    period = review_period(start, end, today=_today())
    report = selectors.review_report(request.user, sl, period)
    return {"slice": slice_out(sl), "period": period_out(period), "metrics": report["metrics"],
            "metrics_note": report["metrics_note"], "funnel": funnel_payload(report["funnel"], sl),
            "conversion": conversion_payload(report["conversion"], sl, period),
            "open_items": report["open_items"], "closed_items": report["closed_items"]}


@router.get("/review/report.xlsx", response=with_errors({200: None}),
            summary="The biweekly review of a scope and period as Excel")
def review_xlsx(request, dimension: Dimension = None, key: Key = None, start: IsoDate | None = None,
                end: IsoDate | None = None):
    return review_file(request, "xlsx", dimension=dimension, key=key, start=start, end=end)


@router.get("/review/report.pdf", response=with_errors({200: None}),
            summary="The biweekly review of a scope and period as PDF")
def review_pdf(request, dimension: Dimension = None, key: Key = None, start: IsoDate | None = None,
               end: IsoDate | None = None):
    return review_file(request, "pdf", dimension=dimension, key=key, start=start, end=end)


def review_file(request, fmt: str, *, dimension, key, start, end) -> HttpResponse:
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if fmt not in ("xlsx", "pdf"):
        raise ValidationError({"format": _("the report is exported as xlsx or pdf")})
    sl = selectors.resolve_slice(request.user, dimension, key)
    period = review_period(start, end, today=_today())
    report = selectors.review_report(request.user, sl, period)
    title = _("Biweekly review")
    generated = _("generated %(at)s") % {"at": f"{timezone.localtime():%Y-%m-%d %H:%M}"}
    subtitle = f"{sl.label} · {period_label(period)} · {generated}"
    sheets = report_rows(report)
    if fmt == "xlsx":
        content = to_xlsx(sheets, title=title, subtitle=subtitle)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content = to_pdf(sheets, title=title, subtitle=subtitle)
        kind = "application/pdf"
    response = HttpResponse(content, content_type=kind)
    name = f"review-{sl.dimension}{('-' + sl.key) if sl.key else ''}-{period.start}-{period.end}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get("/action-items", response=with_errors({200: list[ActionItemOut]}))
@paginate(Page)
def action_item_list(request, status: str | None = Query(None, pattern="^(open|in_progress|done|cancelled)$"),
                     source_kind: str | None = Query(None, pattern="^(manual|diagnostic|alert)$"),
                     overdue: bool = False):
    return selectors.action_items_for(request.user, status=status, source_kind=source_kind,
                                             overdue_only=overdue)


@router.post("/action-items", response=with_errors({200: ActionItemDetailOut}))
def action_item_create(request, body: ActionItemIn):
    """Open an action item by hand, with its owner and squad; due after the SLA in business hours."""
    return actions.action_item_create(
        actor=request.user, title=body.title, description=body.description, owner_id=body.owner_id,
        members=actions.parse_members(m.dict() for m in body.members), sla_hours=body.sla_hours)


@router.post("/action-items/from-alert", response=with_errors({200: ActionItemDetailOut}))
def action_item_from_alert(request, body: FromAlertIn):
    """Open (once) the action item of an early-warning alert."""
    return actions.action_item_from_alert(actor=request.user, alert_id=body.alert_id, owner_id=body.owner_id,
                                          members=actions.parse_members(m.dict() for m in body.members))


@router.post("/action-items/escalate", response=with_errors({200: EscalatedOut}))
def action_items_escalate(request):
    """Escalate the overdue action items now (the daily job does the same)."""
    return {"escalated": actions.action_items_escalate_overdue(actor=request.user)}


@router.get("/action-items/{item_id}", response=with_errors({200: ActionItemDetailOut}))
def action_item_get(request, item_id: PathId):
    from django.shortcuts import get_object_or_404

    return get_object_or_404(selectors.action_items_visible(request.user), pk=item_id)


@router.post("/action-items/{item_id}/start", response=with_errors({200: ActionItemDetailOut}))
def action_item_start(request, item_id: PathId):
    return actions.action_item_start(actor=request.user, item_id=item_id)


@router.post("/action-items/{item_id}/close", response=with_errors({200: ActionItemDetailOut}))
def action_item_close(request, item_id: PathId, body: ActionOutcomeIn):
    return actions.action_item_close(actor=request.user, item_id=item_id, outcome=body.outcome)


@router.post("/action-items/{item_id}/cancel", response=with_errors({200: ActionItemDetailOut}))
def action_item_cancel(request, item_id: PathId, body: ReasonIn):
    return actions.action_item_cancel(actor=request.user, item_id=item_id, reason=body.reason)
