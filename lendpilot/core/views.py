"""What every page shares: pagination, the month a page is about, and a refused action told to the user."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.utils import timezone

from lendpilot.core.errors import Conflict

PAGE_SIZE = 25


def paginate(request, queryset, *, per_page: int = PAGE_SIZE) -> Page:
    """One page of `queryset`; a page number out of range or not a number gives the nearest page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def month_of(request: HttpRequest, default: date | None = None) -> date:
    """The first day of the month named by the `month` parameter (`2026-03` or a full date, query or form);
    `default`'s month (today's when none) when it is missing or not a month."""
    raw = request.GET.get("month") or request.POST.get("month") or ""
    try:
        return date.fromisoformat(raw[:7] + "-01")
    except ValueError:
        return (default or timezone.localdate()).replace(day=1)


def error_lines(error: ValidationError | Conflict, *, name_fields: bool = True) -> list[str]:
    """A refused action in words: one line per field ("amount: not a number"), else the error's messages.

    Services whose messages are whole sentences ("2026-10-01 has no entry in the calendar.") are shown
    without the field's name (`name_fields=False`); errors of no field never carry one."""
    if isinstance(error, Conflict):
        return [error.message]
    if not hasattr(error, "error_dict"):
        return [" ".join(error.messages)]
    return [f"{field}: {' '.join(texts)}" if name_fields and field != NON_FIELD_ERRORS else " ".join(texts)
            for field, texts in error.message_dict.items()]


def flash_errors(request: HttpRequest, error: ValidationError | Conflict, *, name_fields: bool = True) -> None:
    """Tell the user, on the next page, why the action was refused."""
    for line in error_lines(error, name_fields=name_fields):
        messages.error(request, line)
