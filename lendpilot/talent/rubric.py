"""Role-play drills scored against a rubric (FEATURES A5): weighted criteria, each scored 1..5."""

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal


def rubric_score(criteria: Sequence[Mapping], scores: Mapping[str, int]) -> Decimal:
    """A weighted score out of 100. Every criterion must be scored 1..5; a missing or out-of-range score
    raises ValueError naming the criterion."""
    total_weight = sum(int(c["weight"]) for c in criteria)
    if total_weight <= 0:
        raise ValueError("the rubric has no weighted criterion")
    earned = Decimal(0)
    for c in criteria:
        value = scores.get(c["key"])
        if not isinstance(value, int) or not 1 <= value <= 5:
            raise ValueError(f"criterion {c['key']}: score 1 to 5")
        earned += Decimal(int(c["weight"]) * value)
    return (earned * 100 / (total_weight * 5)).quantize(Decimal("0.1"), ROUND_HALF_UP)
