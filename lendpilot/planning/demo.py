"""Demo step: market heat per region and product line, last year's and this year's approved target plans
(split down to every manager, so each person-month has a base and sprint quota) and a proposed re-set of next
month's quotas for the director to review."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Sum

from lendpilot.core.months import shift_month
from lendpilot.lending.models import Loan
from lendpilot.org.models import Region
from lendpilot.planning import services
from lendpilot.planning.decompose import UNIT
from lendpilot.planning.models import Quota, TargetCell
from lendpilot.products.models import Product

if TYPE_CHECKING:
    from lendpilot.core.seeding import SeedContext


def _plan(year: int, total: Decimal, rng) -> int:
    units = max(12, int(total / UNIT))
    plan = services.target_plan_create(
        actor=None, code=f"FY{year}", name=f"{year} 年度放款目标", period_start=date(year, 1, 1),
        total_amount=Decimal(units) * UNIT, new_customers=rng.randint(500, 5000),
        drivers={"last_year": "0.5", "capacity": "0.3", "heat": "0.2"},
        # A little seasonality: quiet around the Spring Festival, a push before year end.
        month_weights=["0.6", "0.7", "1.0", "1.0", "1.0", "1.1", "1.0", "1.0", "1.1", "1.0", "1.1", "1.4"])
    services.target_plan_split(actor=None, plan=plan)
    services.target_plan_approve(actor=None, plan=plan)
    return plan.pk


def seed(ctx: SeedContext) -> dict[str, int]:
    rng = ctx.sub_rng("planning")
    categories = sorted(set(Product.objects.filter(is_active=True).values_list("category", flat=True)))
    regions = list(Region.objects.order_by("code"))
    if not categories or not regions:
        return {"plans": 0}
    year = ctx.today.year
    yearly = Loan.objects.filter(disbursed_on__year=year - 1).aggregate(s=Sum("principal"))["s"] or Decimal(0)
    for region in regions:
        for category in categories:
            services.market_heat_set(actor=None, region=region, product=category,
                                     heat=Decimal(rng.randint(80, 130)) / 100,
                                     capacity=(yearly / len(regions) / len(categories) * rng.randint(2, 6)
                                               ).quantize(Decimal("1.00")))
    # Last year's plan: what was done then, as if it had been planned; this year's: 20% growth.
    plans = [_plan(year - 1, yearly * Decimal("0.95"), rng), _plan(year, yearly * Decimal("1.2"), rng)]
    next_month = shift_month(ctx.today, 1)
    resets = 0
    if next_month.year == year:
        services.quota_reset_propose(actor=None, month=next_month)
        resets = 1
    return {"plans": len(plans), "target_rows": TargetCell.objects.filter(plan_id__in=plans).count(),
            "quotas": Quota.objects.count(), "market_heat": len(regions) * len(categories), "resets": resets}
