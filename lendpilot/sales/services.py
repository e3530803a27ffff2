"""Every write of sales: leads (intake, de-duplication, screening), assignment, opportunity moves with
their guards, activities, proposals, playbooks and resource packs. Each is one transaction and writes
its audit record; bad input raises ValidationError naming the field and writes nothing.

Sales sits above lending: it reads lending's applications to guard the qualification review and to
close opportunities from the lending state; lending never calls back.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lendpilot.compliance.audit import record_event, snapshot
from lendpilot.compliance.crypto import encrypt, keyed_hash, mask
from lendpilot.core.errors import Conflict
from lendpilot.core.reference import Industry
from lendpilot.customers.identifiers import (
    IdentifierError,
    normalise_credit_code,
    normalise_id_number,
    normalise_mobile,
)
from lendpilot.customers.models import Customer
from lendpilot.lending.models import Application, AuthorityMatrix
from lendpilot.lending.schedule import ScheduleError, annualised_rate, build_schedule
from lendpilot.lending.services import rules_of
from lendpilot.org.access import Actor, actor_of, require, staff_in_scope
from lendpilot.org.models import Region, Staff
from lendpilot.org.roles import Perm, Role
from lendpilot.products.models import Product
from lendpilot.products.services import offer_check
from lendpilot.sales import assignment
from lendpilot.sales.funnel import LossReason, Node, move_problem
from lendpilot.sales.models import Activity, Lead, Opportunity, PlaybookEntry, Proposal, ResourcePack, Tier, Transition

MAX_OPEN_OPPORTUNITIES = getattr(settings, "SALES_MAX_OPEN_OPPORTUNITIES", 60)
"""How many open opportunities an account manager carries at most; assignment fills up to this."""

SUBMITTED = (Application.Status.IN_REVIEW, Application.Status.RETURNED, Application.Status.APPROVED,
             Application.Status.CONTRACTED, Application.Status.SIGNED, Application.Status.DISBURSED)
DECLINED = (Application.Status.REJECTED, Application.Status.WITHDRAWN)


def _staff(acting: Actor) -> Staff | None:
    return acting.staff


def _who(acting: Actor):
    return acting.user


# --- leads -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScreeningRules:
    """Lead screening (线索筛选): blacklist-free, basic eligibility for the product, a region we serve."""

    check_blacklist: bool = True
    check_product: bool = True
    served_regions: tuple[str, ...] | None = None  # region codes; None: every region with a sales team


def default_rules() -> ScreeningRules:
    return ScreeningRules(**getattr(settings, "SALES_SCREENING_RULES", {}))


def screening_reasons(*, rules: ScreeningRules, region: Region, product: Product | None, amount, hashes: dict,
                      kind: str) -> list[str]:
    """Codes of the rules the lead fails: blacklisted, product_inactive, amount_out_of_range,
    product_for_enterprises, region_not_served."""
    reasons = []
    if rules.check_blacklist:
        from lendpilot.scoring.selectors import blacklist_hits

        if blacklist_hits(hashes):
            reasons.append("blacklisted")
    if rules.check_product and product is not None:
        if not product.is_active:
            reasons.append("product_inactive")
        elif amount is not None and not product.min_amount <= amount <= product.max_amount:
            reasons.append("amount_out_of_range")
        if kind == Customer.Kind.PERSON and product.category == "supply_chain":
            reasons.append("product_for_enterprises")
    if rules.served_regions is not None:
        served = region.code in rules.served_regions
    else:
        served = Staff.objects.filter(region=region, role=Role.ACCOUNT_MANAGER, is_active=True).exists()
    if not served:
        reasons.append("region_not_served")
    return reasons


DISQUALIFICATION_LABELS = {
    "blacklisted": gettext_noop("On a blacklist"),
    "product_inactive": gettext_noop("Product not on sale"),
    "amount_out_of_range": gettext_noop("Amount outside the product's range"),
    "product_for_enterprises": gettext_noop("Product is for enterprises"),
    "region_not_served": gettext_noop("Region not served"),
}


def _identifiers(kind: str, id_number: str, credit_code: str, phone: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    clean = {"id_number": "", "credit_code": "", "phone": ""}
    for name, value, normalise in (("id_number", id_number, normalise_id_number),
                                   ("credit_code", credit_code, normalise_credit_code),
                                   ("phone", phone, normalise_mobile)):
        if value:
            try:
                clean[name] = normalise(value)
            except IdentifierError as exc:
                errors[name] = str(exc)
    if not errors:
        if kind == Customer.Kind.ENTERPRISE and not clean["credit_code"] and not clean["phone"]:
            errors["credit_code"] = _("an enterprise lead needs its credit code or a phone number")
        elif kind == Customer.Kind.PERSON and not clean["id_number"] and not clean["phone"]:
            errors["phone"] = _("a lead needs an ID number or a phone number")
    if errors:
        raise ValidationError(errors)
    return clean


def _money(value, name: str, errors: dict, *, required: bool = False) -> Decimal | None:
    if value is None or value == "":
        if required:
            errors[name] = _("this field is required")
        return None
    try:
        number = Decimal(str(value))
        if not number.is_finite() or number <= 0 or number != number.quantize(Decimal("0.01")) \
                or number >= Decimal("1e14"):
            raise InvalidOperation
        return number
    except (InvalidOperation, ValueError, TypeError):
        errors[name] = _("a positive amount in CNY with at most two decimals")
        return None


@transaction.atomic
def lead_create(*, actor, kind: str, name: str, source: str, industry: str, region: Region,
                id_number: str = "", credit_code: str = "", phone: str = "", product: Product | None = None,
                amount_wanted=None, source_detail: str = "", received_at: datetime | None = None,
                rules: ScreeningRules | None = None) -> Lead:
    """Take in a lead: validate, link an existing customer with the same identifier, screen it. A lead
    whose ID number, credit code or phone is already on an open lead is accepted and merged into that
    lead (status merged), so that no answer tells the submitter who else holds that person."""
    acting = actor_of(actor)
    require(acting, Perm.CREATE_LEAD)
    errors: dict[str, str] = {}
    if kind not in Customer.Kind.values:
        errors["kind"] = _("kind is person or enterprise")
    if not (name or "").strip():
        errors["name"] = _("a name is required")
    if source not in Lead.Source.values:
        errors["source"] = _("unknown source %(source)s") % {"source": source}
    if acting.role == Role.CHANNEL_PARTNER:
        source = Lead.Source.CHANNEL
    if industry not in Industry.values:
        errors["industry"] = _("unknown industry %(industry)s") % {"industry": industry}
    amount = _money(amount_wanted, "amount_wanted", errors)
    if errors:
        raise ValidationError(errors)
    ids = _identifiers(kind, id_number, credit_code, phone)
    hashes = {k: keyed_hash(v) if v else "" for k, v in ids.items()}
    customer = None
    if hashes["id_number"]:
        customer = Customer.objects.filter(id_number_hash=hashes["id_number"]).first()
    if customer is None and ids["credit_code"]:
        customer = Customer.objects.filter(credit_code=ids["credit_code"]).first()
    if customer is None and hashes["phone"]:
        customer = Customer.objects.filter(phone_hash=hashes["phone"]).first()
    reasons = screening_reasons(rules=rules or default_rules(), region=region, product=product, amount=amount,
                                hashes=hashes, kind=kind)
    lead = Lead(
        kind=kind, name=name.strip(), source=source, source_detail=source_detail, industry=industry, region=region,
        product=product, amount_wanted=amount, customer=customer,
        id_number_cipher=encrypt(ids["id_number"]) if ids["id_number"] else "", id_number_hash=hashes["id_number"],
        id_number_masked=mask(ids["id_number"], keep_start=3, keep_end=4) if ids["id_number"] else "",
        credit_code_hash=hashes["credit_code"],
        credit_code_masked=mask(ids["credit_code"], keep_start=4, keep_end=4) if ids["credit_code"] else "",
        phone_cipher=encrypt(ids["phone"]) if ids["phone"] else "", phone_hash=hashes["phone"],
        phone_masked=mask(ids["phone"], keep_start=3, keep_end=4) if ids["phone"] else "",
        status=Lead.Status.DISQUALIFIED if reasons else Lead.Status.QUALIFIED, disqualification_reasons=reasons,
        received_at=received_at or timezone.now(), created_by=_staff(acting),
    )
    lead.merged_into = _open_duplicate(hashes)
    if lead.merged_into is not None:
        lead.status = Lead.Status.MERGED
    try:
        with transaction.atomic():
            lead.save()
    except IntegrityError:
        # A concurrent intake of the same identifier opened the lead first: merge into it.
        lead.merged_into = _open_duplicate(hashes)
        if lead.merged_into is None:
            raise
        lead.status = Lead.Status.MERGED
        with transaction.atomic():
            lead.save()
    record_event(actor=_who(acting), event_code="sales.lead_created", obj=lead,
                 after=snapshot(lead, ["kind", "name", "source", "industry", "region_id", "product_id", "status",
                                       "disqualification_reasons", "customer_id", "merged_into_id"]))
    return lead


def _open_duplicate(hashes: dict[str, str]) -> Lead | None:
    """The open lead that already holds one of these identifiers, if any."""
    match = Q()
    for field_name, column in (("id_number", "id_number_hash"), ("credit_code", "credit_code_hash"),
                               ("phone", "phone_hash")):
        if hashes[field_name]:
            match |= Q(**{column: hashes[field_name]})
    if not match:
        return None
    return Lead.objects.filter(match, status__in=Lead.OPEN_STATUSES).order_by("received_at", "id").first()


# --- assignment ------------------------------------------------------------------------------------


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


def managers_for_assignment(acting: Actor, manager_ids: list[int] | None = None) -> list[Staff]:
    """Active account managers in the actor's scope; naming one outside it is a ValidationError."""
    from lendpilot.sales.selectors import managers_in_scope

    qs = managers_in_scope(acting)
    if manager_ids is None:
        return list(qs)
    found = {m.pk: m for m in qs.filter(pk__in=manager_ids)}
    missing = [pk for pk in manager_ids if pk not in found]
    if missing:
        raise ValidationError({"manager_ids": _("managers %(ids)s are not account managers in your scope")
                               % {"ids": ", ".join(map(str, missing))}})
    return [found[pk] for pk in dict.fromkeys(manager_ids)]


