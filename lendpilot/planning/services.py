"""Every write of planning: plans (create, split, edit a cell, approve), market heat, quotas and the monthly
re-set. Each service is one transaction with its audit record; bad input raises ValidationError naming the
field and writes nothing."""

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event
from lendpilot.core.bulk_load import insert_rows
from lendpilot.core.errors import Conflict
from lendpilot.core.months import month_start, shift_month
from lendpilot.lending.classification import NPL_CLASSES
from lendpilot.lending.models import Loan
from lendpilot.org.access import actor_of, require
from lendpilot.org.models import Region, Staff, Team
from lendpilot.org.roles import DataScope, Perm, Role
from lendpilot.planning import decompose, reset
from lendpilot.planning.decompose import NPL_UNIT, UNIT, CellDrivers, DecompositionError
from lendpilot.planning.models import MarketHeat, Quota, QuotaChange, QuotaReset, QuotaResetLine, TargetCell, TargetPlan
from lendpilot.products.models import Product


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


# Importers outside planning (incentives) still reach the month-start step by its former name here.
add_months = shift_month


def plan_months(plan: TargetPlan) -> list[date]:
    return [shift_month(month_start(plan.period_start), n) for n in range(12)]


def _units(value, field: str) -> int:
    try:
        return decompose.to_units(value, field=field)
    except DecompositionError as exc:
        raise _invalid(field, exc.message) from exc


def _staff(actor):
    return actor_of(actor).staff


@transaction.atomic
def target_plan_create(*, actor, code: str, name: str, period_start: date, total_amount: Decimal,
                       new_customers: int = 0, npl_ceiling: Decimal = Decimal("0.02"), drivers: dict | None = None,
                       month_weights: list | None = None, sprint_ratio: Decimal = Decimal("0.2")) -> TargetPlan:
    """A new plan, or a new version of plan `code` (same period). Plans with other codes may not overlap."""
    who = actor_of(actor)
    require(who, Perm.APPROVE_TARGETS)
    _units(total_amount, "total_amount")
    try:
        weights = decompose.parse_driver_weights(drivers)
    except DecompositionError as exc:
        raise _invalid("drivers", exc.message) from exc
    month_weights = list(month_weights) if month_weights else [1] * 12
    try:
        mw = [Decimal(str(w)) for w in month_weights]
    except (InvalidOperation, ValueError) as exc:
        raise _invalid("month_weights", "month weights must be numbers") from exc
    if len(mw) != 12 or any(not w.is_finite() or w < 0 for w in mw) or sum(mw) == 0:
        raise _invalid("month_weights", "twelve month weights, not negative, not all zero")
    if not Decimal(0) <= Decimal(npl_ceiling) <= 1:
        raise _invalid("npl_ceiling", "between 0 and 1")
    if not Decimal(0) <= Decimal(sprint_ratio) <= 1:
        raise _invalid("sprint_ratio", "between 0 and 1")
    if new_customers < 0:
        raise _invalid("new_customers", "must not be negative")
    start = month_start(period_start)
    end = shift_month(start, 12).replace(day=1)
    end = date.fromordinal(end.toordinal() - 1)
    overlapping = TargetPlan.objects.exclude(code=code).exclude(status=TargetPlan.Status.SUPERSEDED).filter(
        period_start__lte=end, period_end__gte=start)
    if overlapping.exists():
        raise _invalid("period_start", "the period overlaps another plan")
    previous = TargetPlan.objects.select_for_update().filter(code=code).aggregate(v=Max("version"))["v"]
    same_code = TargetPlan.objects.filter(code=code).exclude(period_start=start)
    if same_code.exists():
        raise _invalid("period_start", "a new version keeps the period of its plan")
    plan = TargetPlan.objects.create(
        code=code, version=(previous or 0) + 1, name=name, period_start=start, period_end=end,
        total_amount=Decimal(total_amount), new_customers=new_customers, npl_ceiling=npl_ceiling,
        drivers={k: str(v) for k, v in weights.items()}, month_weights=[str(w) for w in mw],
        sprint_ratio=sprint_ratio, created_by=who.staff)
    record_event(actor=who.user, event_code="planning.plan_created", obj=plan,
                 after={"code": code, "version": plan.version, "total": plan.total_amount,
                        "period": [start, end]})
    return plan


