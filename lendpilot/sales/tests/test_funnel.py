"""The transitions table and the funnel figures computed from transition histories."""

from datetime import datetime, timedelta

import pytest
from django.utils import translation

from lendpilot.sales.funnel import OPEN_NODES, LossReason, Move, Node, funnel, move_problem

T0 = datetime(2026, 1, 1, 9, 0)  # noqa: DTZ001 - the funnel arithmetic is zone-free


@pytest.mark.parametrize(("src", "dst"), [
    (Node.SCREENING, Node.FIRST_CONTACT), (Node.FIRST_CONTACT, Node.PROPOSAL),
    (Node.PROPOSAL, Node.QUALIFICATION), (Node.QUALIFICATION, Node.SIGNING), (Node.SIGNING, Node.WON),
    (Node.QUALIFICATION, Node.PROPOSAL),
])
def test_legal_moves(src, dst):
    assert move_problem(src, dst) is None


@pytest.mark.parametrize(("src", "dst"), [
    (Node.SCREENING, Node.PROPOSAL), (Node.SCREENING, Node.WON), (Node.FIRST_CONTACT, Node.SIGNING),
    (Node.PROPOSAL, Node.WON), (Node.WON, Node.LOST), (Node.LOST, Node.SCREENING), (Node.PROPOSAL, Node.PROPOSAL),
    (Node.PROPOSAL, "nowhere"),
])
def test_illegal_moves_say_why(src, dst):
    with translation.override("en"):
        assert move_problem(src, dst)


def test_lost_needs_a_reason():
    assert move_problem(Node.PROPOSAL, Node.LOST)
    assert move_problem(Node.PROPOSAL, Node.LOST, loss_reason=LossReason.RATE) is None


def test_funnel_figures():
    moves = []
    # opp 1 goes all the way in 10 days; opp 2 is lost at the proposal; opp 3 is still at first contact.
    path = ["", *OPEN_NODES, Node.WON]
    for k in range(1, len(path)):
        moves.append(Move(1, path[k - 1], path[k], T0 + timedelta(days=2 * (k - 1))))
    moves += [Move(2, "", Node.SCREENING, T0), Move(2, Node.SCREENING, Node.FIRST_CONTACT, T0 + timedelta(days=1)),
              Move(2, Node.FIRST_CONTACT, Node.PROPOSAL, T0 + timedelta(days=3)),
              Move(2, Node.PROPOSAL, Node.LOST, T0 + timedelta(days=4))]
    moves += [Move(3, "", Node.SCREENING, T0), Move(3, Node.SCREENING, Node.FIRST_CONTACT, T0 + timedelta(days=1))]
    figures = funnel(moves)
    by = {f.node: f for f in figures.nodes}
    assert by[Node.SCREENING].reached == 3 and by[Node.SCREENING].advanced == 3
    assert by[Node.FIRST_CONTACT].reached == 3 and by[Node.FIRST_CONTACT].advanced == 2
    assert by[Node.PROPOSAL].reached == 2 and by[Node.PROPOSAL].lost == 1
    assert by[Node.SIGNING].conversion == 1.0
    assert figures.won == 1 and figures.lost == 1
    assert figures.median_cycle_days == 10
    assert Node.PROPOSAL in figures.weak_nodes
