"""Synthetic applicant history for the demo bank, the tests and the benchmarks: the characteristics
the pre-screen collects, with a default flag drawn from a known logistic model. Seeded, so a seed
reproduces the same applicants. `drift` shifts the population (younger, more indebted, more
inquiries) to exercise the stability monitoring."""

from __future__ import annotations

import numpy as np

# Every GB/T 4754 section, so any customer's industry has a bin: (risk shift in log-odds, share).
INDUSTRY_RISK = {"A": 0.35, "B": 0.3, "C": 0.0, "D": -0.3, "E": 0.45, "F": 0.15, "G": 0.05, "H": 0.3, "I": -0.35,
                 "J": -0.25, "K": 0.6, "L": 0.1, "M": -0.3, "N": -0.1, "O": 0.2, "P": -0.3, "Q": -0.3, "R": 0.25,
                 "S": -0.4, "T": 0.0}
INDUSTRY_SHARE = {"A": 4, "B": 2, "C": 20, "D": 2, "E": 8, "F": 16, "G": 5, "H": 6, "I": 7, "J": 3, "K": 6, "L": 4,
                  "M": 3, "N": 2, "O": 4, "P": 2, "Q": 3, "R": 2, "S": 0.6, "T": 0.4}
FEATURES = ["age", "monthly_income", "debt_to_income", "employment_years", "bureau_inquiries_6m",
            "bureau_overdue_24m", "industry"]


def applicants(n: int, *, seed: int = 7, drift: float = 0.0) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """`n` applicants as columns, and their default flags (1 = bad)."""
    rng = np.random.default_rng(seed)
    age = np.clip(rng.normal(38 - 6 * drift, 10, n), 20, 70).round().astype(np.int64)
    income = np.round(np.exp(rng.normal(np.log(12000), 0.55, n)), -1)
    dti = np.clip(rng.beta(2 + 2 * drift, 5, n), 0, 1.5).round(4)
    employment = np.clip(np.minimum(rng.exponential(6, n), age - 18), 0, 45).round(1)
    inquiries = rng.poisson(1.5 + 2 * drift, n).astype(np.int64)
    overdue = rng.poisson(0.3 + 0.3 * drift, n).astype(np.int64)
    codes = np.array(list(INDUSTRY_RISK))
    weights = np.array([INDUSTRY_SHARE[c] for c in codes], dtype=float)
    industry = codes[rng.choice(len(codes), n, p=weights / weights.sum())]
    logit = (-2.6 - 0.7 * np.log(income / 12000) + 3.0 * (dti - 0.3) + 0.22 * inquiries + 0.55 * overdue
             - 0.05 * employment + 0.6 * (age < 25) + 0.35 * (age > 58)
             + np.vectorize(INDUSTRY_RISK.get)(industry))
    bad = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    columns = {"age": age, "monthly_income": income, "debt_to_income": dti, "employment_years": employment,
               "bureau_inquiries_6m": inquiries, "bureau_overdue_24m": overdue, "industry": industry}
    return columns, bad


def training_frame(n: int, *, seed: int = 7):
    """The same applicants as a DataFrame with a `bad` target column, for training."""
    import pandas as pd

    columns, bad = applicants(n, seed=seed)
    frame = pd.DataFrame(columns)
    frame["industry"] = frame["industry"].astype(object)
    frame["bad"] = bad
    return frame
