"""Monthly honours (FEATURES A8) computed by rules from the data. Pure.

Ties are broken deterministically, in order: the award's own metric, then the second metric named by
the rule, then the smaller employee number. The tie-break used is returned with the winner, so an
announcement can say why.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

SALES_CHAMPION = "sales_champion"
BEST_SERVICE = "best_service"
ATTAINMENT_STAR = "attainment_star"


@dataclass(frozen=True)
class Candidate:
    staff_id: int
    employee_no: str
    disbursed: Decimal = Decimal(0)
    loans: int = 0
    attainment: Decimal | None = None
    service_score: Decimal | None = None  # NPS or a service metric; None = not available
    collection_rate: Decimal | None = None


@dataclass(frozen=True)
class Award:
    kind: str
    staff_id: int
    value: Decimal
    tie_break: str  # "" when the metric alone decided


Metric = Callable[[Candidate], Decimal | int | None]


def _winner(kind: str, rows: Sequence[Candidate], primary: Metric, secondary: Metric,
            secondary_name: str) -> Award | None:
    scored = [(value, r) for r in rows if (value := primary(r)) is not None]
    if not scored:
        return None
    ranked = sorted(scored, key=lambda vr: (-vr[0], -(secondary(vr[1]) or 0), vr[1].employee_no))
    best_value, best = ranked[0]
    tie_break = ""
    if len(ranked) > 1 and ranked[1][0] == best_value:
        tie_break = secondary_name if (secondary(ranked[1][1]) or 0) != (secondary(best) or 0) else "employee_no"
    return Award(kind=kind, staff_id=best.staff_id, value=Decimal(best_value), tie_break=tie_break)


def sales_champion(rows: Sequence[Candidate]) -> Award | None:
    """Most disbursed; ties by number of loans, then employee number. Nobody with nothing disbursed wins."""
    return _winner(SALES_CHAMPION, [r for r in rows if r.disbursed > 0], lambda r: r.disbursed,
                   lambda r: r.loans, "loans")


def attainment_star(rows: Sequence[Candidate]) -> Award | None:
    """Highest attainment of quota; ties by disbursed amount."""
    return _winner(ATTAINMENT_STAR, [r for r in rows if r.attainment is not None and r.attainment > 0],
                   lambda r: r.attainment, lambda r: r.disbursed, "disbursed")


def best_service(rows: Sequence[Candidate]) -> Award | None:
    """Best service score where one is available (NPS); otherwise the best collection rate of own book.
    Ties by collection rate (or disbursed), then employee number."""
    if any(r.service_score is not None for r in rows):
        return _winner(BEST_SERVICE, rows, lambda r: r.service_score, lambda r: r.collection_rate,
                       "collection_rate")
    return _winner(BEST_SERVICE, [r for r in rows if r.loans > 0], lambda r: r.collection_rate,
                   lambda r: r.disbursed, "disbursed")


RULES = {SALES_CHAMPION: sales_champion, BEST_SERVICE: best_service, ATTAINMENT_STAR: attainment_star}


def award_all(rows: Sequence[Candidate]) -> list[Award]:
    return [a for rule in RULES.values() if (a := rule(rows)) is not None]