def open_counts(manager_ids: list[int]) -> dict[int, int]:
    rows = (Opportunity.objects.filter(owner_id__in=manager_ids).exclude(node__in=[Node.WON, Node.LOST])
            .values("owner_id").annotate(n=Count("id")))
    return {row["owner_id"]: row["n"] for row in rows}


def manager_features(managers: list[Staff], *, max_open: int = MAX_OPEN_OPPORTUNITIES
                     ) -> list[assignment.ManagerFeatures]:
    from lendpilot.org.models import IndustryExpertise, ProductFamiliarity, SkillProfile

    ids = [m.pk for m in managers]
    ind: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    for staff_id, industry, level in IndustryExpertise.objects.filter(staff_id__in=ids).values_list(
            "staff_id", "industry", "level"):
        ind[staff_id][industry] = level
    prod: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    for staff_id, category, level in ProductFamiliarity.objects.filter(staff_id__in=ids).values_list(
            "staff_id", "category", "level"):
        prod[staff_id][category] = level
    conv = dict(SkillProfile.objects.filter(staff_id__in=ids).values_list("staff_id",
                                                                          "existing_customer_conversion_rate"))
    load = open_counts(ids)
    return [assignment.ManagerFeatures(ind[pk], prod[pk], float(conv.get(pk, 0)), load.get(pk, 0),
                                       max(0, max_open - load.get(pk, 0))) for pk in ids]


