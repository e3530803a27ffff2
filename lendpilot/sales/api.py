"""REST endpoints of sales (thin: parse, call a selector or service, return a schema).

Reads are scoped: a lead or opportunity outside the caller's scope is a 404, like one that does not
exist. Illegal node moves, proposals outside the product or the rate authority and assignments to a
manager outside the caller's scope or over capacity are 422 answers naming the field; nothing is written.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from lendpilot.core.schemas import ERRORS, Page, PathId, SearchText, api_field_names, with_errors
from lendpilot.customers.selectors import customers_visible
from lendpilot.org.access import actor_of, require
from lendpilot.org.models import Region
from lendpilot.org.roles import Perm
from lendpilot.products.models import Product
from lendpilot.sales import customer360, drills, selectors, services
from lendpilot.sales.models import ManagerTask, PlaybookEntry
from lendpilot.sales.scenarios import selectors as scenario_selectors
from lendpilot.sales.scenarios import services as scenario_services
from lendpilot.sales.schemas import (
    ActivityIn,
    ActivityOut,
    AssignmentApplyIn,
    AssignmentIn,
    AssignmentPlanOut,
    Customer360Out,
    DrillAnswersIn,
    DrillIn,
    DrillOut,
    DrillResultOut,
    DrillScoresIn,
    EntryKindCode,
    FunnelOut,
    LeadIn,
    LeadOut,
    LeadStatusCode,
    MoveIn,
    NodeCode,
    NodeOfFunding,
    OfferAcceptIn,
    OfferDeclineIn,
    OfferStatusCode,
    OpportunityIn,
    OpportunityOut,
    PlaybookIn,
    PlaybookOut,
    PlaybookPublishIn,
    PlaybookReviewOut,
    PreApprovedOfferOut,
    ProposalIn,
    ResourcePackIn,
    ResourcePackOut,
    SalesProposalOut,
    SourceCode,
    SyncOut,
    TaskDoneIn,
    TaskKindCode,
    TaskOut,
    TaskStatusCode,
    TierCode,
    TransitionOut,
    TriggerRuleIn,
    TriggerRuleOut,
    TriggerRunIn,
    TriggerRunOut,
    UseOut,
)
from lendpilot.sales.services import playbooks as playbook_services

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
             summary="Take in a lead: screened, and merged into the open lead that holds the same identifier")
def lead_create(request, payload: LeadIn):
    actor = actor_of(request.auth)
    data = payload.dict()
    region = Region.objects.filter(pk=data.pop("region_id")).first()
    if region is None:
        raise ValidationError({"region_id": _("no such region")})
    product = _product(data.pop("product_id"))
    terms = services.LeadTerms(data.pop("submission"), data.pop("term_months"), data.pop("purpose"))
    lead = services.lead_create(actor=actor, region=region, product=product, terms=terms, **data)
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

@router.get("/opportunities/{opportunity_id}/proposals", response=with_errors({200: list[SalesProposalOut]}),
            summary="Proposal versions, newest first")
def proposal_list(request, opportunity_id: PathId):
    return list(selectors.opportunity_get(actor_of(request.auth), opportunity_id).proposals.order_by("-version"))


@router.post("/opportunities/{opportunity_id}/proposals", response={201: SalesProposalOut, **ERRORS},
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


@router.post("/playbook", response={201: PlaybookOut, **ERRORS},
             summary="Add a script or an objection answer (a draft until compliance approves its text; publish: true "
                     "without that approval answers 422 naming publish)")
def playbook_create(request, payload: PlaybookIn):
    return Status(201, services.playbook_entry_save(actor=actor_of(request.auth), **payload.dict()))


def _playbook_entry(actor, entry_id: int) -> PlaybookEntry:
    require(actor, Perm.MANAGE_PLAYBOOKS)
    return get_object_or_404(PlaybookEntry, pk=entry_id)


@router.post("/playbook/{entry_id}/review", response={201: PlaybookReviewOut, **ERRORS},
             summary="Submit an entry's text for compliance review (the forbidden-promise scan answers at once)")
def playbook_review(request, entry_id: PathId):
    actor = actor_of(request.auth)
    return Status(201, playbook_services.playbook_entry_submit(actor=actor, entry=_playbook_entry(actor, entry_id)))


@router.post("/playbook/{entry_id}/publish", response=with_errors({200: PlaybookOut}),
             summary="Publish an entry whose exact text compliance approved (422 naming publish otherwise), or "
                     "withdraw it (live: false)")
def playbook_publish(request, entry_id: PathId, payload: PlaybookPublishIn):
    actor = actor_of(request.auth)
    return playbook_services.playbook_entry_publish(actor=actor, entry=_playbook_entry(actor, entry_id),
                                                    live=payload.live)


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


# --- scenario triggers, pre-approved offers, tasks, Customer 360 (B3, D3, D7) ------------------------

@router.get("/trigger-rules", response=with_errors({200: list[TriggerRuleOut]}), summary="Scenario trigger rules")
@paginate(Page)
def trigger_rule_list(request, active_only: bool = False):
    return scenario_selectors.trigger_rules(actor_of(request.auth), active_only=active_only)


@router.post("/trigger-rules", response={201: TriggerRuleOut, **ERRORS},
             summary="Create a trigger rule (an empty product list is a 422 on product_ids, nothing saved)")
def trigger_rule_create(request, payload: TriggerRuleIn):
    return Status(201, scenario_services.trigger_rule_save(actor=actor_of(request.auth), **payload.dict()))


@router.put("/trigger-rules/{rule_id}", response=with_errors({200: TriggerRuleOut}),
            summary="Change a trigger rule; its version goes up")
def trigger_rule_update(request, rule_id: PathId, payload: TriggerRuleIn):
    actor = actor_of(request.auth)
    require(actor, Perm.MANAGE_PLAYBOOKS)
    rule = scenario_selectors.trigger_rule_get(actor, rule_id)
    return scenario_services.trigger_rule_save(actor=actor, rule=rule, **payload.dict())


@router.post("/trigger-runs", response={201: TriggerRunOut, **ERRORS},
             summary="Run the active trigger rules now (rate-limited, idempotent for the day)")
def trigger_run(request, payload: TriggerRunIn):
    return Status(201, scenario_services.triggers_evaluate(actor=actor_of(request.auth), as_of=payload.as_of))


@router.get("/offers", response=with_errors({200: list[PreApprovedOfferOut]}),
            summary="Pre-approved offers of the customers in the caller's scope")
@paginate(Page)
def offer_list(request, status: OfferStatusCode | None = None, node: NodeOfFunding | None = None,
               live_only: bool = False):
    return scenario_selectors.offers_visible(actor_of(request.auth), status=status, node=node, live_only=live_only)


@router.get("/offers/{offer_id}", response=with_errors({200: PreApprovedOfferOut}), summary="One pre-approved offer")
def offer_detail(request, offer_id: PathId):
    return scenario_selectors.offer_get(actor_of(request.auth), offer_id)


@router.post("/offers/{offer_id}/accept", response=with_errors({200: PreApprovedOfferOut}),
             summary="The customer takes up the offer: an opportunity is opened (409 if decided or expired)")
def offer_accept(request, offer_id: PathId, payload: OfferAcceptIn):
    actor = actor_of(request.auth)
    offer = scenario_selectors.offer_get(actor, offer_id)
    return scenario_services.offer_accept(actor=actor, offer=offer, amount=payload.amount)


@router.post("/offers/{offer_id}/decline", response=with_errors({200: PreApprovedOfferOut}),
             summary="The customer declines the offer (409 if decided or expired)")
def offer_decline(request, offer_id: PathId, payload: OfferDeclineIn):
    actor = actor_of(request.auth)
    offer = scenario_selectors.offer_get(actor, offer_id)
    return scenario_services.offer_decline(actor=actor, offer=offer, reason=payload.reason)


@router.get("/tasks", response=with_errors({200: list[TaskOut]}), summary="Tasks of the managers in scope")
@paginate(Page)
def task_list(request, kind: TaskKindCode | None = None, status: TaskStatusCode | None = ManagerTask.Status.OPEN,
              mine: bool = False):
    return scenario_selectors.tasks_visible(actor_of(request.auth), kind=kind, status=status, mine=mine)


@router.post("/tasks/{task_id}/done", response=with_errors({200: TaskOut}), summary="Tick off a task")
def task_done(request, task_id: PathId, payload: TaskDoneIn):
    actor = actor_of(request.auth)
    task = scenario_selectors.task_get(actor, task_id)
    return scenario_services.task_complete(actor=actor, task=task, note=payload.note)


@router.get("/customers/{customer_id}/360", response=with_errors({200: Customer360Out}),
            summary="Customer 360: portrait, offers, tasks, opportunities, loans and the next best action")
def customer_360(request, customer_id: PathId):
    from dataclasses import asdict

    view = customer360.customer_360(actor_of(request.auth), customer_id)
    actions = [asdict(a) for a in view.actions]
    return {"customer_id": view.customer.pk, "name": view.customer.name, "portrait": view.portrait,
            "next_action": actions[0] if actions else None, "actions": actions, "offers": view.offers,
            "open_tasks": view.tasks, "open_opportunity_ids": [o.pk for o in view.opportunities],
            "loan_ids": [loan.pk for loan in view.loans], "products_held": [p.code for p in view.products_held]}


# --- objection drills (D5) ------------------------------------------------------------------------

@router.get("/drills", response=with_errors({200: list[DrillOut]}), summary="Objection drills in the caller's scope")
@paginate(Page)
def drill_list(request):
    return drills.drills_visible(actor_of(request.auth))


@router.post("/drills", response={201: DrillOut, **ERRORS},
             summary="Start a drill: a random set of standard objections for oneself or a manager in scope")
def drill_create(request, payload: DrillIn):
    actor = actor_of(request.auth)
    manager = selectors.managers_in_scope(actor).filter(pk=payload.manager_id).first()
    if manager is None and actor.staff is not None and actor.staff.pk == payload.manager_id:
        manager = actor.staff
    if manager is None:
        raise ValidationError({"manager_id": _("no such manager in your data scope")})
    return Status(201, drills.drill_start(actor=actor, manager=manager, size=payload.size))


@router.get("/drills/results", response=with_errors({200: list[DrillResultOut]}),
            summary="Scored drills per manager: count, average and best score")
def drill_results(request):
    return [{**row, "manager_name": row.pop("manager__name")} for row in drills.drill_results(actor_of(request.auth))]


@router.get("/drills/{drill_id}", response=with_errors({200: DrillOut}), summary="One drill")
def drill_detail(request, drill_id: PathId):
    return drills.drill_get(actor_of(request.auth), drill_id)


@router.post("/drills/{drill_id}/answers", response=with_errors({200: DrillOut}),
             summary="The drilled manager answers every objection")
def drill_answer(request, drill_id: PathId, payload: DrillAnswersIn):
    actor = actor_of(request.auth)
    return drills.drill_answer(actor=actor, drill=drills.drill_get(actor, drill_id), answers=payload.answers)


@router.post("/drills/{drill_id}/score", response=with_errors({200: DrillOut}),
             summary="A lead scores every answer 0-5")
def drill_score(request, drill_id: PathId, payload: DrillScoresIn):
    actor = actor_of(request.auth)
    return drills.drill_score(actor=actor, drill=drills.drill_get(actor, drill_id), scores=payload.scores,
                              feedback=payload.feedback)
