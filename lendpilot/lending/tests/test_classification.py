"""Five-category classification: every threshold at its edge, custom thresholds, manual floor."""

from datetime import date

import pytest

from lendpilot.lending.classification import (
    DOUBTFUL,
    LOSS,
    NORMAL,
    SPECIAL_MENTION,
    SUBSTANDARD,
    Thresholds,
    class_for_dpd,
    classify,
    days_past_due,
    is_npl,
)


@pytest.mark.parametrize(("dpd", "expected"), [
    (0, NORMAL), (1, SPECIAL_MENTION), (90, SPECIAL_MENTION), (91, SUBSTANDARD), (270, SUBSTANDARD),
    (271, DOUBTFUL), (360, DOUBTFUL), (361, LOSS), (5000, LOSS),
])
def test_default_thresholds_at_their_edges(dpd, expected):
    assert class_for_dpd(dpd) == expected


def test_custom_thresholds():
    strict = Thresholds(special_mention_above=0, substandard_above=60, doubtful_above=180, loss_above=300)
    assert class_for_dpd(60, strict) == SPECIAL_MENTION
    assert class_for_dpd(61, strict) == SUBSTANDARD
    assert class_for_dpd(181, strict) == DOUBTFUL
    assert class_for_dpd(301, strict) == LOSS
    grace = Thresholds(special_mention_above=3)
    assert class_for_dpd(3, grace) == NORMAL and class_for_dpd(4, grace) == SPECIAL_MENTION


def test_thresholds_must_increase():
    with pytest.raises(ValueError):
        Thresholds(substandard_above=300, doubtful_above=270)


def test_manual_downgrade_is_a_floor():
    assert classify(0, manual_floor=SUBSTANDARD) == SUBSTANDARD
    assert classify(400, manual_floor=SUBSTANDARD) == LOSS
    assert classify(10, manual_floor=None) == SPECIAL_MENTION


def test_days_past_due():
    assert days_past_due(date(2025, 3, 1), None) == 0
    assert days_past_due(date(2025, 3, 1), date(2025, 3, 1)) == 0  # due today is not yet overdue
    assert days_past_due(date(2025, 3, 2), date(2025, 3, 1)) == 1
    assert days_past_due(date(2026, 3, 1), date(2025, 3, 1)) == 365


def test_npl():
    assert [is_npl(k) for k in (NORMAL, SPECIAL_MENTION, SUBSTANDARD, DOUBTFUL, LOSS)] == [
        False, False, True, True, True]
