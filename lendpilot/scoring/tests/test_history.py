"""The lender's own history (C4): raw characteristics with outcomes are kept, and a risk officer
re-trains on them with `train_scorecard --history`; bad history files are named and store nothing."""

import json
from datetime import date
from io import StringIO

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from lendpilot.scoring import services, synthetic
from lendpilot.scoring.models import CreditHistory, PrescreenLog, ScorecardVersion


def import_history(world, n=1500, seed=5):
    columns, bad = synthetic.applicants(n, seed=seed)
    months = [date(2024, 1 + i % 12, 1) for i in range(n)]
    return services.credit_history_import(actor=world.user("risk_l1"), columns=columns, bad=bad, months=months,
                                          source="test book")


def test_history_keeps_raw_characteristics(world):
    assert import_history(world, n=200) == 200
    row = CreditHistory.objects.order_by("id").first()
    columns, bad = synthetic.applicants(200, seed=5)
    assert row.age == columns["age"][0] and row.industry == columns["industry"][0]
    assert float(row.monthly_income) == pytest.approx(columns["monthly_income"][0])
    assert row.bad == bool(bad[0])
    frame = services.history_frame()
    assert len(frame) == 200 and frame["bad"].sum() == bad.sum()
    assert {"age", "monthly_income", "debt_to_income", "industry"} <= set(frame.columns)
    assert "credit_history_months" not in frame.columns  # never recorded, left out


@pytest.mark.parametrize("change, field", [
    ({"monthly_income": None}, "monthly_income"),
    ({"debt_to_income": -np.ones(10)}, "debt_to_income"),
    ({"industry": np.array(["ZZ"] * 10)}, "industry"),
    ({"age": np.arange(9)}, "age"),
    ({"shoe_size": np.ones(10)}, "shoe_size"),
])
def test_bad_history_is_named_and_stores_nothing(world, change, field):
    columns, bad = synthetic.applicants(10, seed=1)
    columns = {k: v for k, v in {**columns, **change}.items() if v is not None}
    with pytest.raises(ValidationError) as exc:
        services.credit_history_import(actor=world.user("risk_l1"), columns=columns, bad=bad,
                                       months=[date(2024, 1, 1)] * 10)
    assert field in exc.value.message_dict
    assert not CreditHistory.objects.exists()


def test_train_scorecard_history_command(world, active_version):
    import_history(world)
    # Matured pre-screened cases count too: their logged raw inputs join the history.
    columns, bad = synthetic.applicants(300, seed=9)
    services.prescreen_history_import(actor=world.user("risk_l1"), version=active_version, month=date(2025, 1, 1),
                                      columns=columns, outcomes=bad, source="old system")
    logged = PrescreenLog.objects.order_by("id").first()
    assert logged.inputs["age"] == columns["age"][0] and logged.inputs["industry"] == columns["industry"][0]
    out = StringIO()
    call_command("train_scorecard", "--history", "--no-cv", "--user", "risk_l1", stdout=out)
    report = json.loads(out.getvalue())
    assert report["rows"] == 1800 and report["status"] == "pending"
    version = ScorecardVersion.objects.get(pk=report["version"])
    assert version.source.startswith("history") and version.trained_by == world.user("risk_l1")
    assert report["holdout_auc"] > 0.6
    services.scorecard_activate(actor=world.user("risk_l2"), version=version)


def test_train_scorecard_history_without_history(world):
    with pytest.raises(CommandError, match="no history"):
        call_command("train_scorecard", "--history", "--no-cv", "--user", "risk_l1", stdout=StringIO())
    with pytest.raises(ValidationError):
        services.train_scorecard_from_history(actor=world.user("risk_l1"), family="credit", with_cv=False)
    assert not ScorecardVersion.objects.exists()