def _risk_drivers(start: date, end: date) -> dict[tuple[str, str], Decimal]:
    """Per (product line, region): the NPL ratio of the loans disbursed between two dates against the NPL
    ratio of all of them (one grouped query). 1.0 where there is no history; clamped when used."""
    rows = list(Loan.objects.filter(disbursed_on__range=(start, end)).values(
        "product__category", "borrower__manager__team__region__code").annotate(
        total=Sum("principal"), npl=Sum("principal", filter=Q(risk_class__in=NPL_CLASSES))))
    book = sum((r["total"] or Decimal(0) for r in rows), Decimal(0))
    bad = sum((r["npl"] or Decimal(0) for r in rows), Decimal(0))
    if not book or not bad:
        return {}
    overall = bad / book
    return {(r["product__category"], r["borrower__manager__team__region__code"]):
            decompose.clamp_risk(((r["npl"] or Decimal(0)) / r["total"] / overall).quantize(Decimal("0.001")))
            for r in rows if r["total"]}


def default_drivers(plan: TargetPlan) -> list[CellDrivers]:
    """One cell per active product line x region x team type present in the organisation, with last year's
    disbursed amount (one aggregate query), market capacity and heat, and the risk driver of the product
    line in the region (last year's NPL ratio against the book's)."""
    categories = sorted(set(Product.objects.filter(is_active=True).values_list("category", flat=True)))
    pairs = sorted(set(Team.objects.values_list("region__code", "channel")))
    start, end = plan.period_start, plan.period_end
    last_start, last_end = start.replace(year=start.year - 1), end.replace(year=end.year - 1)
    last = {(r["product__category"], r["borrower__manager__team__region__code"],
             r["borrower__manager__team__channel"]): r["s"]
            for r in Loan.objects.filter(disbursed_on__range=(last_start, last_end))
            .values("product__category", "borrower__manager__team__region__code", "borrower__manager__team__channel")
            .annotate(s=Sum("principal"))}
    heat = {(h.region.code, h.product): h for h in MarketHeat.objects.select_related("region")}
    risk = _risk_drivers(last_start, last_end)
    types_in_region: dict[str, int] = defaultdict(int)
    for region, _channel in pairs:
        types_in_region[region] += 1
    cells = []
    for category in categories:
        for region, channel in pairs:
            h = heat.get((region, category))
            capacity = (h.capacity / types_in_region[region]) if h else Decimal(0)
            cells.append(CellDrivers(product=category, region=region, team_type=channel,
                                     last_year=last.get((category, region, channel)) or Decimal(0),
                                     capacity=capacity, heat=h.heat if h else Decimal(1),
                                     risk=risk.get((category, region), Decimal(1))))
    return cells


def _weights_down():
    """Team weight = active account managers in the team; managers weigh equally."""
    teams: dict[tuple[str, str], list] = defaultdict(list)
    managers: dict[int, list] = defaultdict(list)
    rows = Staff.objects.filter(role=Role.ACCOUNT_MANAGER, is_active=True, team__isnull=False).values_list(
        "id", "team_id", "team__region__code", "team__channel").order_by("team_id", "employee_no")
    heads: dict[int, tuple[str, str]] = {}
    for staff_id, team_id, region, channel in rows:
        managers[team_id].append((staff_id, 1))
        heads[team_id] = (region, channel)
    for team_id, key in sorted(heads.items()):
        teams[key].append((team_id, len(managers[team_id])))
    return teams, managers


