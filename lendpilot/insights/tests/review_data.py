"""Hand-built sales flows for the review-cycle tests: opportunities with just the node moves a test needs."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from lendpilot.sales.models import Lead, Opportunity, Transition

SH = ZoneInfo("Asia/Shanghai")


def moment(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SH)


def opportunity(world, owner: str, *, on: date, product=None, tier: str = "standard", lead_source: str | None = None,
                node: str = "screening") -> Opportunity:
    staff = world.staff[owner]
    lead = None
    if lead_source:
        n = Lead.objects.count() + 1
        lead = Lead.objects.create(kind="person", name=f"线索{n}", source=lead_source, phone_hash=f"h{n:08d}",
                                   industry="F", region_id=staff.region_id, owner=staff, status="converted",
                                   received_at=moment(on))
    opp = Opportunity.objects.create(name="机会", owner=staff, node=node, tier=tier, industry="F", product=product,
                                     lead=lead, created_at=moment(on), node_entered_at=moment(on))
    Transition.objects.create(opportunity=opp, from_node="", to_node="screening", at=moment(on))
    return opp


def moves(world, owner: str, *, on: date, src: str, dst: str, count: int, **kwargs) -> None:
    """`count` opportunities of `owner` that made the move src -> dst on `on`."""
    for _n in range(count):
        opp = opportunity(world, owner, on=on, **kwargs)
        Transition.objects.create(opportunity=opp, from_node=src, to_node=dst, at=moment(on, 11),
                                  )
        Opportunity.objects.filter(pk=opp.pk).update(node=dst, loss_reason="rate" if dst == "lost" else "")
