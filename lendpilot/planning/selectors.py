"""Reads of planning, scoped to the acting user: plans, cells, quotas, re-sets and live attainment (F1).

Attainment is computed set-based: one grouped query over loans for the disbursed amounts, one over quotas
(or plan cells) for the targets; no loop over loans in Python.
"""

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from lendpilot.core.business_calendar import is_business_day
from lendpilot.core.months import month_start
from lendpilot.core.reference import ProductCategory
from lendpilot.lending.models import Loan
from lendpilot.org.access import Actor, require, scope_filter
from lendpilot.org.models import Region, Staff, Team
from lendpilot.org.roles import DataScope, Perm
from lendpilot.planning.models import Quota, QuotaReset, TargetCell, TargetPlan

GROUPS = ("person", "team", "region", "product")
MILESTONES = (Decimal("0.25"), Decimal("0.50"), Decimal("0.75"), Decimal("1.00"))
AT_RISK_BELOW = Decimal("0.80")  # forecast below 80% of target, or behind the pace of the month


def plans_visible(actor: Actor) -> QuerySet[TargetPlan]:
    require(actor, Perm.VIEW_PLANNING)
    return TargetPlan.objects.select_related("created_by", "approved_by").order_by("-period_start", "code",
                                                                                    "-version")


def plan_get(actor: Actor, plan_id: int) -> TargetPlan:
    plan = plans_visible(actor).filter(pk=plan_id).first()
    if plan is None:
        raise Http404("plan not found")
    return plan


def current_plan(actor: Actor, *, today: date | None = None) -> TargetPlan | None:
    today = today or timezone.localdate()
    return plans_visible(actor).filter(status=TargetPlan.Status.APPROVED, period_start__lte=today,
                                       period_end__gte=today).first()


def cells_in_scope(actor: Actor | None, qs: QuerySet[TargetCell]) -> QuerySet[TargetCell]:
    """The plan cells (product x region x team type x month) a reader may see: every cell for the whole
    bank, the own region's for a regional head, none for a team or a person, whose part of a cell is
    shared with others (their own targets are the manager rows, `manager_targets`)."""
    if actor is None or actor.is_system or actor.scope == DataScope.ALL:
        return qs
    if actor.scope == DataScope.REGION and actor.staff is not None and actor.staff.region_id:
        return qs.filter(region_id=actor.staff.region_id)
    return qs.none()


def cell_get(actor: Actor, plan: TargetPlan, cell_id: int) -> TargetCell:
    cell = cells_in_scope(actor, TargetCell.objects.filter(plan=plan, pk=cell_id)).first()
    if cell is None:
        raise Http404("cell not found")
    return cell


def plan_matrix(plan: TargetPlan, actor: Actor | None = None) -> dict:
    """The split as tables: cell rows (product x region x team type) with their 12 months and, for each of
    the three targets (disbursed amount, new customers, NPL ceiling), totals per cell, product, region,
    team type and month. `totals` and `total` are the disbursed amount's; `metric_totals` has all three.
    Given the reader, only the cells in its scope are shown and summed."""
    rows = (cells_in_scope(actor, TargetCell.objects.filter(plan=plan, level=TargetCell.Level.CELL))
            .values("id", "product", "region__code", "region__name_zh", "region__name_en", "team_type", "month",
                    "amount", "new_customers", "npl_amount", "risk", "exceeds_capacity", "edited", "capacity",
                    "last_year", "weight")
            .order_by("product", "region__code", "team_type", "month"))
    cells: dict[tuple, dict] = {}
    by = {"product": {}, "region": {}, "team_type": {}, "month": {}}
    customers_by_month: dict = {}
    npl_by_month: dict = {}
    for r in rows:
        key = (r["product"], r["region__code"], r["team_type"])
        c = cells.setdefault(key, {"product": r["product"], "region": r["region__code"], "team_type": r["team_type"],
                                   "months": [], "total": Decimal(0), "new_customers": 0,
                                   "npl_amount": Decimal(0), "risk": r["risk"],
                                   "exceeds_capacity": r["exceeds_capacity"],
                                   "capacity": r["capacity"], "last_year": r["last_year"], "weight": r["weight"]})
        c["months"].append({"id": r["id"], "month": r["month"], "amount": r["amount"],
                            "new_customers": r["new_customers"], "npl_amount": r["npl_amount"],
                            "edited": r["edited"]})
        c["total"] += r["amount"]
        c["new_customers"] += r["new_customers"]
        c["npl_amount"] += r["npl_amount"]
        for dim, value in (("product", r["product"]), ("region", r["region__code"]),
                           ("team_type", r["team_type"]), ("month", r["month"])):
            by[dim][value] = by[dim].get(value, Decimal(0)) + r["amount"]
        customers_by_month[r["month"]] = customers_by_month.get(r["month"], 0) + r["new_customers"]
        npl_by_month[r["month"]] = npl_by_month.get(r["month"], Decimal(0)) + r["npl_amount"]
    for c in cells.values():
        c["npl_ratio"] = (c["npl_amount"] / c["total"]).quantize(Decimal("0.000001")) if c["total"] else None
    total = sum(by["month"].values(), Decimal(0))
    npl_total = sum(npl_by_month.values(), Decimal(0))
    return {"cells": list(cells.values()), "totals": by, "total": total,
            "metric_totals": {"amount": total, "customers": sum(customers_by_month.values()),
                              "npl": npl_total,
                              "npl_ratio": (npl_total / total).quantize(Decimal("0.000001")) if total else None},
            "months": {"customers": customers_by_month, "npl": npl_by_month}}


