"""REST endpoints of monitoring (thin: parse, call a selector or service, return a schema)."""


from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.pagination import paginate

from lendpilot.core.schemas import IsoDate, Page, PathId, with_errors
from lendpilot.customers.selectors import customers_visible
from lendpilot.monitoring import selectors, services
from lendpilot.monitoring.models import IndustryProposal, Intervention
from lendpilot.monitoring.schemas import (
    AcceptIn,
    AlertDetailOut,
    AlertOut,
    CloseIn,
    DecideIn,
    EodRunIn,
    EodRunOut,
    ExternalEventIn,
    ExternalEventOut,
    FeedIn,
    FeedOut,
    InterventionOut,
    OutcomeIn,
    PortfolioAlertOut,
    ProposalOut,
    ProposalsDecideIn,
    ReviewOut,
    RulesIn,
    RulesOut,
    SnapshotOut,
)
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm

router = Router()


@router.get("/alerts", response=with_errors({200: list[AlertOut]}))
@paginate(Page)
def alert_list(request, status: str = Query("open", pattern="^(open|closed|all)$")):
    return selectors.alerts_for(request.user, status=None if status == "all" else status)


@router.get("/alerts/{alert_id}", response=with_errors({200: AlertDetailOut}))
def alert_get(request, alert_id: PathId):
    return get_object_or_404(selectors.alerts_for(request.user, status=None), pk=alert_id)


@router.post("/alerts/{alert_id}/close", response=with_errors({200: AlertOut}))
def alert_close(request, alert_id: PathId, body: CloseIn):
    alert = get_object_or_404(selectors.alerts_for(request.user, status=None), pk=alert_id)
    return services.alert_close(actor=request.user, alert=alert, reason=body.reason)


@router.post("/interventions/{step_id}/complete", response=with_errors({200: InterventionOut}))
def intervention_complete(request, step_id: PathId, body: OutcomeIn):
    alerts = selectors.alerts_for(request.user, status=None)
    step = get_object_or_404(Intervention.objects.filter(alert__in=alerts), pk=step_id)
    return services.intervention_complete(actor=request.user, intervention=step, outcome=body.outcome)


@router.get("/eod-runs", response=with_errors({200: list[EodRunOut]}))
@paginate(Page)
def eod_run_list(request):
    return selectors.eod_runs(request.user)


@router.post("/eod-runs", response=with_errors({200: EodRunOut}))
def eod_run_start(request, body: EodRunIn):
    return services.eod_run(actor=request.user, business_date=body.business_date, rerun=body.rerun,
                            trigger="user")


@router.get("/snapshots", response=with_errors({200: list[SnapshotOut]}))
@paginate(Page)
def snapshot_list(request, dimension: str = Query("all", pattern="^(all|product|region|team|manager|industry|tier"
                                                                   "|class)$"),
                  since: IsoDate | None = None):
    qs = selectors.snapshots(request.user, dimension=dimension)
    return qs.filter(business_date__gte=since) if since else qs


@router.post("/transactions", response=with_errors({200: FeedOut}))
def feed_import(request, body: FeedIn):
    return services.transactions_import(actor=request.user, rows=[r.model_dump() for r in body.rows],
                                        batch=body.batch)


@router.get("/line-reviews", response=with_errors({200: list[ReviewOut]}))
@paginate(Page)
def line_review_list(request, status: str | None = Query(None, pattern="^(applied|pending|approved|rejected)$")):
    qs = selectors.line_reviews_for(request.user)
    return qs.filter(status=status) if status else qs


@router.post("/line-reviews/{review_id}/decide", response=with_errors({200: ReviewOut}))
def line_review_decide(request, review_id: PathId, body: DecideIn):
    review = get_object_or_404(selectors.line_reviews_for(request.user), pk=review_id)
    return services.line_review_decide(actor=request.user, review=review, approve=body.approve)


@router.get("/rules", response=with_errors({200: RulesOut}))
def rules_active(request):
    require(actor_of(request.user), Perm.VIEW_MONITORING)
    return services.active_ruleset()


@router.post("/rules", response=with_errors({200: RulesOut}))
def rules_publish(request, body: RulesIn):
    return services.ruleset_publish(actor=request.user, thresholds=body.thresholds, note=body.note)


@router.post("/external-events", response=with_errors({200: ExternalEventOut}))
def external_event_record(request, body: ExternalEventIn):
    customer = get_object_or_404(customers_visible(actor_of(request.user)), pk=body.customer_id)
    return services.external_event_record(actor=request.user, customer=customer, kind=body.kind,
                                          occurred_on=body.occurred_on, reference=body.reference,
                                          detail=body.detail)


@router.get("/portfolio-alerts", response=with_errors({200: list[PortfolioAlertOut]}))
@paginate(Page)
def portfolio_alert_list(request):
    return selectors.portfolio_alerts(request.user)


@router.get("/industry-proposals", response=with_errors({200: list[ProposalOut]}))
@paginate(Page)
def proposal_list(request):
    return selectors.industry_proposals(request.user)


@router.post("/industry-proposals/decide", response=with_errors({200: list[ProposalOut]}))
def proposals_decide(request, body: ProposalsDecideIn):
    """The risk committee accepts (one new policy version with the admissions and risk premiums) or
    rejects several industry proposals at once."""
    proposals = list(IndustryProposal.objects.filter(pk__in=body.ids))
    if len(proposals) != len(set(body.ids)):
        raise Http404
    return services.industry_proposals_decide(actor=request.user, proposals=proposals, accept=body.accept)


@router.post("/industry-proposals/{proposal_id}/decide", response=with_errors({200: ProposalOut}))
def proposal_decide(request, proposal_id: PathId, body: AcceptIn):
    proposal = get_object_or_404(IndustryProposal, pk=proposal_id)
    return services.industry_proposal_decide(actor=request.user, proposal=proposal, accept=body.accept)