def _write_down(plan: TargetPlan, cell_rows: list[TargetCell]) -> int:
    """(Re)create the team and manager rows from the plan's cell rows."""
    TargetCell.objects.filter(plan=plan).exclude(level=TargetCell.Level.CELL).delete()
    teams, managers = _weights_down()
    regions = dict(Region.objects.values_list("code", "id"))
    region_codes = {v: k for k, v in regions.items()}
    months = plan_months(plan)
    grouped: dict[tuple, list[TargetCell]] = defaultdict(list)
    for row in cell_rows:
        grouped[(row.product, row.region_id, row.team_type)].append(row)
    splits, keys = [], []
    for key, key_cells in grouped.items():
        by_month = {r.month: r for r in key_cells}
        units = [int(by_month[m].amount / UNIT) if m in by_month else 0 for m in months]
        customers = [by_month[m].new_customers if m in by_month else 0 for m in months]
        npl = [int(by_month[m].npl_amount / NPL_UNIT) if m in by_month else 0 for m in months]
        splits.append(decompose.CellSplit(product=key[0], region=region_codes[key[1]], team_type=key[2],
                                          units=sum(units), weight=Decimal(0), last_year=Decimal(0),
                                          capacity=Decimal(0), months=units, customers=sum(customers),
                                          customer_months=customers, npl=sum(npl), npl_months=npl))
        keys.append(key)
    zero, one = Decimal(0), Decimal(1)

    def rows():
        for ci, mi, team_id, manager_id, units, customers, npl in decompose.split_to_people(splits, teams, managers):
            if team_id is None:
                continue
            product, region_id, team_type = keys[ci]
            level = TargetCell.Level.MANAGER if manager_id else TargetCell.Level.TEAM
            yield (plan.pk, level, product, region_id, team_type, months[mi], team_id, manager_id,
                   Decimal(units) * UNIT, customers, Decimal(npl) * NPL_UNIT, one, zero, zero, zero, False, False)

    # COPY on PostgreSQL, executemany on SQLite: a bank-size split writes some 150,000 rows.
    return insert_rows(TargetCell, ["plan_id", "level", "product", "region_id", "team_type", "month", "team_id",
                                    "manager_id", "amount", "new_customers", "npl_amount", "risk", "weight",
                                    "last_year", "capacity", "exceeds_capacity", "edited"], rows(),
                       batch_size=20_000)


@transaction.atomic
def target_plan_split(*, actor, plan: TargetPlan, cells: list[CellDrivers] | None = None) -> dict:
    """Split a draft plan's three targets (disbursed amount, new customers, NPL ceiling; rules in
    `decompose`) over product line x region x team type x month, then to teams and managers."""
    who = actor_of(actor)
    require(who, Perm.APPROVE_TARGETS)
    plan = TargetPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != TargetPlan.Status.DRAFT:
        raise Conflict(_("only a draft plan can be split"), field="status")
    cells = cells if cells is not None else default_drivers(plan)
    regions = dict(Region.objects.values_list("code", "id"))
    for cell in cells:
        if cell.region not in regions:
            raise _invalid("cells", f"unknown region {cell.region}")
    try:
        split = decompose.split_target(decompose.to_units(plan.total_amount), cells, weights=plan.drivers,
                                       month_weights=[Decimal(w) for w in plan.month_weights],
                                       new_customers=plan.new_customers, npl_ceiling=plan.npl_ceiling)
    except DecompositionError as exc:
        raise _invalid(exc.field, exc.message) from exc
    TargetCell.objects.filter(plan=plan).delete()
    months = plan_months(plan)
    rows = [TargetCell(plan=plan, level=TargetCell.Level.CELL, product=c.product, region_id=regions[c.region],
                       team_type=c.team_type, month=months[mi], amount=Decimal(units) * UNIT,
                       new_customers=c.customer_months[mi], npl_amount=Decimal(c.npl_months[mi]) * NPL_UNIT,
                       risk=c.risk, weight=c.weight, last_year=c.last_year, capacity=c.capacity,
                       exceeds_capacity=c.exceeds_capacity)
            for c in split for mi, units in enumerate(c.months)]
    TargetCell.objects.bulk_create(rows, batch_size=5000)
    down = _write_down(plan, rows)
    flagged = sorted({(c.product, c.region, c.team_type) for c in split if c.exceeds_capacity})
    record_event(actor=who.user, event_code="planning.plan_split", obj=plan,
                 after={"cells": len(rows), "people_rows": down, "over_capacity": [list(f) for f in flagged],
                        "new_customers": sum(c.customers for c in split),
                        "npl_amount": decompose.from_npl_units(sum(c.npl for c in split))})
    return {"cells": len(rows), "people_rows": down, "over_capacity": flagged}


