"""The 9-box of a talent review (FEATURES A3) on plain data: performance band from the appraisal score,
placement, the recommendation each box calls for, and the spread per team for calibration.

Boxes are numbered 1..9 as (performance band - 1) * 3 + potential band: 1 is low/low, 9 high/high.
A low/low box gets a training plan or a reassignment, never an exit: last place in a ranking is not
inability to do the job (Supreme People's Court Guiding Case No. 18).
"""

from collections.abc import Iterable
from decimal import Decimal

LOW, MEDIUM, HIGH = 1, 2, 3
# An appraisal score (0-100) under LOW_BELOW is low performance, at or above HIGH_FROM high.
LOW_BELOW = Decimal(60)
HIGH_FROM = Decimal(85)

PROMOTE = "promote_to_team_lead"
STRETCH = "stretch_assignment"
DEVELOP = "development_plan"
RETAIN = "retain_and_reward"
TRAINING_PLAN = "training_plan"
REASSIGN = "reassignment"
# What no review may recommend or decide on its own.
FORBIDDEN = frozenset({"exit", "dismissal", "termination"})


def performance_band(score: Decimal | None) -> int | None:
    if score is None:
        return None
    if score < LOW_BELOW:
        return LOW
    return HIGH if score >= HIGH_FROM else MEDIUM


def box(performance: int, potential: int) -> int:
    if performance not in (LOW, MEDIUM, HIGH) or potential not in (LOW, MEDIUM, HIGH):
        raise ValueError("performance and potential are rated 1 (low), 2 (medium) or 3 (high)")
    return (performance - 1) * 3 + potential


def bands_of(box_number: int) -> tuple[int, int]:
    if not 1 <= box_number <= 9:
        raise ValueError("a box is numbered 1 to 9")
    return (box_number - 1) // 3 + 1, (box_number - 1) % 3 + 1


def recommendations(box_number: int, *, is_manager: bool) -> list[str]:
    """What a box calls for. A high-potential account manager performing at least at medium is proposed for
    team lead; low/low gets a training plan or a reassignment (never an exit)."""
    performance, potential = bands_of(box_number)
    if performance == LOW and potential == LOW:
        return [TRAINING_PLAN, REASSIGN]
    if potential == HIGH and performance >= MEDIUM:
        return [PROMOTE, RETAIN] if is_manager else [STRETCH, RETAIN]
    if potential == HIGH:
        return [DEVELOP, STRETCH]
    if performance == HIGH:
        return [RETAIN, DEVELOP]
    if performance == LOW:
        return [TRAINING_PLAN, DEVELOP]
    return [DEVELOP]


def distribution(boxes: Iterable[int]) -> dict[int, int]:
    counts = dict.fromkeys(range(1, 10), 0)
    for b in boxes:
        counts[b] += 1
    return counts


def calibration(rows: Iterable[tuple[str, int]]) -> dict[str, dict[str, Decimal]]:
    """Per team, the share in the top row (potential high) and in the bottom-left (low/low) beside the
    organisation's: a team far above the rest rates generously and is the one to calibrate."""
    teams: dict[str, list[int]] = {}
    for team, b in rows:
        teams.setdefault(team, []).append(b)
    everyone = [b for bs in teams.values() for b in bs]

    def spread(bs: list[int]) -> dict[str, Decimal]:
        n = Decimal(len(bs)) or Decimal(1)
        high = sum(1 for b in bs if bands_of(b)[1] == HIGH)
        low_low = sum(1 for b in bs if b == 1)
        return {"people": Decimal(len(bs)),
                "high_potential": (Decimal(high) / n).quantize(Decimal("0.0001")),
                "low_low": (Decimal(low_low) / n).quantize(Decimal("0.0001"))}

    out = {team: spread(bs) for team, bs in sorted(teams.items())}
    out["__all__"] = spread(everyone)
    return out
