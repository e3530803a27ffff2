"""How a lending page ends an action: a message naming the object and its next step, with a link to it;
or the refusal in words. Never a generic "done"."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.html import format_html

from lendpilot.core.errors import Conflict
from lendpilot.core.views import flash_errors


def done(request: HttpRequest, text: str, *, next_url: str = "", next_label: str = "") -> None:
    """`text` names what was done and what comes next; `next_url` is where the next step is taken."""
    if next_url:
        messages.success(request, format_html('{} <a class="alert-link" href="{}">{}</a>', text, next_url,
                                               next_label))
    else:
        messages.success(request, text)


def refused(request: HttpRequest, error: ValidationError | Conflict) -> None:
    flash_errors(request, error)


def form_refused(request: HttpRequest, form: forms.Form) -> None:
    """A form's own errors, each with the label of its field."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))
