"""The five conversion nodes (FEATURES D4) and the funnel figures (B10 data). Pure: no ORM.

    线索筛选 screening -> 初次触达 first contact -> 方案沟通 proposal -> 资质审核 qualification review
    -> 签约放款 signing and disbursement -> won;   any open node -> lost (with a reason code)

An opportunity moves forward one node at a time; it may step back one node (a proposal reworked after
the qualification review asked for changes) but never skip. Won is reached only from signing; lost
from any open node. Closed opportunities do not move. Guards that need data (a submitted loan
application before the qualification review, a disbursed loan before won) live in the services.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Node(models.TextChoices):
    SCREENING = "screening", _("Lead screening")
    FIRST_CONTACT = "first_contact", _("First contact")
    PROPOSAL = "proposal", _("Proposal")
    QUALIFICATION = "qualification", _("Qualification review")
    SIGNING = "signing", _("Signing and disbursement")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class LossReason(models.TextChoices):
    RATE = "rate", _("Rate too high")
    PAPERWORK = "paperwork", _("Too much paperwork")
    SLOW = "slow", _("Approval too slow")
    COMPETITOR = "competitor", _("Went to a competitor")
    NO_NEED = "no_need", _("No longer needs the loan")
    DECLINED = "declined", _("Declined by risk")
    WITHDRAWN = "withdrawn", _("Application withdrawn")
    UNREACHABLE = "unreachable", _("Could not be reached")
    INELIGIBLE = "ineligible", _("Not eligible")


OPEN_NODES: tuple[str, ...] = (Node.SCREENING, Node.FIRST_CONTACT, Node.PROPOSAL, Node.QUALIFICATION, Node.SIGNING)
CLOSED_NODES: tuple[str, ...] = (Node.WON, Node.LOST)
ORDER = {node: n for n, node in enumerate(OPEN_NODES)}

TRANSITIONS: dict[str, frozenset[str]] = {
    Node.SCREENING: frozenset({Node.FIRST_CONTACT, Node.LOST}),
    Node.FIRST_CONTACT: frozenset({Node.PROPOSAL, Node.SCREENING, Node.LOST}),
    Node.PROPOSAL: frozenset({Node.QUALIFICATION, Node.FIRST_CONTACT, Node.LOST}),
    Node.QUALIFICATION: frozenset({Node.SIGNING, Node.PROPOSAL, Node.LOST}),
    Node.SIGNING: frozenset({Node.WON, Node.QUALIFICATION, Node.LOST}),
    Node.WON: frozenset(),
    Node.LOST: frozenset(),
}


def move_problem(from_node: str, to_node: str, *, loss_reason: str = "") -> str | None:
    """Why the move is not allowed, or None when the transitions table allows it."""
    if to_node not in Node.values:
        return gettext("unknown node %(node)s") % {"node": to_node}
    if from_node in CLOSED_NODES:
        return gettext("the opportunity is closed")
    if to_node == from_node:
        return gettext("the opportunity is already at that node")
    if to_node not in TRANSITIONS[from_node]:
        return gettext("cannot move from %(src)s to %(dst)s: nodes are passed one at a time") % {
            "src": Node(from_node).label, "dst": Node(to_node).label}
    if to_node == Node.LOST and loss_reason not in LossReason.values:
        return gettext("a lost opportunity needs a loss reason")
    return None


@dataclass(frozen=True)
class Move:
    opportunity: int
    from_node: str  # "" for the creation row
    to_node: str
    at: datetime


@dataclass
class NodeFigures:
    node: str
    reached: int
    advanced: int
    lost: int
    median_days: float | None

    @property
    def conversion(self) -> float | None:
        return self.advanced / self.reached if self.reached else None

    @property
    def drop_off(self) -> float | None:
        return 1 - self.advanced / self.reached if self.reached else None


@dataclass
class FunnelFigures:
    nodes: list[NodeFigures]
    won: int
    lost: int
    median_cycle_days: float | None
    weak_nodes: list[str]  # nodes that lose more than the threshold (B10: open an improvement initiative)


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def funnel(moves: Iterable[Move], *, drop_threshold: float = 0.15) -> FunnelFigures:
    """Per node: how many opportunities reached it, went on to the next node (ever), were lost there;
    median days spent per visit; median days from creation to won; nodes losing > `drop_threshold`."""
    by_opp: dict[int, list[Move]] = defaultdict(list)
    for move in moves:
        by_opp[move.opportunity].append(move)
    reached: dict[str, int] = defaultdict(int)
    advanced: dict[str, int] = defaultdict(int)
    lost: dict[str, int] = defaultdict(int)
    durations: dict[str, list[float]] = defaultdict(list)
    cycles: list[float] = []
    won = lost_total = 0
    for history in by_opp.values():
        history.sort(key=lambda m: m.at)
        furthest = -1
        for prev, nxt in zip(history, history[1:], strict=False):
            if prev.to_node in ORDER:
                durations[prev.to_node].append((nxt.at - prev.at).total_seconds() / 86400)
        for move in history:
            if move.to_node in ORDER:
                furthest = max(furthest, ORDER[move.to_node])
            if move.to_node == Node.LOST and move.from_node in ORDER:
                lost[move.from_node] += 1
                lost_total += 1
            if move.to_node == Node.WON:
                won += 1
                furthest = len(OPEN_NODES)
                cycles.append((move.at - history[0].at).total_seconds() / 86400)
        for node, n in ORDER.items():
            if n <= furthest:
                reached[node] += 1
            if n < furthest:
                advanced[node] += 1
    figures = [NodeFigures(node, reached[node], advanced[node], lost[node], _median(durations[node]))
               for node in OPEN_NODES]
    weak = [f.node for f in figures if f.reached and f.drop_off is not None
            and lost[f.node] / f.reached > drop_threshold]
    return FunnelFigures(figures, won, lost_total, _median(cycles), weak)
