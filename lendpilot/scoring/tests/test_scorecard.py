"""The compiled points table: reproducible, equal to the fitted model, batch == single, reason codes,
and input that no bin covers is refused."""

import math

import numpy as np
import pytest

from lendpilot.scoring import synthetic, training
from lendpilot.scoring.scorecard import REASON_TEXTS, Scorecard, ScoringInputError

GOOD_APPLICANT = {"age": 40, "monthly_income": 30000, "debt_to_income": 0.05, "employment_years": 12,
                  "bureau_inquiries_6m": 0, "bureau_overdue_24m": 0, "industry": "I"}
RISKY_APPLICANT = {"age": 22, "monthly_income": 4000, "debt_to_income": 0.7, "employment_years": 0.5,
                   "bureau_inquiries_6m": 7, "bureau_overdue_24m": 3, "industry": "K"}


def test_training_is_reproducible(synthetic_result):
    again = training.train(synthetic.training_frame(4000, seed=11), target="bad", with_cv=False)
    assert again.table == synthetic_result.table
    assert again.metrics == synthetic_result.metrics


def test_points_follow_pdo_scaling(synthetic_result):
    table = synthetic_result.table
    scale = table["scaling"]
    assert scale["factor"] == pytest.approx(20 / math.log(2))
    assert scale["offset"] == pytest.approx(600 - 20 / math.log(2) * math.log(50))
    card = Scorecard(table)
    # 600 points are odds 50:1; 20 points more double the odds.
    assert card.pd_of(600) == pytest.approx(1 / 51)
    assert card.pd_of(620) == pytest.approx(1 / 101)


def test_engine_equals_the_fitted_model(german_frame, german_result):
    """Scores from the points table give the logistic regression's own PD (refit on all rows)."""
    frame = german_frame.drop(columns="creditability")
    y = training.target_vector(german_frame, "creditability")
    cats = [c for c in frame.columns if training._is_categorical(frame[c])]
    for c in cats:
        frame[c] = frame[c].astype(object)
    fit = training._fit(frame, y, list(frame.columns), cats, training.TrainingConfig())
    expected = training._predict(fit, frame)
    card = Scorecard(german_result.table)
    scores = card.score_frame({n: frame[n].to_numpy() for n in card.names})
    assert np.allclose(card.pd_of_scores(scores), expected, atol=1e-5)
    # The bins of the engine are optbinning's bins.
    bins = card.bin_columns({n: frame[n].to_numpy() for n in card.names})
    for name in ("duration_in_month", "age_in_years", "credit_amount"):
        optb = fit.binning.get_binned_variable(name)
        assert np.array_equal(bins[name], optb.transform(frame[name].to_numpy(), metric="indices"))


def test_single_equals_batch(german_frame, german_result):
    card = Scorecard(german_result.table)
    frame = german_frame.drop(columns="creditability")
    batch = card.score_frame({n: frame[n].to_numpy(dtype=object) for n in card.names})
    for i in range(0, 1000, 97):
        row = frame.iloc[i].to_dict()
        row = {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
        assert card.score(row).score == pytest.approx(batch[i])


def test_reason_codes_are_the_largest_shortfalls(synthetic_result):
    card = Scorecard(synthetic_result.table)
    best = card.score(GOOD_APPLICANT)
    risky = card.score(RISKY_APPLICANT)
    assert best.score > risky.score and best.grade < risky.grade
    assert len(risky.reasons) == 3
    chars = synthetic_result.table["characteristics"]
    shortfalls = {c["name"]: c["best_points"] - risky.points[c["name"]] for c in chars}
    top = sorted(shortfalls, key=lambda n: -shortfalls[n])[:3]
    assert [r.code for r in risky.reasons] == top
    assert [r.shortfall for r in risky.reasons] == sorted((r.shortfall for r in risky.reasons), reverse=True)
    for reason in risky.reasons:
        assert (reason.text_zh, reason.text_en) == REASON_TEXTS[reason.code]
    assert all(r.shortfall > 0 for r in best.reasons)


def test_values_outside_every_bin_are_refused(synthetic_result):
    card = Scorecard(synthetic_result.table)
    with pytest.raises(ScoringInputError) as exc:
        card.score({**GOOD_APPLICANT, "monthly_income": -100})
    assert "monthly_income" in exc.value.errors and "outside" in exc.value.errors["monthly_income"]
    with pytest.raises(ScoringInputError) as exc:
        card.score({**GOOD_APPLICANT, "industry": "Z", "age": None, "debt_to_income": "high"})
    assert set(exc.value.errors) == {"industry", "age", "debt_to_income"}
    with pytest.raises(ScoringInputError) as exc:
        card.score_frame({**{k: np.array([v, v]) for k, v in GOOD_APPLICANT.items()},
                          "monthly_income": np.array([5000.0, -1.0])})
    assert "row 1" in exc.value.errors["monthly_income"]
