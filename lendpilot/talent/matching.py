"""Person-job match (FEATURES A1): the weighted share of a role's competency profile a person meets.

Each required skill counts with its weight; a level at or above the required one earns the full weight,
a lower level the fraction level/required, a missing skill nothing. A role needing A (weight 3, level 3)
and B (weight 1) scores a person with A at 4 and no B at 3/4 = 0.75, where a count of skills held
(Odoo's) would say 0.50.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Requirement:
    skill: str
    weight: int
    level: int


def skill_credit(required_level: int, held_level: int | None) -> Decimal:
    if not held_level or held_level <= 0:
        return Decimal(0)
    if required_level <= 0 or held_level >= required_level:
        return Decimal(1)
    return Decimal(held_level) / Decimal(required_level)


def match_score(requirements: Sequence[Requirement], levels: Mapping[str, int]) -> Decimal:
    """The match in [0, 1], to four places; 0 for an empty profile (nothing to match)."""
    total = sum(r.weight for r in requirements)
    if total <= 0:
        return Decimal(0)
    earned = sum((r.weight * skill_credit(r.level, levels.get(r.skill)) for r in requirements), Decimal(0))
    return (earned / total).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def skill_gaps(requirements: Sequence[Requirement], levels: Mapping[str, int]) -> list[tuple[str, int, int]]:
    """(skill, required, held) for every requirement the person falls short of, heaviest first."""
    gaps = [(r.skill, r.level, levels.get(r.skill, 0)) for r in requirements if levels.get(r.skill, 0) < r.level]
    weight = {r.skill: r.weight for r in requirements}
    return sorted(gaps, key=lambda g: (-weight[g[0]], g[0]))
