"""REST endpoints of incentives (thin: parse, call a selector or service, return a schema).

A plan that does not parse is a 422 naming the field; re-approving or re-resolving is a 409.
"""


from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from lendpilot.core.schemas import IsoDate, PathId, with_errors
from lendpilot.incentives import selectors, services
from lendpilot.incentives.models import CommissionPlan, IncentivePool
from lendpilot.incentives.schemas import (
    ApproveMonthOut,
    CommissionPlanIn,
    CommissionPlanOut,
    DisputeIn,
    DisputeOut,
    GrantIn,
    HonourOut,
    MonthToDateOut,
    PeerRatingIn,
    PeerRatingOut,
    PeerSummaryOut,
    PoolIn,
    RecalculateIn,
    ResolveIn,
    RetentionOut,
    RunIn,
    RunOut,
    StatementOut,
)
from lendpilot.org.access import actor_of, require, scope_filter
from lendpilot.org.models import Staff
from lendpilot.org.roles import Perm

router = Router()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _statement_out(st, *, lines: bool = False) -> dict:
    out = {"id": st.pk, "staff_id": st.staff_id, "staff_name": st.staff.name, "month": st.month, "quota": st.quota,
           "disbursed": st.disbursed, "attainment": st.attainment, "multiplier": st.multiplier, "total": st.total,
           "status": st.status, "version": st.version, "lines": []}
    if lines:
        out["lines"] = [{"id": row["line"].pk, "loan_id": row["line"].loan_id,
                         "loan_number": row["line"].loan.number if row["line"].loan_id else None,
                         "rule": row["line"].rule, "description": row["words"], "basis": row["line"].basis,
                         "rate": row["line"].rate, "multiplier": row["line"].multiplier, "amount": row["line"].amount}
                        for row in selectors.statement_line_rows(st)]
    return out


@router.get("/plans", response=with_errors({200: list[CommissionPlanOut]}), summary="Commission plans")
def plan_list(request):
    require(actor_of(request.user), Perm.VIEW_INCENTIVES)
    return list(CommissionPlan.objects.order_by("-version")[:100])


@router.post("/plans", response=with_errors({201: CommissionPlanOut}), summary="Publish a commission plan (data)")
def plan_publish(request, payload: CommissionPlanIn):
    return Status(201, services.commission_plan_publish(actor=request.user, name=payload.name, spec=payload.spec))


@router.post("/statements/run", response=with_errors({200: RunOut}),
             summary="Compute the month's statements (drafts replaced, approved kept)")
def statements_run(request, payload: RunIn):
    return services.commission_run(actor=request.user, month=payload.month, reason=payload.reason)


@router.post("/statements/approve", response=with_errors({200: ApproveMonthOut}),
             summary="Approve every undisputed draft statement of the month")
def statements_approve(request, payload: RunIn):
    return services.statements_approve(actor=request.user, month=payload.month)


@router.get("/statements", response=with_errors({200: list[StatementOut]}), summary="Statements in scope")
def statement_list(request, month: IsoDate | None = None):
    return [_statement_out(st) for st in selectors.statements_visible(actor_of(request.user), month=month)[:5000]]


@router.get("/statements/export.xlsx", summary="The month's statements and every line as Excel",
            response=with_errors({200: None}))
def statements_export(request, month: IsoDate):
    data = selectors.statements_xlsx(selectors.statements_visible(actor_of(request.user), month=month))
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="commission-{month:%Y-%m}.xlsx"'
    return response


@router.get("/statements/{statement_id}", response=with_errors({200: StatementOut}),
            summary="One statement with every line (loan and rule)")
def statement_detail(request, statement_id: PathId):
    return _statement_out(selectors.statement_get(actor_of(request.user), statement_id), lines=True)


@router.post("/statements/{statement_id}/recalculate", response=with_errors({200: StatementOut}),
             summary="Recalculate one draft statement: same id, a new version if the figures changed")
def statement_recalculate(request, statement_id: PathId, payload: RecalculateIn):
    st = selectors.statement_get(actor_of(request.user), statement_id)
    return _statement_out(services.statement_recalculate(actor=request.user, statement=st, reason=payload.reason),
                          lines=True)


@router.get("/month-to-date", response=with_errors({200: MonthToDateOut}),
            summary="My commission for the running month so far, computed live from disbursed loans (404 for "
                    "people who earn no commission, or before a plan is published)")
def month_to_date(request):
    mtd = selectors.my_commission_month_to_date(actor_of(request.user))
    if mtd is None:
        raise Http404("no month-to-date commission")
    return mtd.__dict__


@router.post("/statements/{statement_id}/approve", response=with_errors({200: StatementOut}))
def statement_approve(request, statement_id: PathId):
    st = selectors.statement_get(actor_of(request.user), statement_id)
    return _statement_out(services.statement_approve(actor=request.user, statement=st), lines=True)


@router.post("/statements/{statement_id}/disputes", response=with_errors({201: DisputeOut}),
             summary="Dispute a statement or one of its lines")
