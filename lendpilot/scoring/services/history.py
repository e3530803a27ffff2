"""The lender's own history (C4): credit history with outcomes to train scorecards on, earlier scored
applicants as pre-screen history of a version, and training a version on all of it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event
from lendpilot.core.reference import Industry
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm
from lendpilot.scoring import selectors, training
from lendpilot.scoring.models import CreditHistory, PrescreenLog, ScorecardVersion
from lendpilot.scoring.scorecard import ScoringInputError
from lendpilot.scoring.services.acting import Acting
from lendpilot.scoring.services.scorecards import train_scorecard_version

HISTORY_FEATURES = ("age", "monthly_income", "debt_to_income", "employment_years", "bureau_inquiries_6m",
                    "bureau_overdue_24m", "credit_history_months", "industry")
_HISTORY_REQUIRED = ("monthly_income", "debt_to_income")
_WHOLE_NUMBERS = {"age", "bureau_inquiries_6m", "bureau_overdue_24m", "credit_history_months"}


def _history_column(name: str, values: Any, n: int, errors: dict[str, str]) -> list[Any] | None:
    """One characteristic's values as a list, or None with the reason under its name in `errors`."""
    values = np.asarray(values)
    if len(values) != n:
        errors[name] = _("one value per row")
        return None
    if name == "industry":
        codes = values.astype(str)
        if not np.isin(codes, Industry.values + [""]).all():
            errors[name] = _("unknown industry code")
        return list(codes.tolist())
    try:
        numbers = values.astype(float)
    except (TypeError, ValueError):
        errors[name] = _("not a number")
        return None
    if not np.isfinite(numbers).all() or (numbers < 0).any():
        errors[name] = _("values must be finite and not negative")
        return None
    return list(values.tolist())


def _history_data(columns: dict[str, Any], bad: np.ndarray, months: list[date]) -> dict[str, list[Any]]:
    """The checked columns; every problem (unknown or missing column, lengths, values) in one ValidationError."""
    errors: dict[str, str] = {}
    unknown = set(columns) - set(HISTORY_FEATURES)
    for name in sorted(unknown):
        errors[name] = _("unknown characteristic")
    for name in _HISTORY_REQUIRED:
        if name not in columns:
            errors[name] = _("required column")
    n = len(bad)
    if n == 0:
        errors["bad"] = _("the history has no rows")
    elif not np.isin(bad, [0, 1, True, False]).all():
        errors["bad"] = _("outcomes must be 0 (good) or 1 (bad)")
    if len(months) != n:
        errors["months"] = _("one application month per row")
    data: dict[str, list[Any]] = {}
    for name, values in columns.items():
        if name not in unknown:
            column = _history_column(name, values, n, errors)
            if column is not None:
                data[name] = column
    if errors:
        raise ValidationError(errors)
    return data


@transaction.atomic
def credit_history_import(*, actor: Acting, columns: dict[str, Any], bad: Sequence[Any],
                          months: Sequence[date], source: str = "", outcome_months: int = 12) -> int:
    """Load booked applicants of the lender's own history (C4) with their raw characteristics and
    whether they defaulted within `outcome_months`: the data a risk officer trains scorecards on.
    `columns` maps characteristic names (HISTORY_FEATURES) to equal-length sequences; `bad` (0/1) and
    `months` (application month of each row) have the same length. All-or-nothing: a missing column,
    a length mismatch, a negative or non-numeric value or an unknown industry names the column."""
    acting = actor_of(actor)
    require(acting, Perm.TRAIN_SCORECARD)
    outcomes = np.asarray(bad)
    month_list = list(months)
    data = _history_data(columns, outcomes, month_list)
    n = len(outcomes)
    fields = list(data)
    rows = []
    for i in range(n):
        values = {name: data[name][i] for name in fields}
        for name in _WHOLE_NUMBERS & values.keys():
            values[name] = int(values[name])
        values["monthly_income"] = Decimal(str(values["monthly_income"])).quantize(Decimal("0.01"))
        rows.append(CreditHistory(month=month_list[i].replace(day=1), bad=bool(outcomes[i]), source=source[:100],
                                  outcome_months=outcome_months, **values))
    CreditHistory.objects.bulk_create(rows, batch_size=2000)
    record_event(actor=acting.user, event_code="scoring.credit_history_imported", object_type="scoring.credithistory",
                 object_id=source[:100] or "history",
                 after={"rows": n, "bad": int(outcomes.sum()), "source": source, "outcome_months": outcome_months,
                        "characteristics": fields})
    return n