def lead_features(leads: list[Lead]) -> list[assignment.LeadFeatures]:
    return [assignment.LeadFeatures(lead.industry, lead.product.category if lead.product is not None else "",
                                    lead.customer_id is not None) for lead in leads]


def _assignable_leads(acting: Actor, lead_ids: list[int]) -> list[Lead]:
    from lendpilot.sales.selectors import leads_visible

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
    import numpy as np

    allowed = np.array([[m.region_id == lead.region_id for m in managers] for lead in leads], dtype=bool)
    best = assignment.optimal(lf, mf, allowed=allowed)
    base = round_robin_in_region(leads, managers, lf, mf)
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
}


def reason_text(codes: list[str]) -> str:
    return ", ".join(_(REASON_LABELS.get(code, code)) for code in codes)


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
        if manager is None:
            continue
        taken[manager.pk] = taken.get(manager.pk, 0) + 1
        if load.get(manager.pk, 0) + taken[manager.pk] > MAX_OPEN_OPPORTUNITIES:
            raise ValidationError({"overrides" if row.lead.pk in overrides else "manager_ids":
                                   _("%(name)s has no capacity left") % {"name": manager.name}})
        lead = row.lead
        lead.owner = manager
        lead.status = Lead.Status.CONVERTED
        lead.assignment_reason = reason_text(reasons)[:300]
        lead.save(update_fields=["owner", "status", "assignment_reason"])
        opp = Opportunity.objects.create(
            lead=lead, customer=lead.customer, name=lead.name, owner=manager, node=Node.SCREENING,
            industry=lead.industry, product=lead.product, amount=lead.amount_wanted, created_at=now,
            node_entered_at=now)
        Transition.objects.create(opportunity=opp, from_node="", to_node=Node.SCREENING, at=now,
                                  actor=_staff(acting), actor_label=acting.label, note=lead.assignment_reason)
        if row.lead.pk in overrides:
            record_event(actor=_who(acting), event_code="sales.assignment_overridden", obj=lead,
                         before={"proposed_manager_id": row.manager.pk if row.manager else None,
                                 "score": round(row.score, 6)},
                         after={"manager_id": manager.pk})
        created.append(opp)
    record_event(actor=_who(acting), event_code="sales.leads_assigned", object_type="sales.lead",
                 object_id=f"batch:{len(created)}",
                 after={"method": method, "objective": round(plan.objective, 6),
                        "baseline_objective": round(plan.baseline_objective, 6),
                        "assigned": {str(o.lead_id): o.owner_id for o in created},
                        "overrides": {str(k): v for k, v in overrides.items()}})
    return created


