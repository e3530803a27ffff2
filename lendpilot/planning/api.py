"""REST endpoints of planning (thin: parse, call a selector or service, return a schema).

Bad input (overlapping periods, negative targets, drivers summing to zero, an edit that would make siblings
negative) is a 422 naming the field, with nothing saved; a plan that is no longer a draft is a 409.
"""


from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from lendpilot.core.schemas import IsoDate, PathId, with_errors
from lendpilot.org.access import actor_of, scope_filter
from lendpilot.org.models import Region, Staff
from lendpilot.planning import selectors, services
from lendpilot.planning.decompose import CellDrivers
from lendpilot.planning.models import QuotaReset, TargetPlan
from lendpilot.planning.schemas import (
    AttainmentOut,
    CellEditIn,
    HeatIn,
    MatrixOut,
    PersonTargetOut,
    PlanIn,
    PlanOut,
    QuotaIn,
    QuotaOut,
    QuotaResetDecisionIn,
    ResetIn,
    ResetOut,
    SplitIn,
    SplitOut,
)

router = Router()


def _matrix(plan: TargetPlan, actor) -> dict:
    m = selectors.plan_matrix(plan, actor)
    return {"plan": plan, "total": m["total"], "totals": m["metric_totals"], "cells": m["cells"]}


def _quota_out(q, name: str) -> dict:
    return {"id": q.pk, "staff_id": q.staff_id, "staff_name": name, "month": q.month, "base": q.base,
            "sprint": q.sprint, "new_customers": q.new_customers, "npl_amount": q.npl_amount, "source": q.source}


def _reset_out(actor, reset_obj: QuotaReset) -> dict:
    lines = [{"staff_id": line.staff_id, "staff_name": line.staff.name, "old_base": line.old_base,
              "new_base": line.new_base, "delta": line.delta, "old_sprint": line.old_sprint,
              "new_sprint": line.new_sprint, "attainment": line.attainment, "heat": line.heat,
              "reasons": line.reasons} for line in selectors.reset_lines(actor, reset_obj)]
    return {"id": reset_obj.pk, "month": reset_obj.month, "status": reset_obj.status, "lines": lines}


@router.get("/plans", response=with_errors({200: list[PlanOut]}), summary="Target plans, every version")
def plan_list(request):
    return list(selectors.plans_visible(actor_of(request.user))[:200])


@router.post("/plans", response=with_errors({201: PlanOut}), summary="Enter an annual target (a new plan or version)")
def plan_create(request, payload: PlanIn):
    plan = services.target_plan_create(actor=request.user, **payload.dict())
    return Status(201, plan)


@router.get("/plans/{plan_id}", response=with_errors({200: MatrixOut}), summary="A plan and its split")
def plan_detail(request, plan_id: PathId):
    actor = actor_of(request.user)
    return _matrix(selectors.plan_get(actor, plan_id), actor)


@router.post("/plans/{plan_id}/split", response=with_errors({200: SplitOut}),
             summary="Split by product line x region x team type x month, then to teams and managers")
def plan_split(request, plan_id: PathId, payload: SplitIn):
    plan = selectors.plan_get(actor_of(request.user), plan_id)
    cells = None if payload.cells is None else [CellDrivers(**c.dict()) for c in payload.cells]
    out = services.target_plan_split(actor=request.user, plan=plan, cells=cells)
    return {**out, "over_capacity": [list(k) for k in out["over_capacity"]]}


@router.patch("/plans/{plan_id}/cells/{cell_id}", response=with_errors({200: MatrixOut}),
              summary="Edit one target of one cell (amount, new customers or NPL ceiling); siblings are re-balanced")