def history_frame() -> pd.DataFrame:
    """The lender's history as a training frame with a `bad` target: the imported credit history plus
    every matured pre-screened case (its logged raw inputs). Characteristics nobody recorded are left out."""
    rows = list(CreditHistory.objects.order_by("id").values_list(*HISTORY_FEATURES, "bad")
                .iterator(chunk_size=5000))
    frame = pd.DataFrame(rows, columns=[*HISTORY_FEATURES, "bad"])
    matured = list(PrescreenLog.objects.filter(outcome_bad__isnull=False).exclude(inputs={}).order_by("id")
                   .values_list("inputs", "outcome_bad").iterator(chunk_size=5000))
    logged = pd.DataFrame([{k: v for k, v in inputs.items() if k in HISTORY_FEATURES}
                           for inputs, _bad in matured], columns=list(HISTORY_FEATURES))
    logged = logged[logged["monthly_income"].notna()] if len(logged) else logged
    if len(logged):
        logged["bad"] = [int(bool(b)) for (inputs, b) in matured if inputs.get("monthly_income") is not None]
        frame = pd.concat([frame, logged], ignore_index=True) if len(frame) else logged
    if frame.empty:
        return frame
    frame["monthly_income"] = frame["monthly_income"].astype(float)
    frame["industry"] = frame["industry"].replace("", None).astype(object)
    frame = frame.dropna(axis="columns", how="all")
    frame["bad"] = frame["bad"].astype(int)
    return frame


def train_scorecard_from_history(*, actor: Acting, family: str,
                                 config: training.TrainingConfig | None = None, name: str = "",
                                 with_cv: bool = True) -> ScorecardVersion:
    """Train a version (awaiting a second officer's approval) on the lender's own history: the imported
    credit history and the matured pre-screened cases. No history -> ValidationError, nothing stored."""
    frame = history_frame()
    if frame.empty:
        raise ValidationError({"training_data": _("the bank has no history with outcomes to train on yet")})
    return train_scorecard_version(actor=actor, family=family, frame=frame, target="bad", config=config,
                                   source=f"history: {len(frame)} applicants with outcomes", name=name,
                                   with_cv=with_cv)


@transaction.atomic
def prescreen_history_import(*, actor: Acting, version: ScorecardVersion, month: date,
                             columns: dict[str, Any], outcomes: Sequence[Any] | None = None, source: str = "") -> int:
    """Load earlier scored applicants of one month (e.g. from the system the bank used before) as
    pre-screen history of `version`, with their matured outcomes when known, so that monitoring has a
    population. All-or-nothing: a value outside the scorecard names its column and row."""
    acting = actor_of(actor)
    require(acting, Perm.TRAIN_SCORECARD)
    card = selectors.compiled_version(version)
    try:
        bins = card.bin_columns(columns)
    except ScoringInputError as exc:
        raise ValidationError(exc.errors) from exc
    scores = card.points_of_bins(bins)
    pds = card.pd_of_scores(scores)
    grades = card.grades_of_scores(scores)
    matrix = np.column_stack([bins[name] for name in card.names])
    month = month.replace(day=1)
    # The raw characteristics are kept beside the bins, so a later scorecard can be trained on them.
    raw = {name: np.asarray(values).tolist() for name, values in columns.items() if name in HISTORY_FEATURES}
    extra = {"source": source} if source else {}
    rows = [
        PrescreenLog(month=month, scorecard_version=version, score=round(float(scores[i]), 4),
                     pd=round(float(pds[i]), 6), grade=str(grades[i]), decision=PrescreenLog.Decision.PASS,
                     bins=matrix[i].tolist(), inputs={**{name: raw[name][i] for name in raw}, **extra},
                     outcome_bad=None if outcomes is None else bool(outcomes[i]))
        for i in range(len(scores))
    ]
    PrescreenLog.objects.bulk_create(rows, batch_size=2000)
    record_event(actor=acting.user, event_code="scoring.history_imported", object_type="scoring.prescreenlog",
                 object_id=f"{version.pk}:{month:%Y-%m}",
                 after={"version": version.pk, "month": month, "rows": len(rows), "source": source,
                        "with_outcomes": outcomes is not None})
    return len(rows)