# --- opportunities ---------------------------------------------------------------------------------


def _check_worker(acting: Actor, opportunity: Opportunity) -> None:
    require(acting, Perm.WORK_OPPORTUNITIES)
    from lendpilot.sales.selectors import opportunities_visible

    if not acting.is_system and not opportunities_visible(acting).filter(pk=opportunity.pk).exists():
        raise PermissionDenied(_("this opportunity is outside your scope"))


@transaction.atomic
def opportunity_create(*, actor, customer: Customer, product: Product | None = None, amount=None,
                       tier: str = Tier.STANDARD, name: str = "", at: datetime | None = None) -> Opportunity:
    """An opportunity on an existing customer, owned by the customer's manager."""
    acting = actor_of(actor)
    require(acting, Perm.WORK_OPPORTUNITIES)
    errors: dict[str, str] = {}
    if not acting.is_system and not staff_in_scope(acting, customer.manager):
        raise PermissionDenied(_("this customer is outside your scope"))
    if tier not in Tier.values:
        errors["tier"] = _("unknown tier %(tier)s") % {"tier": tier}
    value = _money(amount, "amount", errors)
    if errors:
        raise ValidationError(errors)
    now = at or timezone.now()
    opp = Opportunity.objects.create(customer=customer, name=(name or customer.name)[:100], owner=customer.manager,
                                     tier=tier, industry=customer.industry, product=product, amount=value,
                                     created_at=now, node_entered_at=now)
    Transition.objects.create(opportunity=opp, from_node="", to_node=Node.SCREENING, at=now, actor=_staff(acting),
                              actor_label=acting.label)
    record_event(actor=_who(acting), event_code="sales.opportunity_created", obj=opp,
                 after=snapshot(opp, ["customer_id", "owner_id", "node", "product_id", "amount"]))
    return opp


def _submitted_application(opportunity: Opportunity) -> Application | None:
    if opportunity.customer_id is None:
        return None
    return (Application.objects.filter(applicant_id=opportunity.customer_id, status__in=SUBMITTED)
            .order_by("-submitted_at", "-id").first())


