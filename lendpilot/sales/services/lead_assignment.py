"""Assigning screened leads to account managers: the preview (optimal against a round-robin baseline)
and the apply, which turns each lead into an opportunity owned by its manager."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lendpilot.compliance.audit import record_event
from lendpilot.org.access import Actor, actor_of, require
from lendpilot.org.models import Staff
from lendpilot.org.roles import Perm
from lendpilot.org.selectors import staff_ineligible_for_product
from lendpilot.sales import assignment
from lendpilot.sales.funnel import Node
from lendpilot.sales.models import Lead, Opportunity, Transition
from lendpilot.sales.selectors import (
    MAX_OPEN_OPPORTUNITIES,
    lead_features,
    leads_visible,
    manager_features,
    managers_for_assignment,
    open_counts,
)


@dataclass
class AssignmentRow:
    lead: Lead
    manager: Staff | None
    score: float
    reasons: list[str] = field(default_factory=list)
    baseline_manager: Staff | None = None
    baseline_score: float = 0.0


@dataclass
class AssignmentPlan:
    rows: list[AssignmentRow]
    method: str
    objective: float
    baseline_objective: float
    capacity: dict[int, int]


def _assignable_leads(acting: Actor, lead_ids: list[int]) -> list[Lead]:
    if not lead_ids:
        raise ValidationError({"lead_ids": _("choose at least one lead")})
    found = {lead.pk: lead for lead in leads_visible(acting).filter(pk__in=lead_ids).select_related("product")}
    missing = [pk for pk in lead_ids if pk not in found]
    if missing:
        raise ValidationError({"lead_ids": _("leads %(ids)s are not in your scope") % {
            "ids": ", ".join(map(str, missing))}})
    not_ready = [pk for pk in lead_ids if found[pk].status != Lead.Status.QUALIFIED]
    if not_ready:
        raise ValidationError({"lead_ids": _("leads %(ids)s have not passed screening or are already assigned")
                               % {"ids": ", ".join(map(str, not_ready))}})
    return [found[pk] for pk in dict.fromkeys(lead_ids)]


def assignment_preview(*, actor, lead_ids: list[int], manager_ids: list[int] | None = None,
                       method: str = "optimal") -> AssignmentPlan:
    """Who would get which lead, with the score, the reasons and the round-robin baseline beside it.
    Managers serve leads of their own region only."""
    acting = actor_of(actor)
    require(acting, Perm.ASSIGN_LEADS)
    if method not in ("optimal", "round_robin"):
        raise ValidationError({"method": _("method is optimal or round_robin")})
    leads = _assignable_leads(acting, lead_ids)
    managers = managers_for_assignment(acting, manager_ids)
    if not managers:
        raise ValidationError({"manager_ids": _("no account managers in your scope")})
    lf, mf = lead_features(leads), manager_features(managers)
    allowed = _allowed(leads, managers)
    best = assignment.optimal(lf, mf, allowed=allowed)
    base = _within(round_robin_in_region(leads, managers, lf, mf), allowed)
    chosen = best if method == "optimal" else base
    base_of = {a.lead: a for a in base.assignments}
    rows = []
    by_lead = {a.lead: a for a in chosen.assignments}
    for n, lead in enumerate(leads):
        a = by_lead.get(n)
        b = base_of.get(n)
        rows.append(AssignmentRow(
            lead=lead, manager=managers[a.manager] if a else None, score=a.score if a else 0.0,
            reasons=assignment.components(lf[n], mf[a.manager]).reasons() if a else ["no_capacity"],
            baseline_manager=managers[b.manager] if b else None, baseline_score=b.score if b else 0.0))
    return AssignmentPlan(rows, method, chosen.objective, base.objective,
                          {m.pk: f.capacity for m, f in zip(managers, mf, strict=True)})


def _allowed(leads, managers):
    """Which manager may take which lead: the lead's region, and the product's certification if it needs one."""
    import numpy as np

    barred = _barred_by_certification(leads)
    return np.array([[m.region_id == lead.region_id and m.pk not in barred.get(lead.product_id or 0, set())
                      for m in managers] for lead in leads], dtype=np.bool_)


def _within(result: assignment.Result, allowed) -> assignment.Result:
    """The baseline rotates by region only; a lead it would give to a manager without the product's
    certification stays unassigned rather than break the rule."""
    kept = [a for a in result.assignments if allowed[a.lead, a.manager]]
    dropped = [a.lead for a in result.assignments if not allowed[a.lead, a.manager]]
    return assignment.Result(kept, sorted({*result.unassigned, *dropped}), float(sum(a.score for a in kept)))


def _barred_by_certification(leads) -> dict[int, set[int]]:
    """Per product of these leads, the managers whose certification for it is missing or expired (A4)."""
    today = timezone.localdate()
    return {pid: set(staff_ineligible_for_product(pid, today).values_list("pk", flat=True))
            for pid in {lead.product_id for lead in leads if lead.product_id}}


def round_robin_in_region(leads, managers, lf, mf) -> assignment.Result:
    """Round robin per region (managers only serve their region), merged back into lead order."""
    out: list[assignment.Assignment] = []
    unassigned: list[int] = []
    for region_id in {lead.region_id for lead in leads}:
        li = [n for n, lead in enumerate(leads) if lead.region_id == region_id]
        mi = [k for k, m in enumerate(managers) if m.region_id == region_id]
        res = assignment.round_robin([lf[n] for n in li], [mf[k] for k in mi])
        out += [assignment.Assignment(li[a.lead], mi[a.manager], a.score) for a in res.assignments]
        unassigned += [li[n] for n in res.unassigned]
    out.sort(key=lambda a: a.lead)
    return assignment.Result(out, sorted(unassigned), float(sum(a.score for a in out)))


REASON_LABELS = {
    "industry": gettext_noop("industry expertise"),
    "product": gettext_noop("product familiarity"),
    "conversion": gettext_noop("existing-customer conversion"),
    "light_workload": gettext_noop("light workload"),
    "capacity": gettext_noop("free capacity"),
    "no_capacity": gettext_noop("no manager with capacity in the region"),
    "manual": gettext_noop("manual override"),
    "found": gettext_noop("found by the account manager"),
}


def reason_text(codes: list[str]) -> str:
    """The reasons of an assignment in the reader's language."""
    return ", ".join(_(REASON_LABELS.get(code, code)) for code in codes)


