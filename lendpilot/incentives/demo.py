"""Demo step: the default commission plan, a year of monthly statements (approved up to last month, this
month a draft), the honours of every month, and a profit-share pool with vesting grants for the best sellers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Sum
from django.utils import timezone

from lendpilot.incentives import services
from lendpilot.incentives.commission import DEFAULT_PLAN
from lendpilot.incentives.models import CommissionLine, CommissionStatement, Grant, Honour
from lendpilot.lending.models import Loan
from lendpilot.org.models import Staff
from lendpilot.org.roles import Role
from lendpilot.planning.services import add_months

if TYPE_CHECKING:
    from lendpilot.core.seeding import SeedContext


def seed(ctx: SeedContext) -> dict[str, int]:
    rng = ctx.sub_rng("incentives")
    if not Staff.objects.filter(role=Role.ACCOUNT_MANAGER).exists():
        return {"statements": 0}
    services.commission_plan_publish(actor=None, name="2026 销售提成方案", spec=DEFAULT_PLAN)
    this_month = ctx.today.replace(day=1)
    months = [add_months(this_month, -n) for n in range(12, -1, -1)]
    for month in months:
        services.commission_run(actor=None, month=month)
        services.honours_award(actor=None, month=month)
    # Past months are settled: the demo marks them approved in one statement per month rather than one
    # audit record per person (the approval service is exercised by the tests and the pages).
    director = Staff.objects.filter(role=Role.DIRECTOR).order_by("pk").first()
    CommissionStatement.objects.filter(month__lt=this_month).update(
        status=CommissionStatement.Status.APPROVED, approved_by=director, approved_at=timezone.now())
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
            "honours": Honour.objects.count(), "grants": Grant.objects.count()}
