"""The quarterly bottom-ranked review (末位淘汰): a weighted score per partner, the bottom decile goes on
probation, a partner still at the bottom after two quarters on probation is proposed for delisting. Pure."""

import math
from dataclasses import dataclass
from decimal import Decimal

WEIGHTS = {"conversion": Decimal("0.30"), "approval": Decimal("0.20"), "overdue": Decimal("0.30"),
           "complaints": Decimal("0.20")}
"""Conversion and approval count for the partner; overdue and complaint rates against it."""


@dataclass(frozen=True)
class Standing:
    partner_id: int
    conversion: Decimal
    approval: Decimal
    overdue: Decimal
    complaint_rate: Decimal
    """Complaints per loan booked."""
    quarters_on_probation: int | None
    """None when not on probation; otherwise whole quarters since probation began."""


@dataclass(frozen=True)
class Outcome:
    partner_id: int
    score: Decimal
    rank: int
    bottom: bool
    action: str
    """"probation", "continue", "propose_delisting", "release" or "none"."""


def score(s: Standing) -> Decimal:
    """0-100: each rate mapped to 0-1 (overdue and complaints inverted, capped at 10 and 20 per cent)."""
    overdue = max(Decimal("0"), 1 - s.overdue / Decimal("0.10"))
    complaints = max(Decimal("0"), 1 - s.complaint_rate / Decimal("0.20"))
    one = Decimal("1")
    total = (WEIGHTS["conversion"] * min(s.conversion, one) + WEIGHTS["approval"] * min(s.approval, one)
             + WEIGHTS["overdue"] * overdue + WEIGHTS["complaints"] * complaints)
    return (total * 100).quantize(Decimal("0.01"))


def _action(bottom: bool, quarters: int | None) -> str:
    if quarters is None:
        return "probation" if bottom else "none"
    if not bottom:
        return "release"
    return "propose_delisting" if quarters >= 2 else "continue"


def rank(standings: list[Standing]) -> list[Outcome]:
    """Rank by score, best first (ties by id); the bottom decile is the last ceil(10%) of the list."""
    scored = sorted(((score(s), s) for s in standings), key=lambda p: (-p[0], p[1].partner_id))
    cut = len(scored) - math.ceil(len(scored) / 10) if scored else 0
    return [Outcome(s.partner_id, value, i + 1, i >= cut, _action(i >= cut, s.quarters_on_probation))
            for i, (value, s) in enumerate(scored)]
