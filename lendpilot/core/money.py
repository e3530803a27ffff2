"""Money in CNY: Decimal with two places, rounded half-up to the fen (DESIGN.md, data rules).

Floats never enter: `to_money` rejects them, so a figure cannot pick up binary rounding on its way
in. Splitting an amount uses largest remainder so the parts always add up to the whole.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


class MoneyError(ValueError):
    """A value that cannot be a CNY amount (float, not a number, more than two places where exact)."""


def to_money(value: Decimal | int | str) -> Decimal:
    """Return `value` as a Decimal rounded half-up to the fen. Floats are refused."""
    if isinstance(value, float):
        raise MoneyError("money must not be a float; pass a Decimal, int or string")
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise MoneyError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise MoneyError(f"not a finite amount: {value!r}")
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def split_money(total: Decimal, weights: list[Decimal | int]) -> list[Decimal]:
    """Split `total` in proportion to `weights` so the parts sum exactly to `total` (largest remainder).

    Rejects negative weights and weights that sum to zero.
    """
    total = to_money(total)
    decimal_weights = [Decimal(w) for w in weights]
    if any(w < 0 for w in decimal_weights):
        raise MoneyError("weights must not be negative")
    weight_sum = sum(decimal_weights, Decimal(0))
    if weight_sum == 0:
        raise MoneyError("weights must not sum to zero")
    total_fen = int(total / FEN)
    raw = [total_fen * w / weight_sum for w in decimal_weights]
    floors = [int(r.to_integral_value(rounding="ROUND_FLOOR")) for r in raw]
    short = total_fen - sum(floors)
    order = sorted(range(len(raw)), key=lambda i: (raw[i] - floors[i], -i), reverse=True)
    for i in order[:short]:
        floors[i] += 1
    return [Decimal(f) * FEN for f in floors]


def format_cny(amount: Decimal) -> str:
    """`¥1,234,567.89` for display."""
    return f"¥{to_money(amount):,.2f}"
