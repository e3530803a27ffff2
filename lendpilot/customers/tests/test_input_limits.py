"""Hostile segment queries and tag rules are refused with a 422 naming the field, never a 500: nesting and
length are bounded, numbers out of any column's range and day counts past a century are rejected, and a
day-count field compared with a list means what it says."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from lendpilot.customers import rules, segment_query, services
from lendpilot.customers.models import TagDefinition
from lendpilot.testing import PASSWORD

AS_OF = date(2025, 6, 30)


@pytest.mark.parametrize("text", ["(" * 500 + "x" + ")" * 500, "非 " * 990 + "x", "NOT " * 400 + "x"])
def test_deeply_nested_query_is_a_query_error(text):
    with pytest.raises(segment_query.QueryError, match="nested"):
        segment_query.parse_query(text)


def test_query_with_too_many_terms_is_a_query_error():
    with pytest.raises(segment_query.QueryError, match="terms"):
        segment_query.parse_query(" OR ".join(["x"] * 300))


@pytest.mark.parametrize("rule", ["days_since_last_loan > 99999999999", "tenure_days < -99999999999",
                                  "days_since_last_loan > 1.5"])
def test_day_counts_outside_a_century_or_fractional_are_rule_errors(rule):
    with pytest.raises(rules.RuleError, match="days"):
        rules.compile_rule(rule, as_of=AS_OF)


@pytest.mark.parametrize("rule", ["max_single_loan > " + "9" * 1900, "loans_count > 1e300",
                                  "max_single_loan > 0.0000001", "headcount in (1, 99999999999999999999)"])
def test_numbers_beyond_the_columns_are_rule_errors(rule):
    with pytest.raises(rules.RuleError, match="number"):
        rules.compile_rule(rule, as_of=AS_OF)


@pytest.mark.parametrize("rule", ["not " * 300 + "high_value", "(" * 300 + "high_value" + ")" * 300,
                                  " and ".join(["(not high_value or not (high_value"] * 30) + "))" * 30])
def test_deeply_nested_rule_is_a_rule_error(rule):
    with pytest.raises(rules.RuleError):
        rules.compile_rule(rule, as_of=AS_OF)


def test_days_field_in_a_list_compares_dates(world):
    q = rules.compile_rule("tenure_days in (1, 2)", as_of=AS_OF)
    assert q.children == [("facts__first_disbursed_on__in", [date(2025, 6, 29), date(2025, 6, 28)])]
    assert rules.evaluate("tenure_days in (1, 2)", {"tenure_days": date(2025, 6, 28)}, as_of=AS_OF)


@pytest.mark.parametrize("rule", ["tenure_days in (1, 2)", "days_since_last_loan > 99999999999",
                                  "max_single_loan > " + "9" * 1900])
def test_tag_rules_that_broke_the_server_are_saved_or_refused_cleanly(world, rule):
    director = world.user("director")
    try:
        services.tag_define(actor=director, code="probe", name_zh="探测", name_en="probe", theme="basic", rule=rule)
    except ValidationError as exc:
        assert "rule" in exc.message_dict
        assert not TagDefinition.objects.filter(code="probe").exists()


@pytest.mark.parametrize("query", ["(" * 500 + "x" + ")" * 500, "非" * 990 + "x",
                                   "days_since_last_loan > 99999999999", "max_single_loan > 1e26"])
def test_segment_count_api_answers_422_naming_the_query(world, query):
    client = Client()
    assert client.login(username="director", password=PASSWORD)
    response = client.post("/api/v1/portrait/segments/count", {"query": query}, content_type="application/json")
    assert response.status_code == 422, response.content
    assert "query" in response.content.decode()
