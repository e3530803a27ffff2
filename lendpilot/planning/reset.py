"""Monthly quota re-set (FEATURES B6): next month's base quota from historical attainment and the market
heat coefficient of the person's region and product mix, within caps. Pure: plain numbers in, a diff
with reasons out.

    factor = (1 + sensitivity * (attainment - 1)) * heat, clamped to [1 - cap_down, 1 + cap_up]

Attainment is the average of the last months (a month without a quota is left out). The result is
rounded half-up to whole CNY 10,000 units; a quota never drops below `floor_units`.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from lendpilot.planning.decompose import DecompositionError


@dataclass(frozen=True)
class ResetRules:
    sensitivity: Decimal = Decimal("0.5")  # how much of the attainment gap moves the quota
    cap_up: Decimal = Decimal("0.20")  # at most +20% a month
    cap_down: Decimal = Decimal("0.20")  # at most -20% a month
    months: int = 3  # attainment history looked at
    floor_units: int = 1  # never below CNY 10,000

    @classmethod
    def parse(cls, data: dict[str, Any] | None) -> "ResetRules":
        # parsed JSON: any value may come, a wrong one is a DecompositionError below
        data = data or {}
        try:
            rules = cls(sensitivity=Decimal(str(data.get("sensitivity", cls.sensitivity))),
                        cap_up=Decimal(str(data.get("cap_up", cls.cap_up))),
                        cap_down=Decimal(str(data.get("cap_down", cls.cap_down))),
                        months=int(data.get("months", cls.months)),
                        floor_units=int(data.get("floor_units", cls.floor_units)))
        except (ArithmeticError, TypeError, ValueError) as exc:
            raise DecompositionError("rules", "re-set rules do not parse") from exc
        if not (0 <= rules.cap_up <= 1 and 0 <= rules.cap_down <= 1 and rules.sensitivity >= 0
                and 1 <= rules.months <= 12 and rules.floor_units >= 0):
            raise DecompositionError("rules", "re-set rules out of range")
        return rules


@dataclass
class ResetProposal:
    current_units: int
    proposed_units: int
    attainment: Decimal | None
    heat: Decimal
    factor: Decimal
    reasons: list[dict[str, object]] = field(default_factory=list)

    @property
    def delta_units(self) -> int:
        return self.proposed_units - self.current_units


def propose(*, current_units: int, attainment_history: Sequence[Decimal | None], heat: Decimal = Decimal(1),
            rules: ResetRules | None = None) -> ResetProposal:
    """Next month's base quota for one person. `attainment_history` is oldest first (disbursed / quota,
    None where there was no quota)."""
    rules = rules or ResetRules()
    if current_units < 0:
        raise DecompositionError("current", "a quota must not be negative")
    heat = Decimal(heat)
    if not heat.is_finite() or heat <= 0:
        raise DecompositionError("heat", "the market heat coefficient must be positive")
    recent = [Decimal(a) for a in list(attainment_history)[-rules.months:] if a is not None]
    reasons: list[dict[str, object]] = []
    attainment = (sum(recent, Decimal(0)) / len(recent)).quantize(Decimal("0.0001")) if recent else None
    factor = Decimal(1)
    if attainment is not None:
        factor += rules.sensitivity * (attainment - 1)
        reasons.append({"code": "attainment", "value": str(attainment), "months": len(recent)})
    else:
        reasons.append({"code": "no_history"})
    if heat != 1:
        reasons.append({"code": "heat", "value": str(heat)})
    factor *= heat
    low, high = 1 - rules.cap_down, 1 + rules.cap_up
    if factor > high:
        reasons.append({"code": "capped_up", "value": str(high)})
        factor = high
    elif factor < low:
        reasons.append({"code": "capped_down", "value": str(low)})
        factor = low
    proposed = int((Decimal(current_units) * factor).to_integral_value(rounding=ROUND_HALF_UP))
    # Rounding to whole units must not break the cap.
    proposed = min(proposed, int((Decimal(current_units) * high).to_integral_value(rounding="ROUND_FLOOR")))
    proposed = max(proposed, int((Decimal(current_units) * low).to_integral_value(rounding="ROUND_CEILING")))
    if proposed < rules.floor_units:
        proposed = rules.floor_units
        reasons.append({"code": "floor", "value": rules.floor_units})
    return ResetProposal(current_units=current_units, proposed_units=proposed, attainment=attainment, heat=heat,
                         factor=factor.quantize(Decimal("0.0001")), reasons=reasons)
