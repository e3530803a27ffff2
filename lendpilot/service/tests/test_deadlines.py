from datetime import date

import pytest

from lendpilot.service.deadlines import DeadlinePolicy, days_left, due_date, escalation_date


def test_complaint_received_march_first_is_due_16th_then_31st_then_april_30th():
    received = date(2026, 3, 1)
    assert due_date(received) == date(2026, 3, 16)
    assert due_date(received, extensions=1) == date(2026, 3, 31)
    assert due_date(received, extensions=2) == date(2026, 4, 30)


def test_more_than_two_extensions_are_refused():
    with pytest.raises(ValueError):
        due_date(date(2026, 3, 1), extensions=3)


def test_escalation_comes_at_eighty_percent_of_the_term():
    received = date(2026, 3, 1)
    assert escalation_date(received) == date(2026, 3, 13)  # ceil(0.8 x 15) = 12 days
    assert escalation_date(received, extensions=1) == date(2026, 3, 25)  # 24 days of 30


def test_deadlines_follow_the_configured_policy():
    policy = DeadlinePolicy.from_mapping({"decision_days": 10})
    assert due_date(date(2026, 3, 1), policy=policy) == date(2026, 3, 11)
    assert days_left(date(2026, 3, 1), today=date(2026, 3, 12), policy=policy) == -1
