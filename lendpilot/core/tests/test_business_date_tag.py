"""Due dates in a year without an official holiday arrangement are shown as provisional."""

from datetime import date

from django.template import Context, Template


def render(day) -> str:
    return Template("{% load lendpilot_ui %}{% business_date day %}").render(Context({"day": day}))


def test_a_date_in_an_official_year_is_plain():
    assert render(date(2025, 10, 9)) == "2025-10-09"


def test_a_date_in_a_provisional_year_carries_the_mark():
    html = render(date(2031, 6, 16))
    assert html.startswith("2031-06-16 ")
    assert "badge" in html


def test_no_date_is_a_dash():
    assert render(None) == "—"