def reason_stored(codes: list[str]) -> str:
    """The reasons as a lead and its first move keep them: in the catalogue's words, so that each reader reads
    them in their own language (`reason_shown`)."""
    return ", ".join(REASON_LABELS.get(code, code) for code in codes)


def reason_shown(stored: str) -> str:
    """A stored assignment reason (or a move's note) in the reader's language: each reason of the catalogue is
    translated, anything else reads as it was written."""
    return ", ".join(_(part) if part else part for part in stored.split(", ")) if stored else stored


@transaction.atomic
def assignment_apply(*, actor, lead_ids: list[int], manager_ids: list[int] | None = None, method: str = "optimal",
                     overrides: dict[int, int] | None = None) -> list[Opportunity]:
    """Assign the batch as previewed (re-solved inside the transaction) with the manual overrides
    applied; each lead becomes an opportunity at the screening node owned by its manager. An override
    to a manager outside the actor's scope or over capacity is rejected and nothing is written."""
    acting = actor_of(actor)
    overrides = {int(k): int(v) for k, v in (overrides or {}).items()}
    unknown = [k for k in overrides if k not in lead_ids]
    if unknown:
        raise ValidationError({"overrides": _("overrides name leads outside the batch: %(ids)s") % {
            "ids": ", ".join(map(str, unknown))}})
    # Lock the leads so that two team leads cannot assign the same batch twice.
    list(Lead.objects.select_for_update().filter(pk__in=lead_ids).values_list("pk", flat=True))
    plan = assignment_preview(actor=acting, lead_ids=lead_ids, manager_ids=manager_ids, method=method)
    override_staff = {m.pk: m for m in managers_for_assignment(acting, sorted(set(overrides.values())))} \
        if overrides else {}
    load = open_counts([*plan.capacity, *override_staff])
    taken: dict[int, int] = {}
    now = timezone.now()
    created = []
    for row in plan.rows:
        manager, reasons = row.manager, row.reasons
        if row.lead.pk in overrides:
            manager = override_staff[overrides[row.lead.pk]]
            reasons = ["manual"]
            if manager.region_id != row.lead.region_id:
                raise ValidationError({"overrides": _("%(name)s does not serve the lead's region") % {
                    "name": manager.name}})
            if manager.pk in _barred_by_certification([row.lead]).get(row.lead.product_id or 0, set()):
                raise ValidationError({"overrides": _(
                    "%(name)s holds no valid certification for the lead's product") % {"name": manager.name}})
        if manager is None:
            continue
        taken[manager.pk] = taken.get(manager.pk, 0) + 1
        if load.get(manager.pk, 0) + taken[manager.pk] > MAX_OPEN_OPPORTUNITIES:
            raise ValidationError({"overrides" if row.lead.pk in overrides else "manager_ids":
                                   _("%(name)s has no capacity left") % {"name": manager.name}})
        lead = row.lead
        lead.owner = manager
        lead.status = Lead.Status.CONVERTED
        lead.assignment_reason = reason_stored(reasons)[:300]
        lead.save(update_fields=["owner", "status", "assignment_reason"])
        opp = Opportunity.objects.create(
            lead=lead, customer=lead.customer, name=lead.name, owner=manager, node=Node.SCREENING,
            industry=lead.industry, product=lead.product, amount=lead.amount_wanted, created_at=now,
            node_entered_at=now)
        Transition.objects.create(opportunity=opp, from_node="", to_node=Node.SCREENING, at=now,
                                  actor=acting.staff, actor_label=acting.label, note=lead.assignment_reason)
        if row.lead.pk in overrides:
            record_event(actor=acting.user, event_code="sales.assignment_overridden", obj=lead,
                         before={"proposed_manager_id": row.manager.pk if row.manager else None,
                                 "score": round(row.score, 6)},
                         after={"manager_id": manager.pk})
        created.append(opp)
    record_event(actor=acting.user, event_code="sales.leads_assigned", object_type="sales.lead",
                 object_id=f"batch:{len(created)}",
                 after={"method": method, "objective": round(plan.objective, 6),
                        "baseline_objective": round(plan.baseline_objective, 6),
                        "assigned": {str(o.lead_id): o.owner_id for o in created},
                        "overrides": {str(k): v for k, v in overrides.items()}})
    return created