@transaction.atomic
def opportunity_move(*, actor, opportunity: Opportunity, to_node: str, loss_reason: str = "",
                     note: str = "", at: datetime | None = None) -> Opportunity:
    """Move to another node if the transitions table and the guards allow it:
    - the qualification review needs a submitted loan application of the customer (lending's state);
    - won needs that application disbursed."""
    acting = actor_of(actor)
    _check_worker(acting, opportunity)
    opp = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    problem = move_problem(opp.node, to_node, loss_reason=loss_reason)
    if problem:
        raise ValidationError({"loss_reason" if to_node == Node.LOST and opp.is_open
                               and to_node in Node.values else "node": problem})
    if to_node in (Node.QUALIFICATION, Node.SIGNING, Node.WON):
        application = _submitted_application(opp)
        if application is None:
            raise ValidationError({"node": _("the qualification review needs a submitted loan application "
                                             "of the customer")})
        opp.application = application
        if to_node == Node.WON and application.status != Application.Status.DISBURSED:
            raise ValidationError({"node": _("won only when the loan is disbursed")})
    before = snapshot(opp, ["node", "loss_reason", "application_id"])
    now = at or timezone.now()
    src = opp.node
    opp.node = to_node
    opp.node_entered_at = now
    opp.loss_reason = loss_reason if to_node == Node.LOST else ""
    opp.closed_at = now if to_node in (Node.WON, Node.LOST) else None
    opp.save(update_fields=["node", "node_entered_at", "loss_reason", "closed_at", "application"])
    Transition.objects.create(opportunity=opp, from_node=src, to_node=to_node, at=now, actor=_staff(acting),
                              actor_label=acting.label, note=(note or "")[:300])
    record_event(actor=_who(acting), event_code="sales.opportunity_moved", obj=opp, before=before,
                 after=snapshot(opp, ["node", "loss_reason", "application_id"]))
    return opp


@transaction.atomic
def opportunities_sync_lending(*, actor=None) -> dict[str, int]:
    """Close open opportunities from the lending state: a disbursed application -> won; a rejected or
    withdrawn one -> lost (declined). Reads lending; idempotent."""
    acting = actor_of(actor)
    counts = {"won": 0, "lost": 0}
    rows = (Opportunity.objects.select_for_update()
            .filter(node__in=[Node.QUALIFICATION, Node.SIGNING], application__isnull=False)
            .filter(Q(application__status=Application.Status.DISBURSED) | Q(application__status__in=DECLINED))
            .select_related("application"))
    now = timezone.now()
    for opp in rows:
        application = opp.application
        if application is None:  # the query asks for an application; None only if it vanished meanwhile
            continue
        src = opp.node
        if application.status == Application.Status.DISBURSED:
            path = [Node.SIGNING, Node.WON] if src == Node.QUALIFICATION else [Node.WON]
            opp.loss_reason = ""
            counts["won"] += 1
        else:
            path = [Node.LOST]
            opp.loss_reason = LossReason.DECLINED
            counts["lost"] += 1
        for dst in path:
            Transition.objects.create(opportunity=opp, from_node=src, to_node=dst, at=now, actor=None,
                                      actor_label="lending", note=application.number)
            src = dst
        opp.node, opp.node_entered_at, opp.closed_at = path[-1], now, now
        opp.save(update_fields=["node", "node_entered_at", "closed_at", "loss_reason"])
        record_event(actor=_who(acting), event_code="sales.opportunity_synced", obj=opp,
                     after={"node": opp.node, "application": application.number})
    return counts


# --- activities ------------------------------------------------------------------------------------


