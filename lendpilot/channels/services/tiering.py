"""Monthly re-tiering: every listed partner placed on its last twelve months of facts; a move is logged with
its reasons and metrics. Idempotent per month."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from lendpilot.channels import vintage
from lendpilot.channels.models import FIRST_PLACEMENT, MonthFact, Partner, TierChange
from lendpilot.channels.selectors import partner_cells, published_list
from lendpilot.channels.tiers import TierMetrics, change_reasons, place
from lendpilot.compliance.audit import record_batch_event
from lendpilot.core.months import month_start, shift_month
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm


def metrics_of(partner: Partner, month: date) -> TierMetrics:
    """The last twelve months up to and including `month`."""
    window = MonthFact.objects.filter(partner=partner, month__gt=shift_month(month, -12), month__lte=month)
    sums = window.aggregate(disbursed=Sum("disbursed"), loans=Sum("loans"), leads=Sum("leads"),
                            complaints=Sum("complaints"), findings=Sum("findings"), incidents=Sum("incidents"))
    leads, loans = sums["leads"] or 0, sums["loans"] or 0
    return TierMetrics(disbursed=sums["disbursed"] or Decimal("0"), loans=loans, complaints=sums["complaints"] or 0,
                       findings=sums["findings"] or 0, incidents=sums["incidents"] or 0,
                       conversion=Decimal(loans) / leads if leads else Decimal("0"),
                       overdue=vintage.latest_ratio(partner_cells(partner), "m3"))


def _metrics_json(m: TierMetrics) -> dict[str, str | int]:
    return {"disbursed": str(m.disbursed), "loans": m.loans, "complaints": m.complaints, "findings": m.findings,
            "incidents": m.incidents, "conversion": str(round(m.conversion, 4)), "overdue": str(round(m.overdue, 4))}


@transaction.atomic
def partners_retier(*, actor: object, month: date) -> int:
    """Place every listed partner for `month`; returns how many moved. A second run of the month moves none."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_CHANNELS)
    month = month_start(month)
    moved = 0
    for partner in published_list().select_for_update():
        if TierChange.objects.filter(partner=partner, month=month).exists():
            continue
        metrics = metrics_of(partner, month)
        placement = place(metrics)
        if placement.tier == partner.tier and partner.tier_changes.exists():
            continue
        TierChange.objects.create(partner=partner, month=month, from_tier=partner.tier, to_tier=placement.tier,
                                  reasons=change_reasons(partner.tier, placement) or [FIRST_PLACEMENT],
                                  metrics=_metrics_json(metrics))
        partner.tier = placement.tier
        partner.save(update_fields=["tier"])
        moved += 1
    record_batch_event(actor=acting.user, event_code="channels.partners_retiered",
                       summary={"month": month.isoformat(), "moved": moved})
    return moved
