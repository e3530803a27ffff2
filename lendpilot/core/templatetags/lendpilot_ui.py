"""Template helpers for role-aware pages."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def percent(fraction) -> str:
    """A rate or ratio kept as a fraction, shown as people quote it: 0.0435 -> "4.35%"."""
    if fraction is None or fraction == "":
        return "—"
    value = (Decimal(str(fraction)) * 100).quantize(Decimal("0.0001"))
    text = f"{value:f}".rstrip("0").rstrip(".")
    return f"{text}%"