@transaction.atomic
def activity_log(*, actor, opportunity: Opportunity, kind: str, outcome: str, notes: str = "",
                 happened_at: datetime | None = None, next_step: str = "", next_step_on: date | None = None
                 ) -> Activity:
    """Log a call, visit, meeting or message; earlier follow-ups of the opportunity count as done."""
    acting = actor_of(actor)
    _check_worker(acting, opportunity)
    errors: dict[str, str] = {}
    if kind not in Activity.Kind.values:
        errors["kind"] = _("kind is one of %(choices)s") % {"choices": ", ".join(Activity.Kind.values)}
    if outcome not in Activity.Outcome.values:
        errors["outcome"] = _("outcome is one of %(choices)s") % {"choices": ", ".join(Activity.Outcome.values)}
    when = happened_at or timezone.now()
    if when > timezone.now() + timedelta(minutes=5):
        errors["happened_at"] = _("an activity cannot lie in the future")
    day = timezone.localdate(when) if timezone.is_aware(when) else when.date()
    if next_step_on is not None and next_step_on < day:
        errors["next_step_on"] = _("the next step cannot be due before the activity")
    if errors:
        raise ValidationError(errors)
    Activity.objects.filter(opportunity=opportunity, follow_up_done=False).update(follow_up_done=True)
    act = Activity.objects.create(opportunity=opportunity, owner=acting.staff or opportunity.owner, kind=kind,
                                  outcome=outcome, notes=notes[:1000], happened_at=when, next_step=next_step[:200],
                                  next_step_on=next_step_on, follow_up_done=next_step_on is None)
    record_event(actor=_who(acting), event_code="sales.activity_logged", obj=act,
                 after=snapshot(act, ["opportunity_id", "kind", "outcome", "next_step_on"]))
    return act


# --- proposals -------------------------------------------------------------------------------------


def rate_floor_for(staff: Staff | None, role: str | None) -> Decimal | None:
    """The lowest annual rate the staff member may offer alone: their team's resource pack (the lowest
    floor of its active packs) if any, else the active authority matrix's floor for the role."""
    if staff is not None and staff.team_id:
        pack_floor = (ResourcePack.objects.filter(team_id=staff.team_id, is_active=True)
                      .order_by("rate_floor").values_list("rate_floor", flat=True).first())
        if pack_floor is not None:
            return pack_floor
    rules = rules_of(AuthorityMatrix.objects.filter(is_active=True).first())
    return rules.rate_floors.get(role or "")


@dataclass
class Preview:
    rows: list
    apr: Decimal
    first_payment: Decimal
    total_interest: Decimal


def proposal_preview(*, product: Product, amount, term_months: int, repayment_method: str, annual_rate,
                     start: date | None = None) -> Preview:
    offer_check(product=product, amount=amount, term_months=term_months, repayment_method=repayment_method,
                annual_rate=annual_rate)
    try:
        rows = build_schedule(principal=Decimal(str(amount)), annual_rate=Decimal(str(annual_rate)),
                              periods=term_months, method=repayment_method, start=start or timezone.localdate())
        apr = annualised_rate(principal=Decimal(str(amount)), rows=rows, periods=term_months)
    except ScheduleError as exc:
        raise ValidationError({"amount": str(exc)}) from exc
    return Preview(rows, apr, rows[0].payment, sum((r.interest for r in rows), Decimal("0")))


@transaction.atomic
def proposal_save(*, actor, opportunity: Opportunity, product: Product, amount, term_months: int,
                  repayment_method: str, annual_rate, needs: dict | None = None) -> Proposal:
    """Save the next version of the proposal: within the product's limits and the rate authority of
    the person proposing (below it, the case must go through lending's rate approval instead)."""
    acting = actor_of(actor)
    _check_worker(acting, opportunity)
    opp = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if not opp.is_open:
        raise Conflict(_("the opportunity is closed"), field="opportunity")
    if annual_rate is None:
        raise ValidationError({"annual_rate": _("this field is required")})
    preview = proposal_preview(product=product, amount=amount, term_months=term_months,
                               repayment_method=repayment_method, annual_rate=annual_rate)
    floor = rate_floor_for(acting.staff, acting.role)
    if floor is not None and Decimal(str(annual_rate)) < floor:
        raise ValidationError({"annual_rate": _("below your rate authority (lowest %(floor)s); ask for a rate "
                                                "approval") % {"floor": format(floor, ".2%")}})
    version = (opp.proposals.aggregate(v=Max("version"))["v"] or 0) + 1
    proposal = Proposal.objects.create(
        opportunity=opp, version=version, product=product, amount=Decimal(str(amount)), term_months=term_months,
        repayment_method=repayment_method, annual_rate=Decimal(str(annual_rate)), apr=preview.apr,
        first_payment=preview.first_payment, total_interest=preview.total_interest, needs=needs or {},
        created_by=acting.staff or opp.owner)
    record_event(actor=_who(acting), event_code="sales.proposal_saved", obj=proposal,
                 after=snapshot(proposal, ["opportunity_id", "version", "product_id", "amount", "term_months",
                                           "repayment_method", "annual_rate", "apr"]))
    return proposal