# How each metric is stored on a cell row and turned into whole units (see `decompose`).
CELL_METRICS = {"amount": ("amount", UNIT), "customers": ("new_customers", None), "npl": ("npl_amount", NPL_UNIT)}


def _metric_units(metric: str, value) -> int:
    """A new value for one metric in whole units; refuses negatives and fractions of the metric's unit."""
    try:
        if metric == "amount":
            return decompose.to_units(value, field="amount")
        if metric == "npl":
            return decompose.to_npl_units(value, field="npl_amount")
    except DecompositionError as exc:
        raise _invalid(exc.field, exc.message) from exc
    try:
        count = Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise _invalid("new_customers", "a whole number of customers") from exc
    if not count.is_finite() or count < 0 or count != count.to_integral_value():
        raise _invalid("new_customers", "a whole number of customers, not negative")
    return int(count)


def _editable_region(who, cell: TargetCell) -> int | None:
    """The region a regional head is held to (None for the bank-wide scope); a cell outside it is refused."""
    require(who, Perm.MANAGE_TARGETS)
    own_region = None if who.is_system or who.scope == DataScope.ALL else getattr(who.staff, "region_id", None)
    if not (who.is_system or who.scope == DataScope.ALL) and (own_region is None or cell.region_id != own_region):
        raise _invalid("cell", "a cell outside your region")
    return own_region


def _siblings(plan: TargetPlan, cell: TargetCell, *, across: str, own_region: int | None) -> list[TargetCell]:
    siblings_qs = TargetCell.objects.filter(plan=plan, level=TargetCell.Level.CELL)
    if across == "months":
        siblings_qs = siblings_qs.filter(product=cell.product, region_id=cell.region_id, team_type=cell.team_type)
    else:
        siblings_qs = siblings_qs.filter(month=cell.month)
        if own_region is not None:
            siblings_qs = siblings_qs.filter(region_id=own_region)
    return list(siblings_qs.order_by("product", "region_id", "team_type", "month", "id"))


@transaction.atomic
def target_cell_edit(*, actor, cell: TargetCell, value, metric: str = "amount",
                     across: str = "months") -> list[TargetCell]:
    """Set one metric of one cell (disbursed amount, new customers or NPL ceiling) and re-balance the same
    metric of its siblings so every total above stays unchanged. Siblings are the other months of the same
    product x region x team type (`across="months"`) or the other cells of the same month
    (`across="cells"`). An edit that would make a sibling negative is refused. A regional head edits the
    cells of their own region only, and re-balances within it. Teams and managers are split again."""
    who = actor_of(actor)
    own_region = _editable_region(who, cell)
    if across not in ("months", "cells"):
        raise _invalid("across", "months or cells")
    if metric not in CELL_METRICS:
        raise _invalid("metric", "amount, customers or npl")
    column, unit = CELL_METRICS[metric]
    new_units = _metric_units(metric, value)
    plan = TargetPlan.objects.select_for_update().get(pk=cell.plan_id)
    if plan.status != TargetPlan.Status.DRAFT:
        raise Conflict(_("only a draft plan can be edited"), field="status")
    if cell.level != TargetCell.Level.CELL:
        raise _invalid("cell", "edit a product x region x team type cell; people follow")
    siblings = _siblings(plan, cell, across=across, own_region=own_region)
    index = next(i for i, s in enumerate(siblings) if s.pk == cell.pk)
    before = [int(getattr(s, column) / unit) if unit else getattr(s, column) for s in siblings]
    try:
        after = decompose.rebalance(before, index, new_units)
    except DecompositionError as exc:
        raise _invalid(column if exc.field == "amount" else exc.field, exc.message) from exc
    for s, units in zip(siblings, after, strict=True):
        setattr(s, column, Decimal(units) * unit if unit else units)
    siblings[index].edited = True
    TargetCell.objects.bulk_update(siblings, [column, "edited"])
    _write_down(plan, list(TargetCell.objects.filter(plan=plan, level=TargetCell.Level.CELL)))
    record_event(actor=who.user, event_code="planning.cell_edited", obj=plan,
                 before={"cell": cell.pk, "metric": metric, "values": before},
                 after={"values": after, "across": across})
    return siblings


