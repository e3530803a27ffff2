"""Scorecard monitoring: PSI, CSI, KS and AUC of one version for one month (idempotent)."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
from django.db import transaction

from lendpilot.compliance.audit import record_event
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm
from lendpilot.scoring import monitoring, selectors
from lendpilot.scoring.models import MonitoringSnapshot, PrescreenLog, ScorecardVersion
from lendpilot.scoring.services.acting import Acting


def _finite(value: float | None) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(float(value), 6)


@transaction.atomic
def monitoring_run(*, actor: Acting, version: ScorecardVersion, month: date) -> MonitoringSnapshot:
    """PSI of the month's scored population against the training baseline, CSI per characteristic, and
    AUC/KS on that month's matured cases. Running it again for the same month replaces the figures."""
    acting = actor_of(actor)
    require(acting, Perm.TRAIN_SCORECARD)
    month = month.replace(day=1)
    version = ScorecardVersion.objects.get(pk=version.pk)
    card = selectors.compiled_version(version)
    rows = list(PrescreenLog.objects.filter(scorecard_version=version, month=month)
                .values_list("score", "pd", "bins", "outcome_bad"))
    psi_value, csi, auc, ks, matured = None, {}, None, None, 0
    if rows:
        scores = np.array([r[0] for r in rows], dtype=float)
        bin_matrix = np.array([r[2] for r in rows], dtype=np.int64)
        bins = {name: bin_matrix[:, i] for i, name in enumerate(card.names)}
        figures = monitoring.stability(version.table["baseline"], card, bins, scores)
        psi_value = round(figures["psi"], 6)
        csi = {k: round(v, 6) for k, v in figures["csi"].items()}
        done = [(r[1], r[3]) for r in rows if r[3] is not None]
        matured = len(done)
        if matured:
            y = np.array([bool(o) for _pd, o in done])
            pds = np.array([p for p, _o in done])
            auc = _finite(monitoring.auc_score(y, pds))
            ks = _finite(monitoring.ks_statistic(y, pds))
    alert_list = monitoring.alerts(psi_value=psi_value, auc=auc, reference_auc=version.reference_auc)
    alert_list += [f"CSI {name} {value:.3f} above {monitoring.PSI_ALERT}"
                   for name, value in csi.items() if value > monitoring.PSI_ALERT]
    snap, _created = MonitoringSnapshot.objects.update_or_create(
        scorecard_version=version, month=month,
        defaults={"population": len(rows), "psi": psi_value, "csi": csi, "matured": matured, "auc": auc, "ks": ks,
                  "alerts": alert_list},
    )
    record_event(actor=acting.user, event_code="scoring.monitoring_run", obj=snap,
                 after={"version": version.pk, "month": month, "population": len(rows), "psi": psi_value,
                        "auc": auc, "ks": ks, "alerts": alert_list})
    return snap
