"""The admission assessment of a partner application: hard gates that refuse outright, then a weighted score
of the criteria checklist. Pure: plain values in, an assessment out."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

PASS_SCORE = 70
"""The lowest score head office may approve."""
FULL_CAPITAL = Decimal("50000000")
"""Registered capital (CNY) that earns the full capital points."""
MIN_CAPITAL = Decimal("10000000")
"""Below this registered capital (CNY) an applicant is refused."""
SECURITY_POINTS = {"A": 25, "B": 18, "C": 8, "D": 0}
"""Points for the data-security assessment grade; D is a hard refusal."""


@dataclass(frozen=True)
class Criteria:
    """The checklist as the applicant answered it and due diligence verified it."""

    licence_held: bool
    registered_capital: Decimal
    regulatory_penalties: int
    """Regulatory penalties in the last three years."""
    complaints_per_10k: Decimal
    """Complaints per 10,000 customers served in the last year."""
    data_security_grade: str


@dataclass(frozen=True)
class Assessment:
    score: int
    passed: bool
    gates: list[str] = field(default_factory=list)
    """Why the applicant is refused whatever its score (empty when no gate failed)."""
    points: dict[str, int] = field(default_factory=dict)


def _capital_points(capital: Decimal) -> int:
    if capital >= FULL_CAPITAL:
        return 25
    if capital < MIN_CAPITAL:
        return 0
    return int(5 + 20 * (capital - MIN_CAPITAL) / (FULL_CAPITAL - MIN_CAPITAL))


def _complaint_points(per_10k: Decimal) -> int:
    if per_10k <= 1:
        return 25
    if per_10k >= 10:
        return 0
    return int(25 * (10 - per_10k) / 9)


def assess(criteria: Criteria) -> Assessment:
    """Score 0-100: licence 10, capital 25, compliance record 15, complaints 25, data security 25."""
    gates = []
    if not criteria.licence_held:
        gates.append(_("no valid business licence for the activity"))
    if criteria.registered_capital < MIN_CAPITAL:
        gates.append(_("registered capital below the minimum"))
    if criteria.data_security_grade not in SECURITY_POINTS or criteria.data_security_grade == "D":
        gates.append(_("data-security assessment failed"))
    if criteria.regulatory_penalties >= 3:
        gates.append(_("three or more regulatory penalties in three years"))
    points = {
        "licence": 10 if criteria.licence_held else 0,
        "capital": _capital_points(criteria.registered_capital),
        "compliance": max(0, 15 - 5 * criteria.regulatory_penalties),
        "complaints": _complaint_points(criteria.complaints_per_10k),
        "data_security": SECURITY_POINTS.get(criteria.data_security_grade, 0),
    }
    score = sum(points.values())
    return Assessment(score=score, passed=not gates and score >= PASS_SCORE, gates=gates, points=points)
