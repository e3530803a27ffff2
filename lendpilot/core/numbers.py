"""Numbers as people read them, one place for every page and file: amounts to the fen with thousands
separators, large amounts in 万/亿 (or thousand/million/billion in English) where a tile is too narrow for
every digit, ratios as percentages with stated precision. Pure: no ORM, no request; the API keeps raw
decimals and never goes through here."""

from decimal import ROUND_HALF_UP, Decimal

WAN, YI = Decimal(10_000), Decimal(100_000_000)
THOUSAND, MILLION, BILLION = Decimal(1_000), Decimal(1_000_000), Decimal(1_000_000_000)
TWO_PLACES = Decimal("0.01")


def amount_text(amount: Decimal | int | float | str) -> str:
    """2500000 -> "2,500,000.00": to the fen, rounded half up (a fen is never truncated)."""
    return f"{Decimal(str(amount)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP):,.2f}"


def compact_amount_text(amount: Decimal | int | float | str, *, language: str) -> str:
    """A large amount in the unit its reader counts in, to two decimals of that unit: 5320000 -> "532.00万"
    in Chinese and "5.32M" in English; below 10,000 (1,000 in English) the full amount."""
    value = Decimal(str(amount))
    size = abs(value)
    if language.lower().startswith("zh"):
        steps = ((YI, "亿"), (WAN, "万"))
    else:
        steps = ((BILLION, "B"), (MILLION, "M"), (THOUSAND, "K"))
    for unit, suffix in steps:
        if size >= unit:
            return f"{(value / unit).quantize(TWO_PLACES, rounding=ROUND_HALF_UP):,.2f}{suffix}"
    return amount_text(value)


def percent_text(fraction: Decimal | int | float | str, *, places: int = 2) -> str:
    """0.868649 -> "86.86%" (stated precision, rounded half up); 1.25 -> "125.00%"."""
    exponent = Decimal(1).scaleb(-places)
    return f"{(Decimal(str(fraction)) * 100).quantize(exponent, rounding=ROUND_HALF_UP):,.{places}f}%"
