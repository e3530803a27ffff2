"""Funnel diagnostics (B10, F4): the 15-point rule exactly, periods and baselines, the flows from the sales
tables, scoping, and one improvement action item per flagged node."""

from datetime import date
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from lendpilot.core.models import ActionItem
from lendpilot.insights.diagnostics import (
    Period,
    as_fraction,
    biweek_containing,
    diagnose,
    last_complete_biweek,
)
from lendpilot.insights.review.actions import action_items_from_funnel
from lendpilot.insights.review.selectors import funnel_diagnosis, home_slice, resolve_slice
from lendpilot.insights.tests.review_data import moves

P = Period(date(2026, 11, 2), date(2026, 11, 15))


def meeting(advanced: int, lost: int) -> dict:
    return {("first_contact", "proposal"): advanced, ("first_contact", "lost"): lost}


def judge(current, baseline, threshold="0.15", min_volume=10):
    result = diagnose(period=P, current=current, baselines=[(P.previous(1), baseline)], threshold=threshold,
                      min_volume=min_volume)
    return {n.stage: n for n in result.nodes}["meeting"]


def test_a_loss_more_than_15_points_above_baseline_is_flagged():
    node = judge(meeting(64, 36), meeting(80, 20))  # 36% against 20%: 16 points
    assert node.excess == Fraction(16, 100) and node.flagged


def test_a_loss_exactly_15_points_above_baseline_is_not_flagged():
    node = judge(meeting(65, 35), meeting(80, 20))  # 35% against 20%: exactly 15 points
    assert node.excess == Fraction(15, 100) and not node.flagged


def test_a_loss_less_than_15_points_above_baseline_is_not_flagged():
    node = judge(meeting(66, 34), meeting(80, 20))
    assert node.excess == Fraction(14, 100) and not node.flagged


def test_exactly_at_the_threshold_with_rates_a_float_would_round():
    # 0.3 - 0.15 as floats is 0.15000000000000002 > 0.15; as exact fractions it is exactly 0.15.
    node = judge(meeting(7, 3), meeting(85, 15), min_volume=1)
    assert node.loss == Fraction(3, 10) and node.baseline_loss == Fraction(15, 100)
    assert node.excess == as_fraction(0.15) and not node.flagged


def test_the_threshold_is_configurable():
    assert judge(meeting(66, 34), meeting(80, 20), threshold="0.10").flagged
    assert not judge(meeting(64, 36), meeting(80, 20), threshold=Fraction(1, 5)).flagged


def test_the_baseline_pools_the_previous_periods():
    result = diagnose(period=P, current=meeting(60, 40), threshold="0.15", min_volume=10, baselines=[
        (P.previous(1), meeting(90, 10)), (P.previous(2), meeting(70, 30))])
    node = {n.stage: n for n in result.nodes}["meeting"]
    assert node.baseline_loss == Fraction(40, 200) and node.excess == Fraction(20, 100) and node.flagged


def test_thin_nodes_and_nodes_without_a_baseline_are_not_judged():
    assert not judge(meeting(3, 6), meeting(80, 20)).judged  # 9 decided < 10
    assert not judge(meeting(50, 50), {}).judged


def test_conversion_and_loss_per_node():
    result = diagnose(period=P, baselines=[], threshold="0.15", min_volume=0, current={
        ("", "screening"): 200, ("screening", "first_contact"): 150, ("screening", "lost"): 50,
        ("first_contact", "proposal"): 90, ("first_contact", "lost"): 60, ("proposal", "qualification"): 60,
        ("qualification", "signing"): 45, ("qualification", "lost"): 15, ("signing", "won"): 40,
        ("signing", "qualification"): 2})
    nodes = {n.stage: n for n in result.nodes}
    assert nodes["reach"].conversion == Fraction(3, 4) and nodes["reach"].loss == Fraction(1, 4)
    assert nodes["meeting"].conversion == Fraction(3, 5)
    assert nodes["application"].loss == 0
    assert nodes["approval"].entered == 45 and nodes["approval"].flow.decided == 60
    assert nodes["disbursement"].conversion == 1  # a step back is neither an advance nor a loss
    assert result.overall_conversion == Fraction(3, 4) * Fraction(3, 5) * Fraction(3, 4)


def test_periods_step_back_by_months_or_by_length():
    assert Period(date(2026, 3, 1), date(2026, 3, 31)).previous(1) == Period(date(2026, 2, 1), date(2026, 2, 28))
    assert Period(date(2026, 1, 1), date(2026, 1, 31)).previous(2) == Period(date(2025, 11, 1), date(2025, 11, 30))
    assert P.previous(1) == Period(date(2026, 10, 19), date(2026, 11, 1))
    assert biweek_containing(date(2026, 11, 20)) == Period(date(2026, 11, 16), date(2026, 11, 29))
    assert last_complete_biweek(date(2026, 11, 29)) == P
    with pytest.raises(ValueError):
        Period(date(2026, 2, 2), date(2026, 2, 1))


