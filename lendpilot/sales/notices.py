"""The message that ends every sales action: what happened to which object, and a link to the next step."""

from django.contrib import messages
from django.http import HttpRequest
from django.utils.html import format_html


def notify(request: HttpRequest, text: str, *, url: str, link: str, level: int = messages.SUCCESS) -> None:
    messages.add_message(request, level, format_html('{} <a class="alert-link" href="{}">{}</a>', text, url, link))
