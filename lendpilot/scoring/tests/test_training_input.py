"""Training input as back offices export it: empty and free-text columns, GBK files, a 0/1 target whose 1
means good. Each is a clear message or a clean fit, never a traceback or a silently inverted card."""

import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from lendpilot.scoring import synthetic, training
from lendpilot.scoring.scorecard import Scorecard

ROWS = 2000


@pytest.fixture(scope="module")
def frame():
    return synthetic.training_frame(ROWS, seed=5)


def test_an_all_empty_column_and_a_free_text_column_are_left_out_with_the_reason(frame):
    data = frame.copy()
    data["spouse_income"] = np.nan
    data["customer_ref"] = [f"C{n:06d}" for n in range(ROWS)]  # 2,000 distinct texts: an identifier
    result = training.train(data, target="bad", with_cv=False)
    dropped = result.summary["characteristics_dropped"]
    assert set(dropped) == {"spouse_income", "customer_ref"}
    assert "empty" in dropped["spouse_income"] and "2000 distinct" in dropped["customer_ref"]
    assert "customer_ref" not in result.summary["characteristics_selected"]


def test_an_unusable_column_named_explicitly_is_an_error_naming_it(frame):
    data = frame.copy()
    data["spouse_income"] = np.nan
    with pytest.raises(training.TrainingError, match="spouse_income"):
        training.train(data, target="bad", features=["age", "spouse_income"], with_cv=False)
    with pytest.raises(training.TrainingError, match="no usable characteristic"):
        training.train(data[["spouse_income", "bad"]], target="bad", with_cv=False)


def test_gbk_and_gb18030_files_are_read(tmp_path, frame):
    data = frame.head(400).copy()
    data["industry"] = data["industry"].map(lambda code: f"行业{code}")
    gbk = tmp_path / "history_gbk.csv"
    gbk.write_bytes(data.to_csv(index=False).encode("gbk"))
    loaded = training.load_csv(gbk)
    assert loaded["industry"].iloc[0].startswith("行业") and len(loaded) == 400
    assert training.load_csv(gbk, encoding="gbk")["industry"].iloc[0] == loaded["industry"].iloc[0]
    with pytest.raises(training.TrainingError, match="encoding"):
        training.load_csv(gbk, encoding="utf-8")
    with pytest.raises(training.TrainingError, match="unknown encoding"):
        training.load_csv(gbk, encoding="no-such-codec")


def test_a_target_whose_1_means_good_is_refused_until_the_bad_value_is_named(frame):
    data = frame.copy()
    data["good"] = 1 - data.pop("bad")  # 1 = good: most rows are 1
    with pytest.raises(training.TrainingError, match="bad-value"):
        training.train(data, target="good", with_cv=False)
    result = training.train(data, target="good", bad_value="0", with_cv=False)
    card = Scorecard(result.table)
    scores = card.score_frame({name: data[name].to_numpy() for name in card.names})
    bad = (data["good"] == 0).to_numpy()
    # Not inverted: the bad applicants score lower than the good ones.
    assert scores[bad].mean() < scores[~bad].mean()
    assert result.summary["bad_rate"] == pytest.approx(bad.mean(), abs=1e-6) and bad.mean() < 0.5


@pytest.mark.django_db
def test_command_reads_a_gbk_file_and_prints_the_holdout_gini(tmp_path, frame):
    data = frame.copy()
    data["industry"] = data["industry"].map(lambda code: f"行业{code}")
    data["备注"] = [f"第{n}号客户" for n in range(ROWS)]
    path = tmp_path / "history.csv"
    path.write_bytes(data.to_csv(index=False).encode("gbk"))
    out = StringIO()
    call_command("train_scorecard", "--csv", str(path), "--no-cv", stdout=out)
    report = json.loads(out.getvalue())
    assert isinstance(report["holdout_gini"], float) and -1 <= report["holdout_gini"] <= 1
    assert list(report["dropped"]) == ["备注"]
    inverted = tmp_path / "good.csv"
    flipped = frame.copy()
    flipped["bad"] = 1 - flipped["bad"]
    inverted.write_text(flipped.to_csv(index=False))
    with pytest.raises(CommandError, match="bad-value"):
        call_command("train_scorecard", "--csv", str(inverted), "--no-cv", stdout=StringIO())
