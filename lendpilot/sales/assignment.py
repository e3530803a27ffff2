"""Skills-based lead assignment (FEATURES B7). Pure: plain Python and numpy, no ORM.

Each (lead, manager) pair gets a score: the estimated probability that this manager converts this
lead, built from the skills matrix and the manager's current workload:

    p = BASE + W_INDUSTRY * industry level / 5 + W_PRODUCT * product familiarity / 5
        + W_CONVERSION * existing-customer conversion rate * (1 for an existing customer, 1/2 otherwise)
        - W_WORKLOAD * min(1, open workload / WORKLOAD_NORM)

clipped to [0.01, 0.95]. The batch is then assigned to maximise the summed score subject to each
manager's remaining capacity, assigning as many leads as the capacities allow. The solve is a
min-cost flow (OR-Tools `SimpleMinCostFlow`): source -> lead type -> manager -> sink. Leads whose
score rows are identical (same industry, product category and existing-customer flag) are
interchangeable, so they are grouped into one supply node: 10,000 leads of a few hundred types to
2,000 managers is a transportation problem of a few hundred thousand arcs, solved exactly.

`reference_objective` solves the same problem with another solver (SciPy's HiGHS linear program;
the transportation polytope is integral) for the benchmark's cross-check, and `round_robin` is the
baseline that ignores skills.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

BASE = 0.05
W_INDUSTRY = 0.08
W_PRODUCT = 0.05
W_CONVERSION = 0.10
W_WORKLOAD = 0.04
WORKLOAD_NORM = 60
SCALE = 1_000_000  # scores become integer costs in millionths


@dataclass(frozen=True)
class LeadFeatures:
    industry: str
    category: str
    existing_customer: bool = False

    @property
    def key(self) -> tuple[str, str, bool]:
        return (self.industry, self.category, self.existing_customer)


@dataclass(frozen=True)
class ManagerFeatures:
    industry_levels: dict[str, int] = field(default_factory=dict)
    product_levels: dict[str, int] = field(default_factory=dict)
    conversion_rate: float = 0.0
    workload: int = 0
    capacity: int = 0


@dataclass(frozen=True)
class Components:
    industry_level: int
    product_level: int
    conversion_rate: float
    workload: int
    score: float

    def reasons(self) -> list[str]:
        """The factors that carried this pair, strongest first (codes the pages translate)."""
        parts = [
            ("industry", W_INDUSTRY * self.industry_level / 5),
            ("product", W_PRODUCT * self.product_level / 5),
            ("conversion", W_CONVERSION * self.conversion_rate),
            ("light_workload", W_WORKLOAD * (1 - min(1.0, self.workload / WORKLOAD_NORM))),
        ]
        parts.sort(key=lambda p: -p[1])
        return [name for name, value in parts if value > 0][:2] or ["capacity"]


@dataclass(frozen=True)
class Assignment:
    lead: int  # index into the leads given
    manager: int  # index into the managers given
    score: float


@dataclass
class Result:
    assignments: list[Assignment]
    unassigned: list[int]
    objective: float

    @property
    def expected_conversions(self) -> float:
        return self.objective


def components(lead: LeadFeatures, manager: ManagerFeatures) -> Components:
    ind = manager.industry_levels.get(lead.industry, 0)
    prod = manager.product_levels.get(lead.category, 0)
    conv = float(manager.conversion_rate)
    return Components(ind, prod, conv, manager.workload, pair_score(ind, prod, conv, manager.workload,
                                                                     lead.existing_customer))


def pair_score(industry_level: int, product_level: int, conversion_rate: float, workload: int,
               existing_customer: bool) -> float:
    p = (BASE + W_INDUSTRY * industry_level / 5 + W_PRODUCT * product_level / 5
         + W_CONVERSION * conversion_rate * (1.0 if existing_customer else 0.5)
         - W_WORKLOAD * min(1.0, workload / WORKLOAD_NORM))
    return min(0.95, max(0.01, p))


def score_matrix(leads: Sequence[LeadFeatures], managers: Sequence[ManagerFeatures]) -> np.ndarray:
    """Scores of every (lead, manager) pair, vectorised over managers: shape (len(leads), len(managers))."""
    industries = sorted({lead.industry for lead in leads})
    categories = sorted({lead.category for lead in leads})
    ind = np.array([[m.industry_levels.get(i, 0) for i in industries] for m in managers], dtype=float).reshape(
        len(managers), len(industries))
    prod = np.array([[m.product_levels.get(c, 0) for c in categories] for m in managers], dtype=float).reshape(
        len(managers), len(categories))
    conv = np.array([float(m.conversion_rate) for m in managers])
    load = np.minimum(1.0, np.array([m.workload for m in managers], dtype=float) / WORKLOAD_NORM)
    i_idx = {v: k for k, v in enumerate(industries)}
    c_idx = {v: k for k, v in enumerate(categories)}
    li = np.array([i_idx[lead.industry] for lead in leads], dtype=int)
    lc = np.array([c_idx[lead.category] for lead in leads], dtype=int)
    ex = np.array([1.0 if lead.existing_customer else 0.5 for lead in leads])
    if not len(leads) or not len(managers):
        return np.zeros((len(leads), len(managers)))
    s = (BASE + W_INDUSTRY * ind[:, li].T / 5 + W_PRODUCT * prod[:, lc].T / 5
         + W_CONVERSION * np.outer(ex, conv) - W_WORKLOAD * load[None, :])
    return np.clip(s, 0.01, 0.95)


def _group(leads: Sequence[LeadFeatures]) -> tuple[list[LeadFeatures], list[list[int]]]:
    types: dict[tuple[str, str, bool], int] = {}
    reps: list[LeadFeatures] = []
    members: list[list[int]] = []
    for n, lead in enumerate(leads):
        k = types.get(lead.key)
        if k is None:
            k = types[lead.key] = len(reps)
            reps.append(lead)
            members.append([])
        members[k].append(n)
    return reps, members


def solve_transport(scores: np.ndarray, supply: Sequence[int], capacity: Sequence[int],
                    allowed: np.ndarray | None = None) -> np.ndarray:
    """Units sent from each supply row to each capacity column, maximising the summed score while
    sending as many units as the capacities allow (OR-Tools min-cost flow). `allowed` masks pairs out."""
    from ortools.graph.python import min_cost_flow

    n_rows, n_cols = scores.shape
    units = np.asarray(supply, dtype=np.int64)
    room = np.maximum(np.asarray(capacity, dtype=np.int64), 0)
    mask = np.ones_like(scores, dtype=bool) if allowed is None else allowed.astype(bool)
    mask &= (units[:, None] > 0) & (room[None, :] > 0)
    rows, cols = np.nonzero(mask)
    source, sink = n_rows + n_cols, n_rows + n_cols + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    # Arcs: source -> row, row -> column, column -> sink.
    tails = np.concatenate([np.full(n_rows, source), rows, n_rows + np.arange(n_cols)])
    heads = np.concatenate([np.arange(n_rows), n_rows + cols, np.full(n_cols, sink)])
    caps = np.concatenate([units, np.minimum(units[rows], room[cols]), room])
    costs = np.concatenate([np.zeros(n_rows, dtype=np.int64),
                            -np.rint(scores[rows, cols] * SCALE).astype(np.int64),
                            np.zeros(n_cols, dtype=np.int64)])
    first_pair_arc = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)[n_rows:n_rows + len(rows)]
    flow.set_node_supply(source, int(units.sum()))
    flow.set_node_supply(sink, -int(room.sum()))
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow did not solve: status {status}")
    sent = np.zeros((n_rows, n_cols), dtype=np.int64)
    sent[rows, cols] = flow.flows(first_pair_arc)
    return sent


def optimal(leads: Sequence[LeadFeatures], managers: Sequence[ManagerFeatures],
            allowed: np.ndarray | None = None) -> Result:
    """The capacity-constrained assignment with the largest summed score. `allowed` (leads x managers,
    bool) forbids pairs, e.g. a manager outside the lead's region; leads with an allowed mask are
    solved one per row (no grouping)."""
    if not leads or not managers:
        return Result([], list(range(len(leads))), 0.0)
    capacity = [m.capacity for m in managers]
    if allowed is None:
        reps, members = _group(leads)
        scores = score_matrix(reps, managers)
        units = solve_transport(scores, [len(m) for m in members], capacity)
    else:
        members = [[n] for n in range(len(leads))]
        scores = score_matrix(leads, managers)
        units = solve_transport(scores, [1] * len(leads), capacity, allowed)
    assignments: list[Assignment] = []
    unassigned: list[int] = []
    for k, idx in enumerate(members):
        queue = list(idx)
        for j in np.nonzero(units[k])[0]:
            for _ in range(int(units[k, j])):
                assignments.append(Assignment(queue.pop(0), int(j), float(scores[k, j])))
        unassigned.extend(queue)
    assignments.sort(key=lambda a: a.lead)
    return Result(assignments, sorted(unassigned), float(sum(a.score for a in assignments)))


def round_robin(leads: Sequence[LeadFeatures], managers: Sequence[ManagerFeatures]) -> Result:
    """The baseline: managers in turn, skipping those with no capacity left; skills are ignored."""
    left = [m.capacity for m in managers]
    assignments: list[Assignment] = []
    unassigned: list[int] = []
    j = 0
    m = len(managers)
    for n, lead in enumerate(leads):
        for step in range(m):
            k = (j + step) % m
            if left[k] > 0:
                left[k] -= 1
                assignments.append(Assignment(n, k, components(lead, managers[k]).score))
                j = k + 1
                break
        else:
            unassigned.append(n)
    return Result(assignments, unassigned, float(sum(a.score for a in assignments)))


def reference_objective(scores: np.ndarray, supply: Sequence[int], capacity: Sequence[int], *,
                        method: str = "highs-ipm") -> float:
    """The same transportation problem solved as a linear program by SciPy's HiGHS: first the most
    units that can be sent, then the largest score at that volume (the polytope is integral)."""
    from scipy.optimize import linprog
    from scipy.sparse import csr_array

    n_rows, n_cols = scores.shape
    n = n_rows * n_cols
    units = np.asarray(supply, float)
    room = np.maximum(np.asarray(capacity, float), 0)
    row_sum = csr_array((np.ones(n), (np.repeat(np.arange(n_rows), n_cols), np.arange(n))), shape=(n_rows, n))
    col_sum = csr_array((np.ones(n), (np.tile(np.arange(n_cols), n_rows), np.arange(n))), shape=(n_cols, n))
    # The side with less room is filled completely: that is the largest volume the problem can carry.
    if units.sum() <= room.sum():
        eq, b_eq, ub, b_ub = row_sum, units, col_sum, room
    else:
        eq, b_eq, ub, b_ub = col_sum, room, row_sum, units
    res = linprog(-np.rint(scores.ravel() * SCALE) / SCALE, A_ub=ub, b_ub=b_ub, A_eq=eq, b_eq=b_eq,
                  bounds=(0, None), method=method)
    if res.status != 0:
        raise RuntimeError(f"reference solve failed: {res.message}")
    return float(-res.fun)


def grouped_problem(leads: Sequence[LeadFeatures],
                    managers: Sequence[ManagerFeatures]) -> tuple[np.ndarray, list[int], list[int]]:
    """(scores, supply, capacity) of the grouped transportation problem, for the reference solve."""
    reps, members = _group(leads)
    return score_matrix(reps, managers), [len(m) for m in members], [m.capacity for m in managers]
