"""All three targets (disbursed amount, new customers, NPL ceiling) split exactly down to managers
(property-based), the NPL ceiling rule, re-balancing per target, and approval carrying them into quotas."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from hypothesis import given, settings
from hypothesis import strategies as st

from lendpilot.compliance.models import AuditEvent
from lendpilot.planning import services
from lendpilot.planning.decompose import (
    NPL_UNIT,
    RISK_MAX,
    RISK_MIN,
    UNIT,
    CellDrivers,
    DecompositionError,
    clamp_risk,
    npl_budget,
    npl_ratio,
    split_target,
    split_to_people,
    to_npl_units,
)
from lendpilot.planning.models import Quota, QuotaChange, TargetCell
from lendpilot.testing import make_loan

amounts = st.integers(min_value=0, max_value=10**6).map(Decimal)
cells_st = st.lists(st.tuples(amounts, amounts, st.integers(min_value=1, max_value=30),
                              st.integers(min_value=0, max_value=400)), min_size=1, max_size=12)
ceilings = st.integers(min_value=0, max_value=10_000).map(lambda n: Decimal(n) / 10_000)


def _cells(raw):
    return [CellDrivers(product=f"p{i % 3}", region=f"r{i % 4}", team_type=("direct", "channel")[i % 2],
                        last_year=ly + 1, capacity=cap, heat=Decimal(h) / 10, risk=Decimal(r) / 100)
            for i, (ly, cap, h, r) in enumerate(raw)]


@settings(max_examples=60, deadline=None)
@given(total=st.integers(min_value=0, max_value=10**6), customers=st.integers(min_value=0, max_value=10**5),
       ceiling=ceilings, raw=cells_st.filter(lambda r: len({(i % 3, i % 4, i % 2) for i in range(len(r))}) == len(r)),
       team_weights=st.lists(st.integers(min_value=0, max_value=9), min_size=1, max_size=4),
       people=st.integers(min_value=1, max_value=5))
def test_three_targets_sum_exactly_down_to_managers(total, customers, ceiling, raw, team_weights, people):
    cells = _cells(raw)
    split = split_target(total, cells, new_customers=customers, npl_ceiling=ceiling)
    budget = npl_budget(total, ceiling)
    assert sum(c.units for c in split) == total
    assert sum(c.customers for c in split) == customers
    assert sum(c.npl for c in split) == budget
    for c in split:
        assert sum(c.months) == c.units and sum(c.customer_months) == c.customers and sum(c.npl_months) == c.npl
        assert min(c.months + c.customer_months + c.npl_months, default=0) >= 0
    teams = {(f"r{r}", t): [(f"{r}{t}{n}", w) for n, w in enumerate(team_weights)]
             for r in range(4) for t in ("direct", "channel")}
    managers = {team: [(f"{team}-m{k}", 1) for k in range(people)] for rows in teams.values() for team, _w in rows}
    team_sum, manager_sum = [0, 0, 0], [0, 0, 0]
    by_team: dict = {}
    for _ci, _mi, team, manager, units, n, b in split_to_people(split, teams, managers):
        target = team_sum if manager is None else manager_sum
        for i, v in enumerate((units, n, b)):
            assert v >= 0
            target[i] += v
        if manager is not None:
            by_team.setdefault((_ci, _mi, team), [0, 0, 0])
            for i, v in enumerate((units, n, b)):
                by_team[(_ci, _mi, team)][i] += v
    assert team_sum == manager_sum == [total, customers, budget]


def test_npl_ceiling_rule_amount_budget_weighted_by_risk():
    cells = [CellDrivers("credit", "EAST", "direct", last_year=Decimal(100), risk=Decimal("1.5")),
             CellDrivers("credit", "SOUTH", "direct", last_year=Decimal(100), risk=Decimal("0.5")),
             CellDrivers("mortgage", "EAST", "direct", last_year=Decimal(200), risk=Decimal("9"))]
    split = split_target(1200, cells, weights={"last_year": 1}, npl_ceiling=Decimal("0.02"))
    assert [c.units for c in split] == [300, 300, 600]
    # 2% of CNY 12,000,000 = CNY 240,000 = 2,400 units of CNY 100.
    assert npl_budget(1200, "0.02") == 2400 and sum(c.npl for c in split) == 2400
    # Weights 300 x 1.5 : 300 x 0.5 : 600 x 2.0 (risk 9 clamped to the upper bound) = 450 : 150 : 1200.
    assert [c.risk for c in split] == [Decimal("1.5"), Decimal("0.5"), RISK_MAX]
    assert [c.npl for c in split] == [600, 200, 1600]
    # Each part's ratio is proportional to its risk driver: 2%, 0.67%, 2.67%.
    assert [npl_ratio(c.npl, c.units) for c in split] == [Decimal("0.02"), Decimal("0.006667"), Decimal("0.026667")]
    # The amount-weighted mean of the parts' ratios is the plan's ceiling.
    total_npl = sum(npl_ratio(c.npl, c.units) * c.units for c in split)
    assert (total_npl / 1200).quantize(Decimal("0.0001")) == Decimal("0.0200")
    # Months follow the months' amount targets.
    assert split[0].months == [25] * 12 and split[0].npl_months == [50] * 12
    uneven = split_target(1400, cells[:1], weights={"last_year": 1}, npl_ceiling=Decimal("0.02"),
                          month_weights=[3] + [1] * 11)
    assert uneven[0].months[0] == 3 * uneven[0].months[1] and uneven[0].npl_months[0] == 3 * uneven[0].npl_months[1]


def test_npl_budget_rounds_down_and_bounds():
    assert npl_budget(1, "0.0199") == 1  # CNY 199 -> one unit of CNY 100, never above the ratio
    assert npl_budget(0, "0.05") == 0
    assert clamp_risk("0.01") == RISK_MIN and clamp_risk(3) == RISK_MAX and clamp_risk("1.2") == Decimal("1.2")
    with pytest.raises(DecompositionError) as exc:
        npl_budget(10, "1.5")
    assert exc.value.field == "npl_ceiling"
    with pytest.raises(DecompositionError):
        to_npl_units("150")
    assert to_npl_units("200") == 2 and npl_ratio(5, 0) is None


def test_customers_follow_driver_shares_and_seasonality():
    cells = [CellDrivers("credit", "EAST", "direct", last_year=Decimal(300)),
             CellDrivers("credit", "SOUTH", "direct", last_year=Decimal(100))]
    split = split_target(1200, cells, weights={"last_year": 1}, new_customers=10,
                         month_weights=[2] + [1] * 11)
    assert [c.customers for c in split] == [8, 2]  # 7.5 / 2.5: the tie goes to the earlier cell
    assert sum(split[0].customer_months) == 8 and split[0].customer_months[0] >= split[0].customer_months[1]
    with pytest.raises(DecompositionError) as exc:
        split_target(10, cells, new_customers=-1)
    assert exc.value.field == "new_customers"


def _plan(world, **kw):
    make_loan(world, on=date(2025, 3, 1), amount="300000")
    make_loan(world, customer="am_chen_person", on=date(2025, 4, 1), amount="100000", risk_class=3)
    args = {"code": "FY2026", "name": "2026", "period_start": date(2026, 1, 1), "total_amount": Decimal("120000000"),
            "new_customers": 500, "npl_ceiling": Decimal("0.015"),
            "drivers": {"last_year": 1, "capacity": 0, "heat": 0}, **kw}
    plan = services.target_plan_create(actor=world.user("director"), **args)
    services.target_plan_split(actor=world.user("director"), plan=plan)
    return plan


def _sums(plan, level, **filters):
    return TargetCell.objects.filter(plan=plan, level=level, **filters).aggregate(
        a=Sum("amount"), n=Sum("new_customers"), b=Sum("npl_amount"))


@pytest.mark.django_db
def test_service_splits_all_three_down_to_managers(world):
    plan = _plan(world)
    budget = Decimal("120000000") * Decimal("0.015")
    cells = _sums(plan, "cell")
    assert (cells["a"], cells["n"], cells["b"]) == (plan.total_amount, 500, budget)
    # Every team's manager rows add up to the team row, for all three targets.
    for team_row in TargetCell.objects.filter(plan=plan, level="team")[:30]:
        m = _sums(plan, "manager", team=team_row.team, month=team_row.month, product=team_row.product)
        assert (m["a"], m["n"], m["b"]) == (team_row.amount, team_row.new_customers, team_row.npl_amount)
    # The risky region's credit line (an NPL last year) gets a higher ceiling ratio than the other.
    south = _sums(plan, "cell", product="credit", region=world.regions["south"], amount__gt=0)
    east = _sums(plan, "cell", product="credit", region=world.regions["east"], amount__gt=0)
    assert south["b"] / south["a"] > Decimal("0.015") > east["b"] / east["a"]
    risks = dict(TargetCell.objects.filter(plan=plan, level="cell", product="credit").values_list("region", "risk"))
    assert risks[world.regions["south"].pk] == Decimal("2.000") and risks[world.regions["east"].pk] == RISK_MIN


@pytest.mark.django_db
@pytest.mark.parametrize(("metric", "column", "unit"), [("customers", "new_customers", 1), ("npl", "npl_amount", 100)])
def test_edit_customers_or_npl_rebalances_siblings(world, metric, column, unit):
    plan = _plan(world)
    cell = TargetCell.objects.filter(plan=plan, level="cell", **{f"{column}__gt": 0}).order_by("id").first()
    key = {"product": cell.product, "region": cell.region, "team_type": cell.team_type}
    annual = TargetCell.objects.filter(plan=plan, level="cell", **key).aggregate(s=Sum(column))["s"]
    amounts_before = list(TargetCell.objects.filter(plan=plan, level="cell").order_by("id").values_list("amount"))
    new_value = getattr(cell, column) + unit
    services.target_cell_edit(actor=world.user("director"), cell=cell, value=new_value, metric=metric)
    cell.refresh_from_db()
    assert getattr(cell, column) == new_value and cell.edited
    assert TargetCell.objects.filter(plan=plan, level="cell", **key).aggregate(s=Sum(column))["s"] == annual
    # The other targets are untouched, and people follow the edit.
    assert list(TargetCell.objects.filter(plan=plan, level="cell").order_by("id").values_list("amount")) == \
        amounts_before
    people = TargetCell.objects.filter(plan=plan, level="manager", month=cell.month, product=cell.product,
                                       region=cell.region, team_type=cell.team_type).aggregate(s=Sum(column))["s"]
    assert people == getattr(cell, column)
    # An edit that would need more than the siblings hold is refused, naming the field; nothing changes.
    with pytest.raises(ValidationError) as exc:
        services.target_cell_edit(actor=world.user("director"), cell=cell, value=annual + unit, metric=metric)
    assert column in exc.value.error_dict
    cell.refresh_from_db()
    assert getattr(cell, column) == new_value


@pytest.mark.django_db
@pytest.mark.parametrize(("metric", "value", "field"), [("customers", "1.5", "new_customers"),
                                                        ("customers", "-1", "new_customers"),
                                                        ("npl", "150", "npl_amount"), ("bogus", "1", "metric")])
def test_bad_edits_rejected(world, metric, value, field):
    plan = _plan(world)
    cell = TargetCell.objects.filter(plan=plan, level="cell").first()
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.target_cell_edit(actor=world.user("director"), cell=cell, value=Decimal(value), metric=metric)
    assert field in exc.value.error_dict
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_approval_carries_all_three_into_quotas(world):
    plan = _plan(world)
    services.target_plan_approve(actor=world.user("director"), plan=plan)
    quotas = Quota.objects.filter(plan=plan).aggregate(a=Sum("base"), n=Sum("new_customers"), b=Sum("npl_amount"))
    managers = _sums(plan, "manager")
    assert (quotas["a"], quotas["n"], quotas["b"]) == (managers["a"], managers["n"], managers["b"])
    assert quotas["n"] > 0 and quotas["b"] > 0
    assert QuotaChange.objects.filter(source="plan", new_customers__isnull=False).count() == Quota.objects.count()
    # A later manual change of the amount keeps the person's customers and NPL targets.
    q = Quota.objects.filter(plan=plan, new_customers__gt=0).first()
    services.quota_set(actor=world.user("director"), staff=q.staff, month=q.month, base=Decimal("10000"),
                       sprint=Decimal(0))
    kept = Quota.objects.get(pk=q.pk)
    assert (kept.new_customers, kept.npl_amount, kept.base) == (q.new_customers, q.npl_amount, Decimal("10000"))


@pytest.mark.django_db
def test_units_are_whole(world):
    plan = _plan(world)
    for a, b in TargetCell.objects.filter(plan=plan).values_list("amount", "npl_amount")[:500]:
        assert a % UNIT == 0 and b % NPL_UNIT == 0
