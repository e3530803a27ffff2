"""Template helpers for role-aware pages."""

from decimal import Decimal

from django import template
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.translation import gettext

from lendpilot.core.business_calendar import is_provisional

register = template.Library()


@register.filter
def percent(fraction) -> str:
    """A rate or ratio kept as a fraction, shown as people quote it: 0.0435 -> "4.35%"."""
    if fraction is None or fraction == "":
        return "—"
    value = (Decimal(str(fraction)) * 100).quantize(Decimal("0.0001"))
    text = f"{value:f}".rstrip("0").rstrip(".")
    return f"{text}%"


@register.filter
def money(amount) -> str:
    """An amount to the fen with thousands separators in every language: 2500000 -> "2,500,000.00"
    (humanize's intcomma follows the locale, and the Chinese locale groups no digits)."""
    if amount is None or amount == "":
        return "—"
    return f"{Decimal(str(amount)):,.2f}"


@register.simple_tag
def business_date(day) -> str:
    """A due date or deadline, marked 暂定 / provisional when its year has no official holiday arrangement
    yet (the date may still move when the State Council publishes the year)."""
    if not day:
        return "—"
    text = date_format(day, "Y-m-d")
    if not is_provisional(day):
        return text
    hint = gettext("No official holiday arrangement for this year yet; the date may move.")
    return format_html('{} <span class="badge text-bg-warning" title="{}">{}</span>', text, hint,
                       gettext("provisional"))
