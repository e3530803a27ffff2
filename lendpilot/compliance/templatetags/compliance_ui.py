"""Template helpers of the compliance desk: a record reference in words."""

from django import template
from django.utils.translation import gettext

register = template.Library()

_KINDS = {
    "customers.customer": lambda: gettext("Customer"),
    "channels.partner": lambda: gettext("Channel partner"),
    "customers.owner": lambda: gettext("Beneficial owner"),
}


@register.filter
def reference(ref: str) -> str:
    """`customers.customer:42` -> "Customer 42"; a reference of another kind is shown as it was given."""
    kind, _sep, number = str(ref or "").partition(":")
    label = _KINDS.get(kind)
    return f"{label()} {number}" if label and number else str(ref or "")
