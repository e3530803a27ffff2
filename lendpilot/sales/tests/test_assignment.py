"""The optimal assignment against a brute-force solve of every feasible assignment on small cases, the
round-robin baseline, and the reference solver."""

import itertools
import random

import numpy as np
import pytest

from lendpilot.sales import assignment as A

INDUSTRIES = "CFI"
CATEGORIES = ("credit", "business", "mortgage")


def random_case(rng: random.Random, n_leads: int, n_managers: int):
    leads = [A.LeadFeatures(rng.choice(INDUSTRIES), rng.choice(CATEGORIES), rng.random() < 0.4)
             for _ in range(n_leads)]
    managers = [
        A.ManagerFeatures(
            industry_levels={i: rng.randint(1, 5) for i in rng.sample(INDUSTRIES, rng.randint(0, 3))},
            product_levels={c: rng.randint(1, 5) for c in rng.sample(CATEGORIES, rng.randint(0, 3))},
            conversion_rate=round(rng.random() * 0.6, 4), workload=rng.randint(0, 90), capacity=rng.randint(0, 3))
        for _ in range(n_managers)
    ]
    return leads, managers


def brute_force(leads, managers) -> tuple[int, float]:
    """(most leads assignable, best summed score at that count) over every feasible assignment."""
    scores = A.score_matrix(leads, managers)
    best = (-1, -1.0)
    for choice in itertools.product([None, *range(len(managers))], repeat=len(leads)):
        used = [0] * len(managers)
        for j in choice:
            if j is not None:
                used[j] += 1
        if any(used[j] > m.capacity for j, m in enumerate(managers)):
            continue
        count = sum(j is not None for j in choice)
        total = sum(scores[i, j] for i, j in enumerate(choice) if j is not None)
        best = max(best, (count, round(total, 9)))
    return best


@pytest.mark.parametrize("seed", range(40))
def test_optimal_equals_brute_force(seed):
    rng = random.Random(seed)
    leads, managers = random_case(rng, rng.randint(1, 6), rng.randint(1, 4))
    result = A.optimal(leads, managers)
    count, total = brute_force(leads, managers)
    assert len(result.assignments) == count
    assert result.objective == pytest.approx(total, abs=1e-5)
    used = [0] * len(managers)
    for a in result.assignments:
        used[a.manager] += 1
    assert all(used[j] <= m.capacity for j, m in enumerate(managers))
    assert sorted([a.lead for a in result.assignments] + result.unassigned) == list(range(len(leads)))


@pytest.mark.parametrize("seed", range(10))
def test_allowed_mask_is_respected_and_optimal(seed):
    rng = random.Random(100 + seed)
    leads, managers = random_case(rng, 5, 3)
    allowed = np.array([[rng.random() < 0.7 for _ in managers] for _ in leads])
    result = A.optimal(leads, managers, allowed=allowed)
    assert all(allowed[a.lead, a.manager] for a in result.assignments)
    scores = A.score_matrix(leads, managers)
    best = (-1, -1.0)
    for choice in itertools.product([None, *range(len(managers))], repeat=len(leads)):
        if any(j is not None and not allowed[i, j] for i, j in enumerate(choice)):
            continue
        if any(sum(1 for j in choice if j == k) > m.capacity for k, m in enumerate(managers)):
            continue
        best = max(best, (sum(j is not None for j in choice),
                          round(sum(scores[i, j] for i, j in enumerate(choice) if j is not None), 9)))
    assert (len(result.assignments), pytest.approx(result.objective, abs=1e-5)) == best


def test_optimal_beats_round_robin_and_matches_reference():
    rng = random.Random(5)
    leads, managers = random_case(rng, 300, 60)
    managers = [A.ManagerFeatures(m.industry_levels, m.product_levels, m.conversion_rate, m.workload, 6)
                for m in managers]
    best, baseline = A.optimal(leads, managers), A.round_robin(leads, managers)
    assert len(best.assignments) == len(baseline.assignments) == 300
    assert best.objective >= baseline.objective
    scores, supply, capacity = A.grouped_problem(leads, managers)
    assert A.reference_objective(scores, supply, capacity) == pytest.approx(best.objective, rel=1e-6)


def test_round_robin_skips_full_managers():
    leads = [A.LeadFeatures("C", "credit")] * 4
    managers = [A.ManagerFeatures(capacity=0), A.ManagerFeatures(capacity=1), A.ManagerFeatures(capacity=5)]
    result = A.round_robin(leads, managers)
    assert [a.manager for a in result.assignments] == [1, 2, 2, 2]


def test_reasons_name_the_strongest_factors():
    lead = A.LeadFeatures("C", "credit", True)
    expert = A.ManagerFeatures({"C": 5}, {}, 0.1, 0, 1)
    parts = A.components(lead, expert)
    assert parts.reasons()[0] == "industry"
    assert 0.01 <= parts.score <= 0.95


def test_empty_inputs():
    assert A.optimal([], []).assignments == []
    assert A.optimal([A.LeadFeatures("C", "credit")], []).unassigned == [0]
