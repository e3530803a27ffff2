"""Scoring services: maker-checker activation, one active version per family, failed training stores
nothing, policy versions, blacklists all-or-nothing, monitoring idempotent."""

import logging
from datetime import date

import numpy as np
import pandas as pd
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lendpilot.compliance.models import AuditEvent
from lendpilot.core.errors import Conflict
from lendpilot.scoring import services, synthetic
from lendpilot.scoring.models import BlacklistEntry, MonitoringSnapshot, PolicyVersion, PrescreenLog, ScorecardVersion
from lendpilot.scoring.scorecard import Scorecard
from lendpilot.scoring.tests.conftest import store_version


def test_train_service_stores_a_pending_version(world):
    frame = synthetic.training_frame(800, seed=3)
    version = services.train_scorecard_version(actor=world.user("risk_l1"), family="credit", frame=frame,
                                               target="bad", with_cv=False, source="test")
    assert version.status == ScorecardVersion.Status.PENDING and version.number == 1
    assert version.trained_by == world.user("risk_l1")
    assert version.table["characteristics"] and "holdout" in version.metrics
    assert AuditEvent.objects.filter(event_code="scoring.scorecard_trained", object_id=str(version.pk)).exists()


def test_training_logs_its_job_with_rows_and_duration(world, caplog):
    frame = synthetic.training_frame(800, seed=3)
    with caplog.at_level(logging.INFO, logger="lendpilot.scoring.training"):
        version = services.train_scorecard_version(actor=world.user("risk_l1"), family="credit", frame=frame,
                                                   target="bad", with_cv=False, source="test")
    (line,) = [r for r in caplog.records if r.name == "lendpilot.scoring.training"]
    assert (line.job, line.family, line.version, line.rows, line.status) == (
        "scorecard_training", "credit", version.number, 800, "trained")
    assert line.duration >= 0 and line.holdout_auc == version.metrics["holdout"]["auc"]


@pytest.mark.parametrize("frame, message", [
    (pd.DataFrame({"x": range(100)}), "no target column"),
    (pd.DataFrame({"x": range(100), "bad": [0] * 100}), "only one class"),
    (pd.DataFrame({"x": range(100), "bad": ["y", "n"] * 50}), "which value"),
])
def test_bad_training_files_store_nothing(world, frame, message):
    with pytest.raises(ValidationError) as exc:
        services.train_scorecard_version(actor=world.user("risk_l1"), family="credit", frame=frame, target="bad")
    assert message in " ".join(exc.value.message_dict["training_data"])
    assert not ScorecardVersion.objects.exists()


def test_only_risk_trains(world):
    with pytest.raises(PermissionDenied):
        services.train_scorecard_version(actor=world.user("am_wang"), family="credit",
                                         frame=synthetic.training_frame(200), target="bad")
    assert not ScorecardVersion.objects.exists()


