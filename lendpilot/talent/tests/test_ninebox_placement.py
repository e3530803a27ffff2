from decimal import Decimal

import pytest

from lendpilot.talent import ninebox


def test_placement_from_appraisal_score_and_potential():
    assert ninebox.performance_band(Decimal("59.9")) == ninebox.LOW
    assert ninebox.performance_band(Decimal("60")) == ninebox.MEDIUM
    assert ninebox.performance_band(Decimal("85")) == ninebox.HIGH
    assert ninebox.performance_band(None) is None
    assert ninebox.box(1, 1) == 1
    assert ninebox.box(3, 3) == 9
    assert ninebox.bands_of(6) == (2, 3)
    with pytest.raises(ValueError):
        ninebox.box(0, 2)


def test_low_low_gets_training_or_reassignment_never_an_exit():
    recs = ninebox.recommendations(1, is_manager=True)
    assert recs == [ninebox.TRAINING_PLAN, ninebox.REASSIGN]
    for b in range(1, 10):
        assert not set(ninebox.recommendations(b, is_manager=True)) & ninebox.FORBIDDEN


def test_a_high_potential_manager_is_proposed_for_team_lead():
    assert ninebox.PROMOTE in ninebox.recommendations(ninebox.box(2, 3), is_manager=True)
    assert ninebox.PROMOTE not in ninebox.recommendations(ninebox.box(1, 3), is_manager=True)


def test_calibration_shows_each_teams_spread_beside_everyone():
    spread = ninebox.calibration([("A", 9), ("A", 6), ("B", 1), ("B", 5)])
    assert spread["A"]["high_potential"] == Decimal("1")
    assert spread["B"]["low_low"] == Decimal("0.5")
    assert spread["__all__"]["high_potential"] == Decimal("0.5")