def manager_targets(actor: Actor, plan: TargetPlan) -> QuerySet:
    require(actor, Perm.VIEW_PLANNING)
    qs = TargetCell.objects.filter(plan=plan, level=TargetCell.Level.MANAGER)
    return scope_filter(actor, qs, owner="manager").values("manager_id", "manager__name", "month").annotate(
        amount=Sum("amount"), new_customers=Sum("new_customers"), npl_amount=Sum("npl_amount")).order_by(
        "manager__name", "month")


def quotas_visible(actor: Actor, *, month: date | None = None) -> QuerySet[Quota]:
    require(actor, Perm.VIEW_PLANNING)
    qs = scope_filter(actor, Quota.objects.select_related("staff", "staff__team"), owner="staff")
    if month:
        qs = qs.filter(month=month_start(month))
    return qs.order_by("month", "staff__employee_no")


def resets_visible(actor: Actor) -> QuerySet[QuotaReset]:
    require(actor, Perm.VIEW_PLANNING)
    return QuotaReset.objects.order_by("-month", "-id")


def reset_get(actor: Actor, reset_id: int) -> QuotaReset:
    found = resets_visible(actor).filter(pk=reset_id).first()
    if found is None:
        raise Http404("re-set not found")
    return found


def reset_lines(actor: Actor, reset_obj: QuotaReset) -> QuerySet:
    return scope_filter(actor, reset_obj.lines.select_related("staff"), owner="staff").order_by("staff__employee_no")


@dataclass
class AttainmentRow:
    key: object
    label: str
    target: Decimal
    disbursed: Decimal
    forecast: Decimal
    expected_to_date: Decimal

    @property
    def attainment(self) -> Decimal | None:
        return (self.disbursed / self.target).quantize(Decimal("0.0001")) if self.target else None

    @property
    def forecast_attainment(self) -> Decimal | None:
        return (self.forecast / self.target).quantize(Decimal("0.0001")) if self.target else None

    @property
    def milestones(self) -> list[dict]:
        """Staged milestones (25/50/75/100% of target) and whether each is reached."""
        return [{"share": m, "amount": (self.target * m).quantize(Decimal("0.01")), "reached": self.disbursed >=
                 self.target * m} for m in MILESTONES] if self.target else []

    @property
    def at_risk(self) -> bool:
        if not self.target:
            return False
        return self.forecast < self.target * AT_RISK_BELOW or self.disbursed < self.expected_to_date * AT_RISK_BELOW


def month_pace(month: date, today: date) -> tuple[int, int]:
    """(business days elapsed up to today, business days in the month)."""
    last = monthrange(month.year, month.month)[1]
    days = [month + timedelta(days=n) for n in range(last)]
    business = [d for d in days if is_business_day(d)]
    if today < month:
        return 0, len(business)
    return sum(1 for d in business if d <= today), len(business)


def attainment(actor: Actor, *, month: date, group: str = "person", today: date | None = None) -> list[AttainmentRow]:
    """Disbursed against target for one month, per person, team, region or product line, with a run-rate
    forecast to month end and at-risk flags. Targets: quotas (base) for people, teams and regions; the
    approved plan's cells for product lines."""
    require(actor, Perm.VIEW_PLANNING)
    if group not in GROUPS:
        raise Http404("unknown grouping")
    month = month_start(month)
    today = today or timezone.localdate()
    last = month.replace(day=monthrange(month.year, month.month)[1])
    loans = scope_filter(actor, Loan.objects.filter(disbursed_on__range=(month, min(last, today))),
                         owner="borrower__manager")
    key_of = {"person": "borrower__manager_id", "team": "borrower__manager__team_id",
              "region": "borrower__manager__team__region_id", "product": "product__category"}[group]
    disbursed = {r["k"]: r["s"] for r in loans.values(k=F(key_of)).annotate(s=Sum("principal"))}
    if group == "product":
        approved = TargetCell.objects.filter(month=month, plan__status=TargetPlan.Status.APPROVED)
        if actor.is_system or actor.scope in (DataScope.ALL, DataScope.REGION):
            cells = cells_in_scope(actor, approved.filter(level=TargetCell.Level.CELL))
        else:
            # A team or a person: the product targets of its own manager rows, not the shared cells.
            cells = scope_filter(actor, approved.filter(level=TargetCell.Level.MANAGER), owner="manager")
        targets = {r["product"]: r["s"] for r in cells.values("product").annotate(s=Sum("amount"))}
        labels = dict(ProductCategory.choices)
    else:
        quota_key = {"person": "staff_id", "team": "staff__team_id", "region": "staff__team__region_id"}[group]
        quotas = scope_filter(actor, Quota.objects.filter(month=month), owner="staff")
        targets = {r["k"]: r["s"] for r in quotas.values(k=F(quota_key)).annotate(s=Sum("base"))}
        ids = set(targets) | set(disbursed)
        if group == "person":
            labels = dict(Staff.objects.filter(pk__in=ids).values_list("pk", "name"))
        elif group == "team":
            labels = dict(Team.objects.filter(pk__in=ids).values_list("pk", "name"))
        else:
            labels = {r.pk: r.name for r in Region.objects.filter(pk__in=ids)}
    elapsed, total_days = month_pace(month, today)
    rows = []
    for key in sorted(set(targets) | set(disbursed), key=lambda k: str(labels.get(k, k))):
        if key is None:
            continue
        target = Decimal(targets.get(key) or 0)
        done = Decimal(disbursed.get(key) or 0)
        if today > last or not elapsed:
            forecast = done
        else:
            forecast = (done * total_days / elapsed).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        expected = (target * elapsed / total_days).quantize(Decimal("0.01")) if total_days else target
        rows.append(AttainmentRow(key=key, label=str(labels.get(key, key)), target=target, disbursed=done,
                                  forecast=forecast, expected_to_date=expected))
    return rows
