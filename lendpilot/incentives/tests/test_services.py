"""The monthly run end to end: statements explain every yuan, re-runs replace drafts and leave approved
ones alone, clawback, disputes, honours, export and long-term grants."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from lendpilot.core.errors import Conflict
from lendpilot.incentives import selectors, services
from lendpilot.incentives.commission import DEFAULT_PLAN
from lendpilot.incentives.models import CommissionLine, CommissionStatement, Honour
from lendpilot.org.access import actor_of
from lendpilot.planning.services import quota_set
from lendpilot.testing import make_loan

pytestmark = pytest.mark.django_db
MARCH = date(2026, 3, 1)


@pytest.fixture
def month(world):
    d = world.user("director")
    services.commission_plan_publish(actor=d, name="2026", spec={**DEFAULT_PLAN, "cap": None})
    for key in ("am_wang", "am_zhao", "am_sun", "am_chen"):
        quota_set(actor=d, staff=world.staff[key], month=MARCH, base=Decimal("1000000"), sprint=Decimal("200000"))
    world.loans = [make_loan(world, amount="700000", on=date(2026, 3, 5)),
                   make_loan(world, amount="500000", on=date(2026, 3, 20)),  # wang: 120% -> 1.5x + bonus
                   make_loan(world, customer="am_zhao_person", amount="800000", on=date(2026, 3, 8)),  # 80%: 1.0x
                   make_loan(world, customer="am_sun_person", amount="200000", on=date(2025, 11, 3), risk_class=3)]
    return world


def test_run_statements_trace_every_yuan(month):
    w = month
    result = services.commission_run(actor=w.user("director"), month=MARCH)
    assert result["statements"] == 4
    wang = CommissionStatement.objects.get(staff=w.staff["am_wang"], month=MARCH)
    assert wang.multiplier == Decimal("1.5") and wang.attainment == Decimal("1.2")
    lines = list(wang.lines.order_by("id"))
    assert [(line.loan_id, line.rule) for line in lines] == [
        (w.loans[0].pk, "rate:creditx1.5"), (w.loans[1].pk, "rate:creditx1.5"), (None, "bonus:1.2")]
    assert wang.total == sum(line.amount for line in lines) == Decimal("1200000") * Decimal("0.006") * Decimal(
        "1.5") + 5000
    zhao = CommissionStatement.objects.get(staff=w.staff["am_zhao"], month=MARCH)
    assert zhao.multiplier == Decimal("1.0")
    sun = CommissionStatement.objects.get(staff=w.staff["am_sun"], month=MARCH)
    assert [(line.loan_id, line.amount) for line in sun.lines.all()] == [(w.loans[3].pk, Decimal("-1200.00"))]


def test_rerun_replaces_drafts_keeps_approved(month):
    w, d = month, month.user("director")
    services.commission_run(actor=d, month=MARCH)
    wang = CommissionStatement.objects.get(staff=w.staff["am_wang"], month=MARCH)
    services.statement_approve(actor=d, statement=wang)
    make_loan(w, amount="100000", on=date(2026, 3, 25))
    make_loan(w, customer="am_zhao_person", amount="200000", on=date(2026, 3, 25))
    result = services.commission_run(actor=d, month=MARCH)
    assert result["locked"] == 1 and result["statements"] == 3
    assert CommissionStatement.objects.filter(month=MARCH).count() == 4
    wang.refresh_from_db()
    assert wang.disbursed == Decimal("1200000.00") and wang.status == "approved"
    zhao = CommissionStatement.objects.get(staff=w.staff["am_zhao"], month=MARCH)
    assert zhao.disbursed == Decimal("1000000.00") and zhao.multiplier == Decimal("1.2")
    # Same figures a second time: nothing changes.
    before = sorted(CommissionLine.objects.values_list("statement__staff_id", "rule", "amount"))
    services.commission_run(actor=d, month=MARCH)
    assert sorted(CommissionLine.objects.values_list("statement__staff_id", "rule", "amount")) == before
    with pytest.raises(Conflict):
        services.statement_approve(actor=d, statement=wang)


def test_clawback_only_once(month):
    w, d = month, month.user("director")
    services.commission_run(actor=d, month=MARCH)
    services.commission_run(actor=d, month=date(2026, 4, 1))
    claws = CommissionLine.objects.filter(rule__startswith="clawback", loan=w.loans[3])
    assert claws.count() == 1


def test_dispute_flow_and_scope(month):
    w, d = month, month.user("director")
    services.commission_run(actor=d, month=MARCH)
    wang = CommissionStatement.objects.get(staff=w.staff["am_wang"], month=MARCH)
    with pytest.raises(ValidationError) as exc:
        services.dispute_open(actor=w.user("am_zhao"), statement=wang, reason="不是我的")
    assert "statement" in exc.value.error_dict
    dispute = services.dispute_open(actor=w.user("am_wang"), statement=wang, reason="少算一笔",
                                    line=wang.lines.first())
    with pytest.raises(Conflict):
        services.statement_approve(actor=d, statement=wang)
    with pytest.raises(PermissionDenied):
        services.dispute_resolve(actor=w.user("am_wang"), dispute=dispute, resolution="ok")
    services.dispute_resolve(actor=d, dispute=dispute, resolution="已核实无误")
    services.statement_approve(actor=d, statement=wang)
    assert list(selectors.statements_visible(actor_of(w.user("am_zhao")), month=MARCH).values_list(
        "staff_id", flat=True)) == [w.staff["am_zhao"].pk]


def test_export_xlsx(month):
    services.commission_run(actor=month.user("director"), month=MARCH)
    data = selectors.statements_xlsx(CommissionStatement.objects.filter(month=MARCH).select_related("staff"))
    wb = load_workbook(BytesIO(data))
    assert wb["statements"].max_row == 5
    rules = [row[3] for row in wb["lines"].iter_rows(min_row=2, values_only=True)]
    assert "bonus:1.2" in rules and any(r.startswith("clawback") for r in rules)


def test_bad_plan_rejected(world):
    with pytest.raises(ValidationError) as exc:
        services.commission_plan_publish(actor=world.user("director"), name="x", spec={"rates": {"credit": "-1"}})
    assert "rates.credit" in exc.value.error_dict


def test_honours_and_ties(month):
    w, d = month, month.user("director")
    make_loan(w, customer="am_zhao_person", amount="400000", on=date(2026, 3, 9))  # zhao 1.2M in 2 loans = wang
    services.honours_award(actor=d, month=MARCH)
    champion = Honour.objects.get(month=MARCH, kind="sales_champion")
    # Equal amounts and equal loan counts: the smaller employee number wins, and says so.
    assert champion.staff == w.staff["am_wang"] and champion.tie_break == "employee_no"
    services.honours_award(actor=d, month=MARCH)
    assert Honour.objects.filter(month=MARCH, kind="sales_champion").count() == 1
    board = selectors.leaderboard(actor_of(w.user("am_sun")), month=MARCH)
    assert board[0]["staff_id"] == w.staff["am_wang"].pk and board[1]["staff_id"] == w.staff["am_zhao"].pk


def test_appraisal_scores_mark_soft_metrics_missing(month):
    rows = selectors.appraisal_scores(actor_of(month.user("director")), start=MARCH)
    wang = next(r for r in rows if r["staff_id"] == month.staff["am_wang"].pk)
    assert "nps" in wang["missing"] and wang["score"] is not None


def test_grants_and_retention(world):
    d = world.user("director")
    pool = services.pool_create(actor=d, name="2026 利润分享", kind="profit_share", total=Decimal("1000000"))
    services.grant_make(actor=d, pool=pool, staff=world.staff["am_wang"], amount=Decimal("480000"),
                        granted_on=date(2024, 1, 1), vesting_months=48, cliff_months=12)
    services.grant_make(actor=d, pool=pool, staff=world.staff["am_zhao"], amount=Decimal("100000"),
                        granted_on=date(2022, 3, 1), vesting_months=48, cliff_months=12)
    with pytest.raises(ValidationError) as exc:
        services.grant_make(actor=d, pool=pool, staff=world.staff["am_sun"], amount=Decimal("500000"),
                            granted_on=date(2024, 1, 1))
    assert "amount" in exc.value.error_dict
    rows = {r.staff_id: r for r in selectors.retention(actor_of(d), as_of=date(2026, 1, 1))}
    wang = rows[world.staff["am_wang"].pk]
    assert wang.vested == Decimal("240000.00") and wang.unvested == Decimal("240000.00")
    zhao = rows[world.staff["am_zhao"].pk]
    assert zhao.at_risk and "vesting_ends" in zhao.reasons


def test_month_sign_off_approves_undisputed_and_audits_each(month):
    from lendpilot.compliance.models import AuditEvent

    w, d = month, month.user("director")
    services.commission_run(actor=d, month=MARCH)
    wang = CommissionStatement.objects.get(staff=w.staff["am_wang"], month=MARCH)
    services.dispute_open(actor=w.user("am_wang"), statement=wang, reason="少算")
    with pytest.raises(PermissionDenied):
        services.statements_approve(actor=w.user("east_head"), month=MARCH)
    result = services.statements_approve(actor=d, month=date(2026, 3, 17))
    assert result["approved"] == 3 and result["held_by_dispute"] == 1
    wang.refresh_from_db()
    assert wang.status == "draft"
    others = CommissionStatement.objects.filter(month=MARCH).exclude(pk=wang.pk)
    assert set(others.values_list("status", flat=True)) == {"approved"}
    assert all(s.approved_by == w.staff["director"] and s.approved_at for s in others)
    event = AuditEvent.objects.get(event_code="incentives.statements_approved")
    assert sorted(row[0] for row in event.after["statements"]) == sorted(others.values_list("pk", flat=True))
    assert event.after["held_by_dispute"] == [wang.pk]
    # Nothing left to approve until the dispute is resolved; then the sign-off picks it up.
    assert services.statements_approve(actor=d, month=MARCH)["approved"] == 0
    services.dispute_resolve(actor=d, dispute=wang.disputes.get(), resolution="已核实")
    assert services.statements_approve(actor=d, month=MARCH)["approved"] == 1
    assert not CommissionStatement.objects.filter(month=MARCH, status="draft").exists()
