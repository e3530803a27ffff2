"""Template helpers for role-aware pages."""

from decimal import Decimal

from django import template
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.translation import get_language, gettext

from lendpilot.core.business_calendar import is_provisional
from lendpilot.core.numbers import amount_text, compact_amount_text, percent_text

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
    return amount_text(amount)


@register.filter
def money_compact(amount) -> str:
    """An amount on a tile: 万/亿 in Chinese, K/M/B in English, the exact amount as its tooltip."""
    if amount is None or amount == "":
        return "—"
    return format_html('<span title="{}" data-amount="{}">{}</span>', amount_text(amount), amount,
                       compact_amount_text(amount, language=get_language() or "zh-hans"))


@register.simple_tag
def ratio(fraction, note: str = "", places: int = 2) -> str:
    """A ratio as a percentage with stated precision; above 100 % it says why, in a tooltip (`note`, the
    metric's own reason, else the general one)."""
    if fraction is None or fraction == "":
        return "—"
    text = percent_text(fraction, places=places)
    if Decimal(str(fraction)) <= 1:
        return text
    reason = note or gettext("More than the base: the figure counts more than what it is measured against, e.g. "
                             "more disbursed than the target, or repayments including arrears or early payments.")
    return format_html('<span class="lp-over-100" title="{}" tabindex="0" aria-label="{} — {}">{} '
                       '<span aria-hidden="true">ⓘ</span></span>', reason, text, reason, text)


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