# --- playbooks and resource packs ------------------------------------------------------------------


@transaction.atomic
def playbook_entry_save(*, actor, kind: str, title: str, body: str, node: str = "", tier: str = "",
                        objection: str = "", entry: PlaybookEntry | None = None) -> PlaybookEntry:
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_PLAYBOOKS)
    errors: dict[str, str] = {}
    if kind not in PlaybookEntry.Kind.values:
        errors["kind"] = _("kind is script or objection")
    if node and node not in Node.values:
        errors["node"] = _("unknown node %(node)s") % {"node": node}
    if tier and tier not in Tier.values:
        errors["tier"] = _("unknown tier %(tier)s") % {"tier": tier}
    if objection and objection not in LossReason.values:
        errors["objection"] = _("unknown objection %(objection)s") % {"objection": objection}
    if kind == PlaybookEntry.Kind.OBJECTION and not objection:
        errors["objection"] = _("an objection answer names the objection")
    if not (title or "").strip():
        errors["title"] = _("a title is required")
    if not (body or "").strip():
        errors["body"] = _("the text is required")
    if errors:
        raise ValidationError(errors)
    before = snapshot(entry) if entry else None
    entry = entry or PlaybookEntry()
    entry.kind, entry.title, entry.body, entry.node, entry.tier, entry.objection = (
        kind, title.strip()[:200], body.strip(), node, tier, objection)
    entry.save()
    record_event(actor=_who(acting), event_code="sales.playbook_saved", obj=entry, before=before,
                 after=snapshot(entry, ["kind", "node", "tier", "objection", "title"]))
    return entry


def playbook_use(*, actor, entry: PlaybookEntry) -> int:
    """Count one use of an entry (shown, copied into a conversation); conditional update, no audit row."""
    acting = actor_of(actor)
    require(acting, Perm.VIEW_SALES)
    PlaybookEntry.objects.filter(pk=entry.pk).update(usage_count=F("usage_count") + 1)
    return PlaybookEntry.objects.values_list("usage_count", flat=True).get(pk=entry.pk)


@transaction.atomic
def resource_pack_save(*, actor, name: str, team, rate_floor, customer_ids: list[int] | None = None,
                       script_ids: list[int] | None = None, target: str = "") -> ResourcePack:
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_PLAYBOOKS)
    from lendpilot.sales.selectors import teams_in_scope

    if not acting.is_system and not teams_in_scope(acting).filter(pk=team.pk).exists():
        raise PermissionDenied(_("this team is outside your scope"))
    errors: dict[str, str] = {}
    if not (name or "").strip():
        errors["name"] = _("a name is required")
    try:
        floor = Decimal(str(rate_floor))
        if not floor.is_finite() or not Decimal("0") <= floor <= Decimal("0.36"):
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        errors["rate_floor"] = _("a rate between 0 and 0.36")
        floor = Decimal(0)  # never written: the errors are raised below
    customers = list(Customer.objects.filter(pk__in=customer_ids or []))
    if len(customers) != len(set(customer_ids or [])):
        errors["customer_ids"] = _("some customers do not exist")
    scripts = list(PlaybookEntry.objects.filter(pk__in=script_ids or []))
    if len(scripts) != len(set(script_ids or [])):
        errors["script_ids"] = _("some playbook entries do not exist")
    if errors:
        raise ValidationError(errors)
    pack = ResourcePack.objects.create(name=name.strip()[:100], team=team, target=target[:100], rate_floor=floor)
    pack.customers.set(customers)
    pack.scripts.set(scripts)
    record_event(actor=_who(acting), event_code="sales.resource_pack_saved", obj=pack,
                 after={"name": pack.name, "team_id": team.pk, "rate_floor": floor,
                        "customers": len(customers), "scripts": len(scripts)})
    return pack
