from decimal import Decimal

from lendpilot.talent.matching import Requirement, match_score, skill_gaps


def test_weights_and_levels_score_three_quarters_where_a_count_says_half():
    role = [Requirement("a", 3, 3), Requirement("b", 1, 1)]
    assert match_score(role, {"a": 4}) == Decimal("0.75")


def test_a_level_below_the_requirement_earns_its_fraction():
    assert match_score([Requirement("a", 2, 4)], {"a": 2}) == Decimal("0.5")


def test_an_empty_profile_scores_zero_and_gaps_list_the_heaviest_first():
    assert match_score([], {"a": 5}) == 0
    role = [Requirement("a", 1, 3), Requirement("b", 3, 2)]
    assert skill_gaps(role, {"a": 1}) == [("b", 2, 0), ("a", 3, 1)]