def _sprint(base: Decimal, ratio: Decimal) -> Decimal:
    units = (base / UNIT * Decimal(ratio)).to_integral_value(rounding=ROUND_HALF_UP)
    return units * UNIT


def _upsert_quotas(*, who, values: dict[tuple[int, date], tuple[Decimal, Decimal]], source: str,
                   plan: TargetPlan | None = None, reset_obj: QuotaReset | None = None,
                   extras: dict[tuple[int, date], tuple[int, Decimal]] | None = None) -> int:
    """Write base and sprint quotas (and, from a plan, new customers and NPL ceiling) with their history.
    Without `extras` a person-month keeps the customers and NPL targets it had."""
    if not values:
        return 0
    staff_ids = {k[0] for k in values}
    months = {k[1] for k in values}
    existing = {(q.staff_id, q.month): q for q in
                Quota.objects.select_for_update().filter(staff_id__in=staff_ids, month__in=months)}
    create, update, history = [], [], []
    extras = extras or {}
    for (staff_id, month), (base, sprint) in values.items():
        q = existing.get((staff_id, month))
        extra = extras.get((staff_id, month))
        history.append(QuotaChange(staff_id=staff_id, month=month, old_base=q.base if q else None, new_base=base,
                                   old_sprint=q.sprint if q else None, new_sprint=sprint, source=source,
                                   new_customers=extra[0] if extra else None,
                                   npl_amount=extra[1] if extra else None, reset=reset_obj, changed_by=who.staff))
        if q is None:
            customers, npl = extra or (0, Decimal(0))
            create.append(Quota(staff_id=staff_id, month=month, base=base, sprint=sprint, new_customers=customers,
                                npl_amount=npl, plan=plan, source=source))
        else:
            q.base, q.sprint, q.source = base, sprint, source
            if extra:
                q.new_customers, q.npl_amount = extra
            if plan is not None:
                q.plan = plan
            update.append(q)
    Quota.objects.bulk_create(create, batch_size=5000)
    Quota.objects.bulk_update(update, ["base", "sprint", "new_customers", "npl_amount", "source", "plan",
                                       "updated_at"], batch_size=5000)
    QuotaChange.objects.bulk_create(history, batch_size=5000)
    return len(values)


@transaction.atomic
def target_plan_approve(*, actor, plan: TargetPlan) -> TargetPlan:
    """The director approves a draft: it replaces the approved version of the same plan, and its manager
    rows become each person's monthly quota: base (sprint = base x sprint ratio), new customers and the
    NPL amount ceiling."""
    who = actor_of(actor)
    require(who, Perm.APPROVE_TARGETS)
    plan = TargetPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != TargetPlan.Status.DRAFT:
        raise Conflict(_("the plan is not a draft"), field="status")
    if not TargetCell.objects.filter(plan=plan, level=TargetCell.Level.CELL).exists():
        raise _invalid("cells", "split the plan before approving it")
    TargetPlan.objects.filter(code=plan.code, status=TargetPlan.Status.APPROVED).update(
        status=TargetPlan.Status.SUPERSEDED)
    plan.status, plan.approved_by, plan.approved_at = TargetPlan.Status.APPROVED, who.staff, timezone.now()
    try:
        with transaction.atomic():
            plan.save(update_fields=["status", "approved_by", "approved_at"])
    except IntegrityError as exc:
        raise Conflict(_("another version was approved at the same time"), field="status") from exc
    sums = (TargetCell.objects.filter(plan=plan, level=TargetCell.Level.MANAGER)
            .values("manager_id", "month").annotate(s=Sum("amount"), n=Sum("new_customers"), b=Sum("npl_amount")))
    values, extras = {}, {}
    for r in sums:
        values[(r["manager_id"], r["month"])] = (r["s"], _sprint(r["s"], plan.sprint_ratio))
        extras[(r["manager_id"], r["month"])] = (r["n"] or 0, r["b"] or Decimal(0))
    n = _upsert_quotas(who=who, values=values, source=Quota.Source.PLAN, plan=plan, extras=extras)
    record_event(actor=who.user, event_code="planning.plan_approved", obj=plan,
                 after={"version": plan.version, "quotas": n,
                        "new_customers": sum(e[0] for e in extras.values()),
                        "npl_amount": sum((e[1] for e in extras.values()), Decimal(0))})
    return plan


