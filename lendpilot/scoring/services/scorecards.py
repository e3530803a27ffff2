"""Scorecard versions (C4): training one (outside the transaction: it takes seconds) into a version awaiting
approval, and the second risk officer's decision on it (maker-checker: activate or reject).

Training logs one line on `lendpilot.scoring.training` with its fields in `extra` (job, family, rows,
characteristics, holdout AUC, duration in seconds).
"""

from __future__ import annotations

import logging
import time
from typing import Any

import pandas as pd
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event, snapshot
from lendpilot.core.errors import Conflict
from lendpilot.core.reference import ProductCategory
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm
from lendpilot.scoring import training
from lendpilot.scoring.models import ScorecardVersion
from lendpilot.scoring.services.acting import Acting, acting_user

logger = logging.getLogger("lendpilot.scoring.training")

VERSION_FIELDS = ["id", "family", "number", "name", "status", "source", "source_sha256", "trained_by_id",
                  "activated_by_id", "activated_at", "retired_at"]


def train_scorecard_version(*, actor: Acting, family: str, frame: pd.DataFrame,
                            target: str, bad_value: str | None = None, features: list[str] | None = None,
                            config: training.TrainingConfig | None = None, source: str = "",
                            source_sha256: str = "", name: str = "", with_cv: bool = True) -> ScorecardVersion:
    """Train on `frame` (a DataFrame with the target column) and store a version awaiting approval.
    A file that cannot train (no target, one class, ...) raises ValidationError; nothing is stored."""
    acting = actor_of(actor)
    require(acting, Perm.TRAIN_SCORECARD)
    _check_family(family)
    started = time.perf_counter()
    try:
        result = training.train(frame, target=target, bad_value=bad_value, features=features, config=config,
                                with_cv=with_cv)
    except training.TrainingError as exc:
        logger.warning("scorecard training for %s refused: %s", family, exc,
                       extra={"job": "scorecard_training", "family": family, "rows": len(frame), "status": "refused",
                              "duration": round(time.perf_counter() - started, 3)})
        raise ValidationError({"training_data": str(exc)}) from exc
    version = scorecard_version_store(actor=actor, family=family, result=result, source=source,
                                      source_sha256=source_sha256, name=name)
    headline = _headline(version.metrics)
    logger.info("scorecard %s v%s trained on %s rows", family, version.number, len(frame),
                extra={"job": "scorecard_training", "family": family, "version": version.number, "rows": len(frame),
                       "characteristics": len(version.table.get("characteristics") or []),
                       "holdout_auc": headline["holdout_auc"], "status": "trained",
                       "duration": round(time.perf_counter() - started, 3)})
    return version


def _check_family(family: str) -> None:
    if family not in ProductCategory.values:
        raise ValidationError({"family": _("unknown product family %(family)r; one of %(choices)s")
                               % {"family": family, "choices": ", ".join(ProductCategory.values)}})


@transaction.atomic
def scorecard_version_store(*, actor: Acting, family: str,
                            result: training.TrainingResult, source: str = "", source_sha256: str = "",
                            name: str = "") -> ScorecardVersion:
    """Store a trained result as the family's next version, awaiting approval (also used to give
    another product family the same trained scorecard as a version of its own)."""
    acting = actor_of(actor)
    require(acting, Perm.TRAIN_SCORECARD)
    _check_family(family)
    # Serialise numbering within the family; the unique constraint is the final guard.
    list(ScorecardVersion.objects.select_for_update().filter(family=family).values_list("id", flat=True))
    number = (ScorecardVersion.objects.filter(family=family).aggregate(n=Max("number"))["n"] or 0) + 1
    try:
        with transaction.atomic():
            version = ScorecardVersion.objects.create(
                family=family, number=number, name=name or f"{family} v{number}", source=source[:200],
                source_sha256=source_sha256, config=result.config, table=result.table,
                training_summary=result.summary, metrics=result.metrics, trained_by=acting_user(acting),
            )
    except IntegrityError as exc:
        raise Conflict(_("another version of this family was stored at the same time; train again"),
                       field="family") from exc
    record_event(actor=acting.user, event_code="scoring.scorecard_trained", obj=version,
                 after={**snapshot(version, VERSION_FIELDS), "metrics": _headline(version.metrics)})
    return version


def _headline(metrics: dict[str, Any]) -> dict[str, Any]:
    cv = (metrics.get("cv") or {}).get("mean", {})
    hold = metrics.get("holdout") or {}
    return {"cv_auc": cv.get("auc"), "cv_ks": cv.get("ks"), "holdout_auc": hold.get("auc"),
            "holdout_ks": hold.get("ks")}


def _same_person(a: object, b: object) -> bool:
    return getattr(a, "pk", None) == getattr(b, "pk", None)


@transaction.atomic
def scorecard_activate(*, actor: Acting, version: ScorecardVersion) -> ScorecardVersion:
    """Approve and activate a pending version; the family's previous active version is retired. The
    officer who trained the version cannot activate it (maker-checker)."""
    acting = actor_of(actor)
    require(acting, Perm.ACTIVATE_SCORECARD)
    family_rows = ScorecardVersion.objects.select_for_update().filter(family=version.family).order_by("id")
    rows = {v.pk: v for v in family_rows.defer("table")}
    locked = rows.get(version.pk)
    if locked is None:
        raise Conflict(_("the version no longer exists"))
    version = locked
    if version.status != ScorecardVersion.Status.PENDING:
        raise Conflict(_("version %(number)s is %(status)s, not awaiting approval")
                       % {"number": version.number, "status": version.get_status_display()}, field="status")
    if _same_person(version.trained_by, acting.user):
        raise PermissionDenied(_("a scorecard must be activated by a second risk officer, not the one who trained it"))
    now = timezone.now()
    retired = []
    for other in rows.values():
        if other.status == ScorecardVersion.Status.ACTIVE:
            other.status = ScorecardVersion.Status.RETIRED
            other.retired_at = now
            other.save(update_fields=["status", "retired_at"])
            retired.append(other.number)
    before = snapshot(version, VERSION_FIELDS)
    version.status = ScorecardVersion.Status.ACTIVE
    version.activated_by = acting_user(acting)
    version.activated_at = now
    version.save(update_fields=["status", "activated_by", "activated_at"])
    record_event(actor=acting.user, event_code="scoring.scorecard_activated", obj=version, before=before,
                 after={**snapshot(version, VERSION_FIELDS), "retired_versions": retired})
    return version


@transaction.atomic
def scorecard_reject(*, actor: Acting, version: ScorecardVersion,
                     reason: str) -> ScorecardVersion:
    acting = actor_of(actor)
    require(acting, Perm.ACTIVATE_SCORECARD)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("say why the version is rejected")})
    version = ScorecardVersion.objects.select_for_update().defer("table").get(pk=version.pk)
    if version.status != ScorecardVersion.Status.PENDING:
        raise Conflict(_("version %(number)s is %(status)s, not awaiting approval")
                       % {"number": version.number, "status": version.get_status_display()}, field="status")
    before = snapshot(version, VERSION_FIELDS)
    version.status = ScorecardVersion.Status.REJECTED
    version.save(update_fields=["status"])
    record_event(actor=acting.user, event_code="scoring.scorecard_rejected", obj=version, before=before,
                 after={**snapshot(version, VERSION_FIELDS), "reason": reason.strip()})
    return version