def dispute_open(request, statement_id: PathId, payload: DisputeIn):
    st = selectors.statement_get(actor_of(request.user), statement_id)
    line = None
    if payload.line_id is not None:
        line = st.lines.filter(pk=payload.line_id).first()
        if line is None:
            raise ValidationError({"line_id": ["the line is not on this statement"]})
    return Status(201, services.dispute_open(actor=request.user, statement=st, reason=payload.reason, line=line))


@router.post("/disputes/{dispute_id}/resolve", response=with_errors({200: DisputeOut}))
def dispute_resolve(request, dispute_id: PathId, payload: ResolveIn):
    dispute = selectors.dispute_get(actor_of(request.user), dispute_id)
    return services.dispute_resolve(actor=request.user, dispute=dispute, resolution=payload.resolution)


@router.post("/honours/run", response=with_errors({200: list[HonourOut]}), summary="Award the month's honours")
def honours_run(request, payload: RunIn):
    services.honours_award(actor=request.user, month=payload.month)
    return honours_list(request, payload.month)


@router.get("/honours", response=with_errors({200: list[HonourOut]}))
def honours_list(request, month: IsoDate | None = None):
    return [{"month": h.month, "kind": h.kind, "staff_id": h.staff_id, "staff_name": h.staff.name, "value": h.value,
             "tie_break": h.tie_break} for h in selectors.honours_visible(actor_of(request.user), month=month)[:500]]


@router.get("/leaderboard", response=with_errors({200: list[dict]}))
def leaderboard(request, month: IsoDate):
    return selectors.leaderboard(actor_of(request.user), month=month)


@router.get("/appraisal", response=with_errors({200: list[dict]}),
            summary="Appraisal scores: monthly (months=1) or quarterly (months=3); teamwork from peer ratings, "
                    "NPS, training completion, drill scores and complaints per 100 customers a month (null when "
                    "not available, weight re-normalised)")
def appraisal_scores(request, start: IsoDate, months: int = 1):
    if months not in (1, 3):
        raise ValidationError({"months": ["1 (monthly) or 3 (quarterly)"]})
    return selectors.appraisal_scores(actor_of(request.user), start=start, months=months)


def _rating_out(r) -> dict:
    return {"id": r.pk, "ratee_id": r.ratee_id, "ratee_name": r.ratee.name, "month": r.month, "score": r.score,
            "comment": r.comment}


@router.post("/peer-ratings", response=with_errors({201: PeerRatingOut}),
             summary="Rate a team mate's teamwork for the month (1-5, once a month, not oneself)")
def peer_rating_submit(request, payload: PeerRatingIn):
    actor = actor_of(request.user)
    ratee = selectors.team_mates(actor).filter(pk=payload.ratee_id).first()
    if ratee is None:
        raise ValidationError({"ratee_id": ["only an active member of your own team, not yourself"]})
    rating = services.peer_rating_submit(actor=request.user, ratee=ratee, month=payload.month, score=payload.score,
                                         comment=payload.comment)
    return Status(201, _rating_out(rating))


@router.get("/peer-ratings", response=with_errors({200: list[PeerRatingOut]}),
            summary="The ratings I gave for the month")
def peer_ratings_given(request, month: IsoDate):
    return [_rating_out(r) for r in selectors.peer_ratings_given(actor_of(request.user), month=month)]


@router.get("/peer-ratings/summary", response=with_errors({200: list[PeerSummaryOut]}),
            summary="Ratings received per person in scope: number and average (anonymous)")
def peer_summary(request, month: IsoDate):
    return selectors.peer_summary(actor_of(request.user), month=month)


@router.post("/pools", response=with_errors({201: dict}), summary="A profit-share or equity pool")
def pool_create(request, payload: PoolIn):
    pool = services.pool_create(actor=request.user, **payload.dict())
    return Status(201, {"id": pool.pk, "name": pool.name, "kind": pool.kind, "total": str(pool.total)})


@router.post("/pools/{pool_id}/grants", response=with_errors({201: dict}), summary="Grant from a pool with vesting")
def grant_make(request, pool_id: PathId, payload: GrantIn):
    actor = actor_of(request.user)
    require(actor, Perm.MANAGE_LTI)
    pool = get_object_or_404(IncentivePool, pk=pool_id)
    staff = scope_filter(actor, Staff.objects.filter(pk=payload.staff_id), owner="").first()
    if staff is None:
        raise ValidationError({"staff_id": ["no such person"]})
    grant = services.grant_make(actor=request.user, pool=pool, staff=staff, amount=payload.amount,
                                granted_on=payload.granted_on, vesting_months=payload.vesting_months,
                                cliff_months=payload.cliff_months)
    return Status(201, {"id": grant.pk, "amount": str(grant.amount)})


@router.get("/retention", response=with_errors({200: list[RetentionOut]}),
            summary="Who holds unvested value and who is at risk")
def retention(request, as_of: IsoDate | None = None):
    return [r.__dict__ for r in selectors.retention(actor_of(request.user), as_of=as_of)]