@transaction.atomic
def market_heat_set(*, actor, region: Region, product: str, heat: Decimal, capacity: Decimal = Decimal(0)):
    who = actor_of(actor)
    require(who, Perm.APPROVE_TARGETS)
    if not Decimal(heat) > 0:
        raise _invalid("heat", "the market heat coefficient must be positive")
    if Decimal(capacity) < 0:
        raise _invalid("capacity", "must not be negative")
    row, _created = MarketHeat.objects.update_or_create(region=region, product=product,
                                                 defaults={"heat": heat, "capacity": capacity})
    record_event(actor=who.user, event_code="planning.heat_set", obj=row, after={"heat": heat, "capacity": capacity})
    return row


@transaction.atomic
def quota_set(*, actor, staff: Staff, month: date, base: Decimal, sprint: Decimal) -> Quota:
    who = actor_of(actor)
    require(who, Perm.APPROVE_TARGETS)
    _units(base, "base")
    _units(sprint, "sprint")
    month = month_start(month)
    _upsert_quotas(who=who, values={(staff.pk, month): (Decimal(base), Decimal(sprint))}, source=Quota.Source.MANUAL)
    quota = Quota.objects.get(staff=staff, month=month)
    record_event(actor=who.user, event_code="planning.quota_set", obj=quota, after={"base": base, "sprint": sprint})
    return quota


def monthly_disbursed(*, start: date, end: date, staff_ids=None) -> dict[tuple[int, date], Decimal]:
    """Disbursed principal per (manager, month) between two dates: one grouped query."""
    qs = Loan.objects.filter(disbursed_on__range=(start, end))
    if staff_ids is not None:
        qs = qs.filter(borrower__manager_id__in=staff_ids)
    rows = qs.annotate(m=TruncMonth("disbursed_on")).values("borrower__manager_id", "m").annotate(s=Sum("principal"))
    return {(r["borrower__manager_id"], r["m"]): r["s"] for r in rows}


