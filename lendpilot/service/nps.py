"""Net promoter score (FEATURES D8). Pure: no ORM.

Answers are 0-10: promoters answer 9 or 10, detractors 0 to 6, passives 7 or 8. NPS is the share of
promoters minus the share of detractors, in points from -100 to +100, rounded to two places: the scores
0..10 once each give 2/11 - 7/11 = -45.45.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

PROMOTER_MIN = 9
DETRACTOR_MAX = 6


def category(score: int) -> str:
    """promoter, passive or detractor; rejects a score outside 0-10."""
    if not 0 <= score <= 10:
        raise ValueError("a survey score is 0 to 10")
    if score >= PROMOTER_MIN:
        return "promoter"
    if score <= DETRACTOR_MAX:
        return "detractor"
    return "passive"


@dataclass(frozen=True)
class NpsCounts:
    promoters: int = 0
    passives: int = 0
    detractors: int = 0

    @property
    def answers(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def score(self) -> Decimal | None:
        """NPS in points (two places), None without answers."""
        return nps_from_counts(self.promoters, self.detractors, self.answers)


def nps_from_counts(promoters: int, detractors: int, answers: int) -> Decimal | None:
    if answers <= 0:
        return None
    value = Decimal(100 * (promoters - detractors)) / Decimal(answers)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def count(scores: Iterable[int]) -> NpsCounts:
    tally = {"promoter": 0, "passive": 0, "detractor": 0}
    for score in scores:
        tally[category(score)] += 1
    return NpsCounts(promoters=tally["promoter"], passives=tally["passive"], detractors=tally["detractor"])


def nps(scores: Iterable[int]) -> Decimal | None:
    """NPS of the scores in points, None for no scores."""
    return count(scores).score
