"""Demo step: the default commission plan, a year of monthly statements (approved up to last month through the
month-end sign-off, one audit record per month; this month a draft), a dispute raised and resolved last month
and one open this month, the honours of every month, teamwork peer ratings for the last months, and a
profit-share pool with vesting grants for the best sellers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Sum

from lendpilot.core.months import shift_month
from lendpilot.incentives import services
from lendpilot.incentives.commission import DEFAULT_PLAN
from lendpilot.incentives.models import CommissionLine, CommissionStatement, Dispute, Grant, Honour, PeerRating
from lendpilot.lending.models import Loan
from lendpilot.org.models import Staff
from lendpilot.org.roles import Role

if TYPE_CHECKING:
    from lendpilot.core.seeding import SeedContext


def seed(ctx: SeedContext) -> dict[str, int]:
    rng = ctx.sub_rng("incentives")
    if not Staff.objects.filter(role=Role.ACCOUNT_MANAGER).exists():
        return {"statements": 0}
    services.commission_plan_publish(actor=None, name="2026 销售提成方案", spec=DEFAULT_PLAN)
    this_month = ctx.today.replace(day=1)
    months = [shift_month(this_month, -n) for n in range(12, -1, -1)]
    director = Staff.objects.filter(role=Role.DIRECTOR, user__isnull=False).order_by("pk").first()
    signer = director.user if director else None
    for month in months:
        services.commission_run(actor=signer, month=month)
        services.honours_award(actor=signer, month=month)
        if month == months[-2]:
            _dispute(month, resolver=signer)
        if month < this_month:
            # Past months are settled through the month-end sign-off: every undisputed draft approved,
            # one audit record per month naming each statement.
            services.statements_approve(actor=signer, month=month)
    _dispute(this_month, resolver=None)
    _peer_ratings(rng, [m for m in months[-4:] if m <= this_month])
    top = list(Loan.objects.filter(disbursed_on__gte=months[0]).values("borrower__manager_id").annotate(
        s=Sum("principal")).order_by("-s", "borrower__manager_id").values_list("borrower__manager_id", flat=True)[:20])
    if top:
        pool = services.pool_create(actor=None, name="核心骨干利润分享计划", kind="profit_share",
                                    total=Decimal(len(top)) * Decimal("300000"))
        for staff in Staff.objects.filter(pk__in=top).order_by("pk"):
            services.grant_make(actor=None, pool=pool, staff=staff, amount=Decimal(rng.randint(5, 30)) * 10_000,
                                granted_on=date.fromordinal(ctx.today.toordinal() - rng.randint(60, 1400)),
                                vesting_months=48, cliff_months=12)
    return {"statements": CommissionStatement.objects.count(), "lines": CommissionLine.objects.count(),
            "honours": Honour.objects.count(), "grants": Grant.objects.count(),
            "disputes": Dispute.objects.count(), "peer_ratings": PeerRating.objects.count()}


def _dispute(month: date, *, resolver) -> None:
    """The month's largest statement is disputed by its holder (a line missing); resolved when a resolver
    is given, otherwise left open for the director to work."""
    st = (CommissionStatement.objects.filter(month=month, status=CommissionStatement.Status.DRAFT,
                                             staff__user__isnull=False, staff__is_active=True)
          .select_related("staff__user").order_by("-total", "pk").first())
    if st is None:
        return
    dispute = services.dispute_open(actor=st.staff.user, statement=st, reason="月末一笔放款未计入提成，请核实",
                                    line=st.lines.order_by("pk").first())
    if resolver is not None:
        services.dispute_resolve(actor=resolver, dispute=dispute,
                                 resolution="已核实：该笔放款于次月入账，按规则计入次月")


def _peer_ratings(rng, months: list[date]) -> None:
    """Each team member rates up to four team mates a month, mostly 3 to 5."""
    teams: dict[int, list[int]] = {}
    for pk, team_id in Staff.objects.filter(is_active=True, team__isnull=False).order_by("pk").values_list(
            "pk", "team_id"):
        teams.setdefault(team_id, []).append(pk)
    for month in months:
        rows = []
        for members in teams.values():
            for rater in members:
                mates = [m for m in members if m != rater]
                for ratee in rng.sample(mates, min(4, len(mates))):
                    rows.append((rater, ratee, rng.choice((2, 3, 3, 4, 4, 4, 5, 5))))
        services.peer_ratings_load(actor=None, month=month, ratings=rows)
