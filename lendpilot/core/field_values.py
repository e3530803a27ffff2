"""Reading typed values out of user input (forms, API bodies, import rows) with errors named by field.

Every service that takes an amount, a number or a date from a person uses these, so an amount is
refused the same way everywhere ("not a number", "more than two decimal places") and a float never
slips in with binary rounding. Each reader either returns the value or records one message under the
field's name in `errors` and returns None; the caller raises one ValidationError for all fields.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lendpilot.core.money import FEN, to_money

MAX_AMOUNT = Decimal("1e14")


def read_decimal(value: object, *, field: str, errors: dict[str, str], required: bool = False) -> Decimal | None:
    """A finite Decimal, or None when empty and not required."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[field] = _("this field is required")
        return None
    try:
        if isinstance(value, float):
            value = repr(value)
        number = Decimal(str(value).strip())
        if not number.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        errors[field] = _("not a number")
        return None
    return number


def read_money(value: object, *, field: str, errors: dict[str, str], required: bool = False,
               positive: bool = False) -> Decimal | None:
    """A CNY amount: at most two decimals, not negative (not zero when `positive`), below 10^14."""
    number = read_decimal(value, field=field, errors=errors, required=required)
    if number is None:
        return None
    if number != number.quantize(FEN):
        errors[field] = _("more than two decimal places")
        return None
    if number < 0 or (positive and number == 0):
        errors[field] = _("must be positive") if positive else _("must not be negative")
        return None
    if number >= MAX_AMOUNT:
        errors[field] = _("amount too large")
        return None
    return to_money(number)


def read_date(value: object, *, field: str) -> date:
    """A date from a `date` or an ISO string; raises ValidationError naming the field otherwise."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ValidationError({field: _("not a date (YYYY-MM-DD)")}) from exc
