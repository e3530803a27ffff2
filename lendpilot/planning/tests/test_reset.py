from decimal import Decimal

import pytest

from lendpilot.planning.decompose import DecompositionError
from lendpilot.planning.reset import ResetRules, propose


def test_on_target_neutral_heat_keeps_quota():
    p = propose(current_units=100, attainment_history=[Decimal(1), Decimal(1), Decimal(1)])
    assert p.proposed_units == 100 and p.delta_units == 0


def test_over_achiever_goes_up_within_cap():
    p = propose(current_units=100, attainment_history=[Decimal("2.0")] * 3, heat=Decimal("1.3"))
    assert p.proposed_units == 120
    assert {r["code"] for r in p.reasons} >= {"attainment", "heat", "capped_up"}


def test_under_achiever_goes_down_within_cap():
    p = propose(current_units=100, attainment_history=[Decimal("0.1")] * 3, heat=Decimal("0.8"))
    assert p.proposed_units == 80 and any(r["code"] == "capped_down" for r in p.reasons)


def test_moderate_change_not_capped():
    p = propose(current_units=100, attainment_history=[Decimal("1.1")] * 3, heat=Decimal("1.05"))
    assert p.proposed_units == 110  # (1 + 0.5 * 0.1) * 1.05 = 1.1025
    assert not any(r["code"].startswith("capped") for r in p.reasons)


def test_custom_caps_and_history_window():
    rules = ResetRules.parse({"cap_up": "0.1", "months": 1})
    p = propose(current_units=100, attainment_history=[Decimal("0.1"), Decimal("1.5")], rules=rules)
    assert p.proposed_units == 110 and p.attainment == Decimal("1.5")


def test_no_history_uses_heat_only():
    p = propose(current_units=50, attainment_history=[None, None], heat=Decimal("1.1"))
    assert p.proposed_units == 55 and p.reasons[0]["code"] == "no_history"


@pytest.mark.parametrize("rules", [{"cap_up": "2"}, {"months": 0}, {"sensitivity": "x"}])
def test_bad_rules(rules):
    with pytest.raises(DecompositionError):
        ResetRules.parse(rules)


def test_bad_heat():
    with pytest.raises(DecompositionError) as exc:
        propose(current_units=10, attainment_history=[], heat=Decimal(0))
    assert exc.value.field == "heat"


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

attainments = st.one_of(st.none(), st.decimals(min_value=0, max_value=20, places=4))


@given(current=st.integers(min_value=0, max_value=10**6), history=st.lists(attainments, max_size=6),
       heat=st.decimals(min_value="0.1", max_value=5, places=3),
       cap_up=st.decimals(min_value=0, max_value=1, places=2), cap_down=st.decimals(min_value=0, max_value=1, places=2))
def test_reset_never_breaks_the_caps(current, history, heat, cap_up, cap_down):
    rules = ResetRules(cap_up=cap_up, cap_down=cap_down, floor_units=0)
    p = propose(current_units=current, attainment_history=history, heat=heat, rules=rules)
    assert current * (1 - cap_down) <= p.proposed_units <= current * (1 + cap_up)
    assert p.reasons