# --- from the sales tables ----------------------------------------------------------------------------------

def build_meeting_losses(world, owner="am_wang", now=(64, 36), before=(80, 20)):
    on = P.start
    moves(world, owner, on=on, src="first_contact", dst="proposal", count=now[0])
    moves(world, owner, on=on, src="first_contact", dst="lost", count=now[1])
    for k in (1, 2, 3):
        day = P.previous(k).start
        moves(world, owner, on=day, src="first_contact", dst="proposal", count=before[0])
        moves(world, owner, on=day, src="first_contact", dst="lost", count=before[1])


def test_the_flows_come_from_the_node_history(world):
    build_meeting_losses(world, now=(13, 7), before=(16, 4))
    result = funnel_diagnosis(world.user("director"), resolve_slice(world.user("director"), "bank", ""), P)
    node = {n.stage: n for n in result.nodes}["meeting"]
    assert (node.flow.advanced, node.flow.lost) == (13, 7)
    assert (node.baseline.advanced, node.baseline.lost) == (48, 12)
    assert node.loss == Fraction(35, 100) and node.baseline_loss == Fraction(20, 100)
    assert node.judged and not node.flagged  # exactly 15 points
    assert result.created == 20


def test_a_flagged_node_opens_one_action_item_for_the_team_lead(world):
    build_meeting_losses(world, now=(12, 8), before=(16, 4))  # 40% against 20%
    lead = world.user("east_a_lead")
    team = resolve_slice(lead, "team", str(world.teams["east-a"].pk))
    first = action_items_from_funnel(actor=lead, the_slice=team, period=P)
    assert [n.stage for n in first.flagged] == ["meeting"]
    item = ActionItem.objects.get()
    assert item.source_kind == "diagnostic" and item.owner == lead
    assert item.source_ref == f"funnel:team:{world.teams['east-a'].pk}:meeting:2026-11-02:2026-11-15"
    again = action_items_from_funnel(actor=lead, the_slice=team, period=P)
    assert ActionItem.objects.count() == 1
    assert {n.stage: n for n in again.nodes}["meeting"].action_item_id == item.pk
    # The read-only diagnosis shows the link too.
    assert {n.stage: n for n in funnel_diagnosis(lead, team, P).nodes}["meeting"].action_item_id == item.pk


def test_a_team_lead_sees_only_the_teams_funnel(world):
    build_meeting_losses(world, owner="am_wang", now=(10, 0), before=(10, 0))
    build_meeting_losses(world, owner="am_chen", now=(0, 10), before=(0, 10))
    lead = world.user("east_a_lead")
    assert home_slice(lead).dimension == "team"
    bank = funnel_diagnosis(lead, resolve_slice(lead, "bank", ""), P)
    assert {n.stage: n for n in bank.nodes}["meeting"].flow.lost == 0
    # Outside the scope is answered like absent: no answer tells which teams or staff exist.
    with pytest.raises(Http404):
        resolve_slice(lead, "team", str(world.teams["south-a"].pk))
    with pytest.raises(Http404):
        resolve_slice(lead, "team", "999999")
    with pytest.raises(Http404):
        resolve_slice(lead, "region", str(world.regions["east"].pk))
    with pytest.raises(Http404):
        resolve_slice(world.user("east_head"), "manager", str(world.staff["am_chen"].pk))


@pytest.mark.parametrize(("dimension", "key", "field"), [
    ("planet", "1", "dimension"), ("team", "", "key"), ("team", "abc", "key"),
    ("channel", "pigeon", "key"), ("tier", "gold", "key"), (None, "3", "dimension")])
def test_bad_slices_name_the_field(world, dimension, key, field):
    with pytest.raises(ValidationError) as err:
        resolve_slice(world.user("director"), dimension, key)
    assert field in err.value.message_dict


@pytest.mark.parametrize(("kwargs", "field"), [({"baseline_periods": 0}, "baseline_periods"),
                                               ({"threshold": "x"}, "threshold"), ({"threshold": "1.5"}, "threshold"),
                                               ({"min_volume": -1}, "min_volume")])
def test_bad_parameters_name_the_field(world, kwargs, field):
    director = world.user("director")
    with pytest.raises(ValidationError) as err:
        funnel_diagnosis(director, resolve_slice(director, "bank", ""), P, **kwargs)
    assert field in err.value.message_dict


def test_an_account_manager_may_look_but_not_open_items(world):
    wang = world.user("am_wang")
    assert home_slice(wang).dimension == "manager"
    with pytest.raises(PermissionDenied):
        action_items_from_funnel(actor=wang, the_slice=home_slice(wang), period=P)
