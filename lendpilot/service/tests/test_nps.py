from decimal import Decimal

import pytest

from lendpilot.service.nps import category, count, nps


def test_scores_zero_to_ten_once_each_give_minus_45_45():
    assert nps(range(11)) == Decimal("-45.45")


def test_promoters_are_nine_and_ten_detractors_zero_to_six():
    assert [category(s) for s in (10, 9, 8, 7, 6, 0)] == [
        "promoter", "promoter", "passive", "passive", "detractor", "detractor"]
    counts = count([10, 9, 8, 3])
    assert (counts.promoters, counts.passives, counts.detractors, counts.score) == (2, 1, 1, Decimal("25.00"))


def test_no_answers_have_no_nps_and_bad_scores_are_refused():
    assert nps([]) is None
    with pytest.raises(ValueError):
        category(11)
