"""REST endpoints of sales (thin: parse, call a selector or service, return a schema).

Reads are scoped: a lead or opportunity outside the caller's scope is a 404, like one that does not
exist. Illegal node moves, proposals outside the product or the rate authority and assignments to a
manager outside the caller's scope or over capacity are 422 answers naming the field; nothing is written.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from lendpilot.core.schemas import ERRORS, Page, PathId, SearchText, api_field_names, with_errors
from lendpilot.customers.selectors import customers_visible
from lendpilot.org.access import actor_of, require
from lendpilot.org.models import Region
from lendpilot.org.roles import Perm
from lendpilot.products.models import Product
from lendpilot.sales import selectors, services
from lendpilot.sales.models import PlaybookEntry
from lendpilot.sales.schemas import (
    ActivityIn,
    ActivityOut,
    AssignmentApplyIn,
    AssignmentIn,
    AssignmentPlanOut,
    EntryKindCode,
    FunnelOut,
    LeadIn,
    LeadOut,
    LeadStatusCode,
    MoveIn,
    NodeCode,
    OpportunityIn,
    OpportunityOut,
    PlaybookIn,
    PlaybookOut,
    ProposalIn,
    ProposalOut,
    ResourcePackIn,
    ResourcePackOut,
    SourceCode,
    SyncOut,
    TierCode,
    TransitionOut,
    UseOut,
)

router = Router()


def _product(product_id: int | None, field: str = "product_id") -> Product | None:
    if product_id is None:
        return None
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise ValidationError({field: _("no such product")})
    return product


# --- leads ----------------------------------------------------------------------------------------

@router.get("/leads", response=with_errors({200: list[LeadOut]}), summary="Leads in the caller's scope")
@paginate(Page)
def lead_list(request, status: LeadStatusCode | None = None, source: SourceCode | None = None,
              search: SearchText = None):
    return selectors.leads_visible(actor_of(request.auth), status=status, source=source, search=search)


@router.get("/leads/{lead_id}", response=with_errors({200: LeadOut}), summary="One lead")
def lead_detail(request, lead_id: PathId):
    return selectors.lead_get(actor_of(request.auth), lead_id)


@router.post("/leads", response={201: LeadOut, **ERRORS},
             summary="Take in a lead: de-duplicated (409 naming the identifier) and screened")
def lead_create(request, payload: LeadIn):
    actor = actor_of(request.auth)
    data = payload.dict()
    region = Region.objects.filter(pk=data.pop("region_id")).first()
    if region is None:
        raise ValidationError({"region_id": _("no such region")})
    product = _product(data.pop("product_id"))
    lead = services.lead_create(actor=actor, region=region, product=product, **data)
    return Status(201, lead)


# --- assignment -----------------------------------------------------------------------------------

def _plan_out(plan):
    return {
        "method": plan.method, "objective": plan.objective, "baseline_objective": plan.baseline_objective,
        "rows": [{"lead_id": r.lead.pk, "manager_id": r.manager.pk if r.manager else None, "score": r.score,
                  "reasons": r.reasons, "reason": services.reason_text(r.reasons),
                  "baseline_manager_id": r.baseline_manager.pk if r.baseline_manager else None,
                  "baseline_score": r.baseline_score} for r in plan.rows],
    }


@router.post("/assignment/preview", response=with_errors({200: AssignmentPlanOut}),
             summary="Preview the optimal (or round-robin) assignment of a batch of leads, with reasons")
def assignment_preview(request, payload: AssignmentIn):
    plan = services.assignment_preview(actor=actor_of(request.auth), lead_ids=payload.lead_ids,
                                       manager_ids=payload.manager_ids, method=payload.method)
    return _plan_out(plan)


@router.post("/assignment/apply", response={201: list[OpportunityOut], **ERRORS},
             summary="Assign the batch (with manual overrides, audited); each lead becomes an opportunity")
def assignment_apply(request, payload: AssignmentApplyIn):
    opps = services.assignment_apply(actor=actor_of(request.auth), lead_ids=payload.lead_ids,
                                     manager_ids=payload.manager_ids, method=payload.method,
                                     overrides=payload.overrides)
    return Status(201, opps)


# --- opportunities --------------------------------------------------------------------------------

@router.get("/opportunities", response=with_errors({200: list[OpportunityOut]}),
            summary="Opportunities in the caller's scope")
@paginate(Page)
def opportunity_list(request, node: NodeCode | None = None, open_only: bool = False):
    return selectors.opportunities_visible(actor_of(request.auth), node=node, open_only=open_only).order_by("-id")


@router.get("/opportunities/{opportunity_id}", response=with_errors({200: OpportunityOut}),
            summary="One opportunity")
def opportunity_detail(request, opportunity_id: PathId):
    return selectors.opportunity_get(actor_of(request.auth), opportunity_id)


@router.post("/opportunities", response={201: OpportunityOut, **ERRORS},
             summary="Open an opportunity on an existing customer")
def opportunity_create(request, payload: OpportunityIn):
    actor = actor_of(request.auth)
    require(actor, Perm.WORK_OPPORTUNITIES)
    customer = customers_visible(actor).filter(pk=payload.customer_id).first()
    if customer is None:
        raise ValidationError({"customer_id": _("no such customer in your data scope")})
    opp = services.opportunity_create(actor=actor, customer=customer, product=_product(payload.product_id),
                                      amount=payload.amount, tier=payload.tier, name=payload.name)
    return Status(201, opp)


@router.post("/opportunities/{opportunity_id}/move", response=with_errors({200: OpportunityOut}),
             summary="Move to another node (one at a time; guards read the lending state)")
def opportunity_move(request, opportunity_id: PathId, payload: MoveIn):
    actor = actor_of(request.auth)
    opp = selectors.opportunity_get(actor, opportunity_id)
    return services.opportunity_move(actor=actor, opportunity=opp, to_node=payload.node,
                                     loss_reason=payload.loss_reason, note=payload.note)


@router.get("/opportunities/{opportunity_id}/transitions", response=with_errors({200: list[TransitionOut]}),
            summary="The node history")
def opportunity_transitions(request, opportunity_id: PathId):
    return list(selectors.transitions_of(selectors.opportunity_get(actor_of(request.auth), opportunity_id)))


@router.post("/sync-lending", response=with_errors({200: SyncOut}),
             summary="Close opportunities whose loan was disbursed (won) or declined (lost)")
def opportunities_sync(request):
    actor = actor_of(request.auth)
    require(actor, Perm.ASSIGN_LEADS)
    return services.opportunities_sync_lending(actor=actor)


@router.get("/funnel", response=with_errors({200: FunnelOut}),
            summary="Conversion, drop-offs, per-node durations and cycle of the visible opportunities")
def funnel(request, since: datetime | None = None):
    figures = selectors.funnel_figures(actor_of(request.auth), since=since)
    return {"nodes": [{"node": f.node, "reached": f.reached, "advanced": f.advanced, "lost": f.lost,
                       "conversion": f.conversion, "drop_off": f.drop_off, "median_days": f.median_days}
                      for f in figures.nodes],
            "won": figures.won, "lost": figures.lost, "median_cycle_days": figures.median_cycle_days,
            "weak_nodes": figures.weak_nodes}


# --- activities -----------------------------------------------------------------------------------

@router.get("/opportunities/{opportunity_id}/activities", response=with_errors({200: list[ActivityOut]}),
            summary="Activities of an opportunity")
def activity_list(request, opportunity_id: PathId):
    opp = selectors.opportunity_get(actor_of(request.auth), opportunity_id)
    return list(opp.activities.all())


@router.post("/opportunities/{opportunity_id}/activities", response={201: ActivityOut, **ERRORS},
             summary="Log a call, visit, meeting or message")
def activity_create(request, opportunity_id: PathId, payload: ActivityIn):
    actor = actor_of(request.auth)
    opp = selectors.opportunity_get(actor, opportunity_id)
    return Status(201, services.activity_log(actor=actor, opportunity=opp, **payload.dict()))


@router.get("/follow-ups/overdue", response=with_errors({200: list[ActivityOut]}),
            summary="The caller's next steps that fell due and were not followed up")
@paginate(Page)
def overdue(request):
    return selectors.follow_ups_overdue(actor_of(request.auth))


# --- proposals ------------------------------------------------------------------------------------

@router.get("/opportunities/{opportunity_id}/proposals", response=with_errors({200: list[ProposalOut]}),
            summary="Proposal versions, newest first")
def proposal_list(request, opportunity_id: PathId):
    return list(selectors.opportunity_get(actor_of(request.auth), opportunity_id).proposals.order_by("-version"))


@router.post("/opportunities/{opportunity_id}/proposals", response={201: ProposalOut, **ERRORS},
             summary="Save the next proposal version (within the product and the rate authority)")
def proposal_create(request, opportunity_id: PathId, payload: ProposalIn):
    actor = actor_of(request.auth)
    opp = selectors.opportunity_get(actor, opportunity_id)
    data = payload.dict()
    product = _product(data.pop("product_id"))
    with api_field_names(product="product_id"):
        proposal = services.proposal_save(actor=actor, opportunity=opp, product=product, **data)
    return Status(201, proposal)


# --- playbooks ------------------------------------------------------------------------------------

@router.get("/playbook", response=with_errors({200: list[PlaybookOut]}),
            summary="Search the scripts and objection answers")
@paginate(Page)
def playbook_list(request, search: SearchText = None, kind: EntryKindCode | None = None,
                  node: NodeCode | None = None, tier: TierCode | None = None):
    return selectors.playbook_search(actor_of(request.auth), text=search, kind=kind, node=node, tier=tier)


@router.post("/playbook", response={201: PlaybookOut, **ERRORS}, summary="Add a script or an objection answer")
def playbook_create(request, payload: PlaybookIn):
    return Status(201, services.playbook_entry_save(actor=actor_of(request.auth), **payload.dict()))


@router.post("/playbook/{entry_id}/use", response=with_errors({200: UseOut}), summary="Count one use of an entry")
def playbook_use(request, entry_id: PathId):
    entry = PlaybookEntry.objects.filter(pk=entry_id, is_active=True).first()
    if entry is None:
        from django.http import Http404

        raise Http404("no such playbook entry")
    return {"usage_count": services.playbook_use(actor=actor_of(request.auth), entry=entry)}


# --- resource packs -------------------------------------------------------------------------------

@router.get("/resource-packs", response=with_errors({200: list[ResourcePackOut]}),
            summary="Resource packs of the teams in the caller's scope")
@paginate(Page)
def resource_pack_list(request):
    return selectors.resource_packs_visible(actor_of(request.auth))


@router.post("/resource-packs", response={201: ResourcePackOut, **ERRORS},
             summary="Attach a resource pack (whitelist, scripts, rate-authority tier) to a team")
def resource_pack_create(request, payload: ResourcePackIn):
    actor = actor_of(request.auth)
    require(actor, Perm.MANAGE_PLAYBOOKS)
    team = selectors.teams_in_scope(actor).filter(pk=payload.team_id).first()
    if team is None:
        raise ValidationError({"team_id": _("no such team in your data scope")})
    data = payload.dict()
    data.pop("team_id")
    return Status(201, services.resource_pack_save(actor=actor, team=team, **data))