@transaction.atomic
def quota_reset_propose(*, actor, month: date, rules: dict | None = None) -> QuotaReset:
    """Propose `month`'s base quotas from the last months' attainment and the market heat of each person's
    region (mean over product lines), within caps. An open proposal for the month is replaced."""
    who = actor_of(actor)
    require(who, Perm.APPROVE_TARGETS)
    try:
        parsed = reset.ResetRules.parse(rules)
    except DecompositionError as exc:
        raise _invalid("rules", exc.message) from exc
    month = month_start(month)
    previous = shift_month(month, -1)
    first = shift_month(month, -parsed.months)
    QuotaReset.objects.filter(month=month, status=QuotaReset.Status.PROPOSED).delete()
    proposal = QuotaReset.objects.create(month=month, rules={k: str(v) for k, v in parsed.__dict__.items()},
                                         proposed_by=who.staff)
    quotas = list(Quota.objects.filter(month__gte=first, month__lte=previous, staff__is_active=True)
                  .values("staff_id", "month", "base", "sprint", "staff__team__region_id"))
    current: dict[tuple[int, date], Mapping[str, Any]] = {
        (q["staff_id"], q["month"]): q for q in Quota.objects.filter(month=month).values(
            "staff_id", "month", "base", "sprint")}
    disbursed = monthly_disbursed(start=first, end=date.fromordinal(month.toordinal() - 1))
    heat: dict[int | None, Decimal] = {r["region_id"]: r["h"] for r in MarketHeat.objects.values("region_id").annotate(
        h=Sum("heat") / Count("id"))}
    heat_of: dict[tuple[int | None, str], Decimal] = {(r.region_id, r.product): r.heat
                                                      for r in MarketHeat.objects.all()}
    # Each person's product mix over the history window (one grouped query) weighs the heat of their region's
    # product lines; with no sales the region's mean heat applies.
    mix: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    for r in Loan.objects.filter(disbursed_on__range=(first, date.fromordinal(month.toordinal() - 1))).values(
            "borrower__manager_id", "product__category").annotate(s=Sum("principal")):
        mix[r["borrower__manager_id"]].append((r["product__category"], r["s"]))
    by_staff: dict[int, dict[date, Mapping[str, Any]]] = defaultdict(dict)
    region_of: dict[int, int | None] = {}
    for q in quotas:
        by_staff[q["staff_id"]][q["month"]] = q
        region_of[q["staff_id"]] = q["staff__team__region_id"]
    lines = []
    for staff_id, months in sorted(by_staff.items()):
        last = months.get(previous) or months[max(months)]
        base_now = current.get((staff_id, month), last)
        history = []
        for n in range(parsed.months, 0, -1):
            m = shift_month(month, -n)
            quota = months.get(m)
            history.append(None if not quota or not quota["base"]
                           else disbursed.get((staff_id, m), Decimal(0)) / quota["base"])
        h = Decimal(heat.get(region_of[staff_id], Decimal(1)))
        sold = sum((amount for _p, amount in mix.get(staff_id, ())), Decimal(0))
        if sold:
            h = sum((Decimal(heat_of.get((region_of[staff_id], product), h)) * amount
                     for product, amount in mix[staff_id]), Decimal(0)) / sold
        h = h.quantize(Decimal("0.001"))
        p = reset.propose(current_units=int(base_now["base"] / UNIT), attainment_history=history, heat=h,
                          rules=parsed)
        new_base = Decimal(p.proposed_units) * UNIT
        ratio = (base_now["sprint"] / base_now["base"]) if base_now["base"] else Decimal(0)
        lines.append(QuotaResetLine(reset=proposal, staff_id=staff_id, old_base=base_now["base"], new_base=new_base,
                                    old_sprint=base_now["sprint"], new_sprint=_sprint(new_base, ratio),
                                    attainment=p.attainment, heat=h, reasons=p.reasons))
    QuotaResetLine.objects.bulk_create(lines, batch_size=5000)
    record_event(actor=who.user, event_code="planning.reset_proposed", obj=proposal,
                 after={"month": month, "lines": len(lines)})
    return proposal


@transaction.atomic
def quota_reset_decide(*, actor, reset_obj: QuotaReset, approve: bool) -> QuotaReset:
    """The director approves (the proposed quotas are applied and kept in the history) or rejects."""
    who = actor_of(actor)
    require(who, Perm.APPROVE_TARGETS)
    updated = QuotaReset.objects.filter(pk=reset_obj.pk, status=QuotaReset.Status.PROPOSED).update(
        status=QuotaReset.Status.APPROVED if approve else QuotaReset.Status.REJECTED, decided_by=who.staff,
        decided_at=timezone.now())
    if not updated:
        raise Conflict(_("the re-set was already decided"), field="status")
    reset_obj.refresh_from_db()
    applied = 0
    if approve:
        values = {(line.staff_id, reset_obj.month): (line.new_base, line.new_sprint)
                  for line in reset_obj.lines.all()}
        applied = _upsert_quotas(who=who, values=values, source=Quota.Source.RESET, reset_obj=reset_obj)
    record_event(actor=who.user, event_code="planning.reset_decided", obj=reset_obj,
                 after={"approved": approve, "applied": applied})
    return reset_obj

