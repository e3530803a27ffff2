"""Plans through the services: create, split (exact sums down to managers), edit a cell, approve into
quotas; overlapping periods and bad input write nothing; the monthly re-set within caps."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum

from lendpilot.compliance.models import AuditEvent
from lendpilot.planning import services
from lendpilot.planning.models import Quota, QuotaChange, TargetCell, TargetPlan
from lendpilot.testing import make_loan

pytestmark = pytest.mark.django_db


def _plan(world, **kw):
    args = {"code": "FY2026", "name": "2026 年度计划", "period_start": date(2026, 1, 1),
            "total_amount": Decimal("120000000"), "drivers": {"last_year": 1, "capacity": 0, "heat": 0}}
    args.update(kw)
    return services.target_plan_create(actor=world.user("director"), **args)


def _split_approved(world):
    make_loan(world, on=date(2025, 3, 1), amount="300000")
    make_loan(world, customer="am_chen_person", on=date(2025, 4, 1), amount="100000")
    plan = _plan(world)
    services.target_plan_split(actor=world.user("director"), plan=plan)
    return plan


def test_split_sums_exactly_at_every_level(world):
    plan = _split_approved(world)
    cells = TargetCell.objects.filter(plan=plan)
    total = plan.total_amount
    assert cells.filter(level="cell").aggregate(s=Sum("amount"))["s"] == total
    for level in ("team", "manager"):
        per_month = dict(cells.filter(level=level).values_list("month").annotate(s=Sum("amount")))
        cell_month = dict(cells.filter(level="cell", region__teams__isnull=False).distinct()
                          .values_list("month").annotate(s=Sum("amount")))
        assert sum(per_month.values()) > 0
        assert set(per_month) <= set(cell_month)
    # Every cell's team rows add up to the cell; every team's manager rows to the team.
    for cell in cells.filter(level="team")[:20]:
        managers = cells.filter(level="manager", team=cell.team, month=cell.month, product=cell.product,
                                team_type=cell.team_type).aggregate(s=Sum("amount"))["s"]
        assert managers == cell.amount
    # Drivers: East (300k last year) gets three times South (100k) on the credit line.
    east = cells.filter(level="cell", product="credit", region=world.regions["east"]).aggregate(s=Sum("amount"))["s"]
    south = cells.filter(level="cell", product="credit", region=world.regions["south"]).aggregate(s=Sum("amount"))["s"]
    assert east == 3 * south


def test_edit_rebalances_siblings_and_approval_makes_quotas(world):
    plan = _split_approved(world)
    cell = TargetCell.objects.filter(plan=plan, level="cell", amount__gt=0).order_by("id").first()
    annual = TargetCell.objects.filter(plan=plan, level="cell", product=cell.product, region=cell.region,
                                       team_type=cell.team_type).aggregate(s=Sum("amount"))["s"]
    services.target_cell_edit(actor=world.user("director"), cell=cell, value=cell.amount + Decimal("100000"))
    assert TargetCell.objects.filter(plan=plan, level="cell", product=cell.product, region=cell.region,
                                     team_type=cell.team_type).aggregate(s=Sum("amount"))["s"] == annual
    assert TargetCell.objects.filter(plan=plan, level="cell").aggregate(s=Sum("amount"))["s"] == plan.total_amount
    with pytest.raises(ValidationError) as exc:
        services.target_cell_edit(actor=world.user("director"), cell=cell, value=annual + Decimal("10000"))
    assert "amount" in exc.value.error_dict
    services.target_plan_approve(actor=world.user("director"), plan=plan)
    plan.refresh_from_db()
    assert plan.status == "approved"
    quota_sum = Quota.objects.filter(plan=plan).aggregate(s=Sum("base"))["s"]
    assert quota_sum == TargetCell.objects.filter(plan=plan, level="manager").aggregate(s=Sum("amount"))["s"]
    q = Quota.objects.filter(plan=plan, base__gt=0).first()
    assert q.sprint == (q.base * Decimal("0.2") / 10000).quantize(Decimal(1)) * 10000
    assert QuotaChange.objects.filter(source="plan").count() == Quota.objects.count()
    assert AuditEvent.objects.filter(event_code="planning.plan_approved").exists()


def test_new_version_supersedes_on_approval(world):
    plan = _split_approved(world)
    services.target_plan_approve(actor=world.user("director"), plan=plan)
    v2 = _plan(world, total_amount=Decimal("240000000"))
    assert v2.version == 2
    services.target_plan_split(actor=world.user("director"), plan=v2)
    services.target_plan_approve(actor=world.user("director"), plan=v2)
    plan.refresh_from_db()
    assert plan.status == "superseded"


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"total_amount": Decimal("-10000")}, "total_amount"),
    ({"total_amount": Decimal("15000")}, "total_amount"),
    ({"drivers": {"last_year": 0, "capacity": 0, "heat": 0}}, "drivers"),
    ({"month_weights": [0] * 12}, "month_weights"),
])
def test_bad_plans_write_nothing(world, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        _plan(world, **kwargs)
    assert field in exc.value.error_dict
    assert not TargetPlan.objects.exists()


def test_overlapping_period_rejected(world):
    _plan(world)
    with pytest.raises(ValidationError) as exc:
        _plan(world, code="OTHER", period_start=date(2026, 7, 1))
    assert "period_start" in exc.value.error_dict
    assert TargetPlan.objects.count() == 1


def test_only_planners(world):
    with pytest.raises(PermissionDenied):
        services.target_plan_create(actor=world.user("am_wang"), code="X", name="x", period_start=date(2026, 1, 1),
            total_amount=Decimal("10000"))
    plan = _split_approved(world)
    with pytest.raises(PermissionDenied):
        services.target_plan_approve(actor=world.user("east_head"), plan=plan)


def test_reset_within_caps_and_applied_on_approval(world):
    d = world.user("director")
    wang, zhao = world.staff["am_wang"], world.staff["am_zhao"]
    for month in (date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)):
        services.quota_set(actor=d, staff=wang, month=month, base=Decimal("1000000"), sprint=Decimal("200000"))
        services.quota_set(actor=d, staff=zhao, month=month, base=Decimal("1000000"), sprint=Decimal("200000"))
        make_loan(world, on=month.replace(day=15), amount="3000000")  # wang: 300%
    services.market_heat_set(actor=d, region=world.regions["east"], product="credit", heat=Decimal("1.0"))
    proposal = services.quota_reset_propose(actor=d, month=date(2026, 4, 1))
    lines = {line.staff_id: line for line in proposal.lines.all()}
    assert lines[wang.pk].new_base == Decimal("1200000")  # capped at +20%
    assert lines[zhao.pk].new_base == Decimal("800000")  # nothing sold: capped at -20%
    assert any(r["code"] == "capped_up" for r in lines[wang.pk].reasons)
    assert not Quota.objects.filter(month=date(2026, 4, 1)).exists()
    services.quota_reset_decide(actor=d, reset_obj=proposal, approve=True)
    assert Quota.objects.get(staff=wang, month=date(2026, 4, 1)).base == Decimal("1200000")
    assert QuotaChange.objects.filter(source="reset").count() == 2


def test_regional_head_edits_own_region_only(world):
    plan = _split_approved(world)
    east_cell = TargetCell.objects.filter(plan=plan, level="cell", region=world.regions["east"],
                                          amount__gt=0).order_by("id").first()
    south_cell = TargetCell.objects.filter(plan=plan, level="cell", region=world.regions["south"]).first()
    head = world.user("east_head")
    with pytest.raises(ValidationError) as exc:
        services.target_cell_edit(actor=head, cell=south_cell, value=Decimal(0))
    assert "cell" in exc.value.error_dict
    south_before = TargetCell.objects.filter(plan=plan, level="cell", region=world.regions["south"]).aggregate(
        s=Sum("amount"))["s"]
    services.target_cell_edit(actor=head, cell=east_cell, value=Decimal(0), across="cells")
    assert TargetCell.objects.filter(plan=plan, level="cell", region=world.regions["south"]).aggregate(
        s=Sum("amount"))["s"] == south_before
    assert TargetCell.objects.filter(plan=plan, level="cell").aggregate(s=Sum("amount"))["s"] == plan.total_amount
    with pytest.raises(PermissionDenied):
        services.target_plan_split(actor=head, plan=plan)


def test_reset_heat_follows_the_product_mix(world):
    d = world.user("director")
    wang = world.staff["am_wang"]
    for month in (date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)):
        services.quota_set(actor=d, staff=wang, month=month, base=Decimal("1000000"), sprint=Decimal(0))
        make_loan(world, on=month.replace(day=15), amount="750000")
        make_loan(world, on=month.replace(day=16), amount="250000", product="mortgage")
    services.market_heat_set(actor=d, region=world.regions["east"], product="credit", heat=Decimal("1.2"))
    services.market_heat_set(actor=d, region=world.regions["east"], product="mortgage", heat=Decimal("0.8"))
    line = services.quota_reset_propose(actor=d, month=date(2026, 4, 1)).lines.get(staff=wang)
    assert line.heat == Decimal("1.100")  # 75% credit at 1.2, 25% mortgage at 0.8
    assert line.new_base == Decimal("1100000")  # on target: only the heat moves the quota