def cell_edit(request, plan_id: PathId, cell_id: PathId, payload: CellEditIn):
    given = {metric: value for metric, value in (("amount", payload.amount), ("customers", payload.new_customers),
                                                 ("npl", payload.npl_amount)) if value is not None}
    if len(given) != 1:
        raise ValidationError({"amount": ["give exactly one of amount, new_customers, npl_amount"]})
    actor = actor_of(request.user)
    plan = selectors.plan_get(actor, plan_id)
    cell = selectors.cell_get(actor, plan, cell_id)
    (metric, value), = given.items()
    services.target_cell_edit(actor=request.user, cell=cell, value=value, metric=metric, across=payload.across)
    return _matrix(plan, actor)


@router.get("/plans/{plan_id}/people", response=with_errors({200: list[PersonTargetOut]}),
            summary="The plan's three targets per account manager and month, in scope")
def plan_people(request, plan_id: PathId):
    actor = actor_of(request.user)
    plan = selectors.plan_get(actor, plan_id)
    return [{"manager_id": r["manager_id"], "manager_name": r["manager__name"], "month": r["month"],
             "amount": r["amount"], "new_customers": r["new_customers"], "npl_amount": r["npl_amount"]}
            for r in selectors.manager_targets(actor, plan)[:20000]]


@router.post("/plans/{plan_id}/approve", response=with_errors({200: PlanOut}),
             summary="The director approves; manager rows become quotas")
def plan_approve(request, plan_id: PathId):
    plan = selectors.plan_get(actor_of(request.user), plan_id)
    return services.target_plan_approve(actor=request.user, plan=plan)


@router.get("/quotas", response=with_errors({200: list[QuotaOut]}), summary="Person-month quotas in scope")
def quota_list(request, month: IsoDate):
    return [_quota_out(q, q.staff.name) for q in selectors.quotas_visible(actor_of(request.user), month=month)[:5000]]


@router.put("/quotas", response=with_errors({200: QuotaOut}), summary="Set one person's base and sprint quota")
def quota_put(request, payload: QuotaIn):
    actor = actor_of(request.user)
    staff = scope_filter(actor, Staff.objects.filter(pk=payload.staff_id), owner="").first()
    if staff is None:
        raise ValidationError({"staff_id": ["no such person in your scope"]})
    q = services.quota_set(actor=request.user, staff=staff, month=payload.month, base=payload.base,
                           sprint=payload.sprint)
    return _quota_out(q, staff.name)


@router.put("/market-heat", response=with_errors({200: dict}), summary="Set a market heat coefficient")
def heat_put(request, payload: HeatIn):
    region = get_object_or_404(Region, pk=payload.region_id)
    row = services.market_heat_set(actor=request.user, region=region, product=payload.product, heat=payload.heat,
                                   capacity=payload.capacity)
    return {"id": row.pk, "heat": str(row.heat), "capacity": str(row.capacity)}


@router.post("/resets", response=with_errors({201: ResetOut}), summary="Propose next month's quotas")
def reset_propose(request, payload: ResetIn):
    actor = actor_of(request.user)
    proposal = services.quota_reset_propose(actor=request.user, month=payload.month, rules=payload.rules)
    return Status(201, _reset_out(actor, proposal))


@router.get("/resets/{reset_id}", response=with_errors({200: ResetOut}), summary="A re-set as a diff with reasons")
def reset_detail(request, reset_id: PathId):
    actor = actor_of(request.user)
    return _reset_out(actor, selectors.reset_get(actor, reset_id))


@router.post("/resets/{reset_id}/decide", response=with_errors({200: ResetOut}), summary="Approve or reject a re-set")
def reset_decide(request, reset_id: PathId, payload: QuotaResetDecisionIn):
    actor = actor_of(request.user)
    reset_obj = selectors.reset_get(actor, reset_id)
    services.quota_reset_decide(actor=request.user, reset_obj=reset_obj, approve=payload.approve)
    return _reset_out(actor, reset_obj)


@router.get("/attainment", response=with_errors({200: list[AttainmentOut]}),
            summary="Disbursed against target, live, with run-rate forecast and at-risk flags")
def attainment(request, month: IsoDate, group: str = "person"):
    return selectors.attainment(actor_of(request.user), month=month, group=group)
