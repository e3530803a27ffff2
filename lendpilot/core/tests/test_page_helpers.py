"""The month a page is about and a refused action's message, read the same way on every page."""

from datetime import date

from django.core.exceptions import ValidationError
from django.test import RequestFactory

from lendpilot.core.errors import Conflict
from lendpilot.core.views import error_lines, month_of


def test_the_month_comes_from_the_query_or_the_form_else_the_default():
    factory = RequestFactory()
    assert month_of(factory.get("/", {"month": "2026-03"})) == date(2026, 3, 1)
    assert month_of(factory.post("/", {"month": "2026-04-17"})) == date(2026, 4, 1)
    assert month_of(factory.get("/", {"month": "March"}), default=date(2025, 7, 9)) == date(2025, 7, 1)
    assert month_of(factory.get("/"), default=date(2025, 12, 31)) == date(2025, 12, 1)


def test_a_refusal_names_each_field_unless_its_messages_are_sentences():
    error = ValidationError({"amount": ["not a number"], "__all__": ["the plan is approved"]})
    assert error_lines(error) == ["amount: not a number", "the plan is approved"]
    assert error_lines(error, name_fields=False) == ["not a number", "the plan is approved"]
    assert error_lines(ValidationError("no such month")) == ["no such month"]
    assert error_lines(Conflict("someone else approved it first")) == ["someone else approved it first"]