def test_maker_checker_activation(world, synthetic_result):
    first = store_version(synthetic_result, trained_by=world.user("risk_l1"))
    with pytest.raises(PermissionDenied):
        services.scorecard_activate(actor=world.user("risk_l1"), version=first)
    with pytest.raises(PermissionDenied):
        services.scorecard_activate(actor=world.user("director"), version=first)
    first.refresh_from_db()
    assert first.status == ScorecardVersion.Status.PENDING and first.activated_by is None
    services.scorecard_activate(actor=world.user("risk_l2"), version=first)
    first.refresh_from_db()
    assert first.status == "active" and first.activated_by == world.user("risk_l2")

    second = store_version(synthetic_result, trained_by=world.user("risk_l2"))
    services.scorecard_activate(actor=world.user("risk_l3"), version=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("retired", "active")
    assert first.retired_at is not None
    # Another family keeps its own active version; a decided version cannot be activated again.
    other = store_version(synthetic_result, family="mortgage", trained_by=world.user("risk_l1"))
    services.scorecard_activate(actor=world.user("risk_l2"), version=other)
    assert ScorecardVersion.objects.filter(status="active").count() == 2
    with pytest.raises(Conflict):
        services.scorecard_activate(actor=world.user("risk_l1"), version=first)
    assert AuditEvent.objects.filter(event_code="scoring.scorecard_activated").count() == 3


def test_reject(world, synthetic_result):
    version = store_version(synthetic_result, trained_by=world.user("risk_l1"))
    with pytest.raises(ValidationError):
        services.scorecard_reject(actor=world.user("risk_l2"), version=version, reason=" ")
    services.scorecard_reject(actor=world.user("risk_l2"), version=version, reason="holdout too small")
    version.refresh_from_db()
    assert version.status == "rejected"


def test_policy_versions(world):
    v1 = services.policy_version_publish(actor=world.user("risk_l1"), rules={"max_dti": 0.5}, note="start")
    v2 = services.policy_version_publish(actor=world.user("director"), rules={"excluded_industries": ["K"]})
    v1.refresh_from_db()
    assert (v1.number, v1.status, v2.number, v2.status) == (1, "retired", 2, "active")
    assert v2.rules["excluded_industries"] == ["K"] and v2.rules["max_dti"] == 0.6
    with pytest.raises(ValidationError) as exc:
        services.policy_version_publish(actor=world.user("risk_l1"), rules={"max_dti": "lots"})
    assert "rules.max_dti" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.policy_version_publish(actor=world.user("am_wang"), rules={})
    assert PolicyVersion.objects.count() == 2


def test_blacklist_import_is_all_or_nothing(world):
    from lendpilot.customers.synthetic import make_credit_code, make_id_number, make_mobile

    rng = world.rng
    good = [{"kind": "id_number", "value": make_id_number(rng), "reason": "fraud"},
            {"kind": "phone", "value": make_mobile(rng)},
            {"kind": "credit_code", "value": make_credit_code(rng)}]
    with pytest.raises(ValidationError) as exc:
        services.blacklist_import(actor=world.user("risk_l1"), list_name="行业共享名单",
                                  rows=[*good, {"kind": "phone", "value": "12345"}, {"kind": "email", "value": "x"}])
    assert set(exc.value.message_dict) == {"row 4", "row 5"}
    assert not BlacklistEntry.objects.exists()
    batch = services.blacklist_import(actor=world.user("risk_l1"), list_name="行业共享名单", rows=good)
    assert batch.entries.count() == 3
    again = services.blacklist_import(actor=world.user("risk_l1"), list_name="行业共享名单", rows=good)
    assert again.entries.count() == 0 and BlacklistEntry.objects.count() == 3
    # Only hashes and masked forms are kept.
    entry = BlacklistEntry.objects.get(kind="id_number")
    assert good[0]["value"] not in (entry.value_hash, entry.masked) and "*" in entry.masked


def test_monitoring_run_is_idempotent_and_flags_drift(world, active_version):
    card = Scorecard(active_version.table)
    stable, y_stable = synthetic.applicants(1500, seed=21)
    drifted, _ = synthetic.applicants(1500, seed=22, drift=1.5)
    for month, columns, outcomes in ((date(2025, 1, 1), stable, y_stable), (date(2025, 2, 1), drifted, None)):
        bins = card.bin_columns(columns)
        scores = card.points_of_bins(bins)
        matrix = np.column_stack([bins[n] for n in card.names])
        PrescreenLog.objects.bulk_create([
            PrescreenLog(month=month, scorecard_version=active_version, score=float(s), pd=card.pd_of(float(s)),
                         grade="C", decision="pass", bins=row.tolist(),
                         outcome_bad=None if outcomes is None else bool(outcomes[i]))
            for i, (s, row) in enumerate(zip(scores, matrix, strict=True))
        ])
    jan = services.monitoring_run(actor=world.user("risk_l1"), version=active_version, month=date(2025, 1, 15))
    assert jan.population == 1500 and jan.matured == 1500
    assert jan.psi < 0.1 and jan.alerts == []
    assert 0.6 < jan.auc < 0.9 and 0 < jan.ks < 1
    again = services.monitoring_run(actor=world.user("risk_l1"), version=active_version, month=date(2025, 1, 1))
    assert again.pk == jan.pk and MonitoringSnapshot.objects.count() == 1
    feb = services.monitoring_run(actor=world.user("risk_l1"), version=active_version, month=date(2025, 2, 1))
    assert feb.psi > 0.25 and any("PSI" in a for a in feb.alerts)
    assert feb.csi["bureau_inquiries_6m"] > feb.csi["industry"]
