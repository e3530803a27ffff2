"""Writes of scoring (FEATURES C4, D6, E1). Each service is keyword-only, takes the acting user, runs in
one transaction and records its audit event.

- `train_scorecard_version`: fit and validate a scorecard (outside the transaction: it takes seconds),
  then store it as a version awaiting approval.
- `scorecard_activate` / `scorecard_reject`: the second risk officer's decision (maker-checker).
- `policy_version_publish`: a new version of the hard rules.
- `blacklist_add` / `blacklist_import`: internal entries and industry-shared lists (all-or-nothing).
- `prescreen_run`: score, rules, approvable amount and reasons for one applicant, logged.
- `monitoring_run`: PSI, CSI, KS and AUC of one version for one month (idempotent).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event, snapshot
from lendpilot.compliance.crypto import keyed_hash, mask
from lendpilot.compliance.models import AuditEvent
from lendpilot.core.errors import Conflict
from lendpilot.core.reference import Industry, ProductCategory
from lendpilot.customers.identifiers import (
    IdentifierError,
    normalise_credit_code,
    normalise_id_number,
    normalise_mobile,
)
from lendpilot.customers.models import Customer
from lendpilot.customers.selectors import customer_get
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm
from lendpilot.products.selectors import product_get
from lendpilot.scoring import monitoring, policy, selectors, training
from lendpilot.scoring.models import (
    BlacklistEntry,
    BlacklistImport,
    CreditHistory,
    MonitoringSnapshot,
    PolicyVersion,
    PrescreenLog,
    ScorecardVersion,
)
from lendpilot.scoring.scorecard import ScoringInputError

VERSION_FIELDS = ["id", "family", "number", "name", "status", "source", "source_sha256", "trained_by_id",
                  "activated_by_id", "activated_at", "retired_at"]


# -- scorecards ----------------------------------------------------------------------------------


def train_scorecard_version(*, actor, family: str, frame, target: str, bad_value: str | None = None,
                            features: list[str] | None = None, config: training.TrainingConfig | None = None,
                            source: str = "", source_sha256: str = "", name: str = "",
                            with_cv: bool = True) -> ScorecardVersion:
    """Train on `frame` (a DataFrame with the target column) and store a version awaiting approval.
    A file that cannot train (no target, one class, ...) raises ValidationError; nothing is stored."""
    acting = actor_of(actor)
    require(acting, Perm.TRAIN_SCORECARD)
    _check_family(family)
    try:
        result = training.train(frame, target=target, bad_value=bad_value, features=features, config=config,
                                with_cv=with_cv)
    except training.TrainingError as exc:
        raise ValidationError({"training_data": str(exc)}) from exc
    return scorecard_version_store(actor=actor, family=family, result=result, source=source,
                                   source_sha256=source_sha256, name=name)


def _check_family(family: str) -> None:
    if family not in ProductCategory.values:
        raise ValidationError({"family": _("unknown product family %(family)r; one of %(choices)s")
                               % {"family": family, "choices": ", ".join(ProductCategory.values)}})


@transaction.atomic
def scorecard_version_store(*, actor, family: str, result: training.TrainingResult, source: str = "",
                            source_sha256: str = "", name: str = "") -> ScorecardVersion:
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
                training_summary=result.summary, metrics=result.metrics, trained_by=acting.user,
            )
    except IntegrityError as exc:
        raise Conflict(_("another version of this family was stored at the same time; train again"),
                       field="family") from exc
    record_event(actor=acting.user, event_code="scoring.scorecard_trained", obj=version,
                 after={**snapshot(version, VERSION_FIELDS), "metrics": _headline(version.metrics)})
    return version


def _headline(metrics: dict) -> dict:
    cv = (metrics.get("cv") or {}).get("mean", {})
    hold = metrics.get("holdout") or {}
    return {"cv_auc": cv.get("auc"), "cv_ks": cv.get("ks"), "holdout_auc": hold.get("auc"),
            "holdout_ks": hold.get("ks")}


def _same_person(a, b) -> bool:
    return getattr(a, "pk", None) == getattr(b, "pk", None)


@transaction.atomic
def scorecard_activate(*, actor, version: ScorecardVersion) -> ScorecardVersion:
    """Approve and activate a pending version; the family's previous active version is retired. The
    officer who trained the version cannot activate it (maker-checker)."""
    acting = actor_of(actor)
    require(acting, Perm.ACTIVATE_SCORECARD)
    family_rows = ScorecardVersion.objects.select_for_update().filter(family=version.family).order_by("id")
    rows = {v.pk: v for v in family_rows.defer("table")}
    version = rows.get(version.pk)
    if version is None:
        raise Conflict(_("the version no longer exists"))
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
    version.activated_by = acting.user
    version.activated_at = now
    version.save(update_fields=["status", "activated_by", "activated_at"])
    record_event(actor=acting.user, event_code="scoring.scorecard_activated", obj=version, before=before,
                 after={**snapshot(version, VERSION_FIELDS), "retired_versions": retired})
    return version


@transaction.atomic
def scorecard_reject(*, actor, version: ScorecardVersion, reason: str) -> ScorecardVersion:
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


HISTORY_FEATURES = ("age", "monthly_income", "debt_to_income", "employment_years", "bureau_inquiries_6m",
                    "bureau_overdue_24m", "credit_history_months", "industry")
_HISTORY_REQUIRED = ("monthly_income", "debt_to_income")


@transaction.atomic
def credit_history_import(*, actor, columns: dict[str, Any], bad, months, source: str = "",
                          outcome_months: int = 12) -> int:
    """Load booked applicants of the lender's own history (C4) with their raw characteristics and
    whether they defaulted within `outcome_months`: the data a risk officer trains scorecards on.
    `columns` maps characteristic names (HISTORY_FEATURES) to equal-length sequences; `bad` (0/1) and
    `months` (application month of each row) have the same length. All-or-nothing: a missing column,
    a length mismatch, a negative or non-numeric value or an unknown industry names the column."""
    acting = actor_of(actor)
    require(acting, Perm.TRAIN_SCORECARD)
    errors: dict[str, str] = {}
    unknown = set(columns) - set(HISTORY_FEATURES)
    for name in sorted(unknown):
        errors[name] = _("unknown characteristic")
    for name in _HISTORY_REQUIRED:
        if name not in columns:
            errors[name] = _("required column")
    bad = np.asarray(bad)
    n = len(bad)
    if n == 0:
        errors["bad"] = _("the history has no rows")
    elif not np.isin(bad, [0, 1, True, False]).all():
        errors["bad"] = _("outcomes must be 0 (good) or 1 (bad)")
    months = list(months)
    if len(months) != n:
        errors["months"] = _("one application month per row")
    data: dict[str, list] = {}
    for name, values in columns.items():
        if name in unknown:
            continue
        values = np.asarray(values)
        if len(values) != n:
            errors[name] = _("one value per row")
            continue
        if name == "industry":
            codes = values.astype(str)
            if not np.isin(codes, Industry.values + [""]).all():
                errors[name] = _("unknown industry code")
            data[name] = codes.tolist()
            continue
        try:
            numbers = values.astype(float)
        except (TypeError, ValueError):
            errors[name] = _("not a number")
            continue
        if not np.isfinite(numbers).all() or (numbers < 0).any():
            errors[name] = _("values must be finite and not negative")
            continue
        data[name] = values.tolist()
    if errors:
        raise ValidationError(errors)
    whole = {"age", "bureau_inquiries_6m", "bureau_overdue_24m", "credit_history_months"}
    fields = list(data)
    rows = []
    for i in range(n):
        values = {name: data[name][i] for name in fields}
        for name in whole & values.keys():
            values[name] = int(values[name])
        values["monthly_income"] = Decimal(str(values["monthly_income"])).quantize(Decimal("0.01"))
        rows.append(CreditHistory(month=months[i].replace(day=1), bad=bool(bad[i]), source=source[:100],
                                  outcome_months=outcome_months, **values))
    CreditHistory.objects.bulk_create(rows, batch_size=2000)
    record_event(actor=acting.user, event_code="scoring.credit_history_imported", object_type="scoring.credithistory",
                 object_id=source[:100] or "history",
                 after={"rows": n, "bad": int(bad.sum()), "source": source, "outcome_months": outcome_months,
                        "characteristics": fields})
    return n


def history_frame():
    """The lender's history as a training frame with a `bad` target: the imported credit history plus
    every matured pre-screened case (its logged raw inputs). Characteristics nobody recorded are left out."""
    import pandas as pd

    rows = list(CreditHistory.objects.order_by("id").values_list(*HISTORY_FEATURES, "bad")
                .iterator(chunk_size=5000))
    frame = pd.DataFrame(rows, columns=[*HISTORY_FEATURES, "bad"])
    matured = list(PrescreenLog.objects.filter(outcome_bad__isnull=False).exclude(inputs={}).order_by("id")
                   .values_list("inputs", "outcome_bad").iterator(chunk_size=5000))
    logged = pd.DataFrame([{k: v for k, v in inputs.items() if k in HISTORY_FEATURES}
                           for inputs, _bad in matured], columns=list(HISTORY_FEATURES))
    logged = logged[logged["monthly_income"].notna()] if len(logged) else logged
    if len(logged):
        logged["bad"] = [int(b) for (inputs, b) in matured if inputs.get("monthly_income") is not None]
        frame = pd.concat([frame, logged], ignore_index=True) if len(frame) else logged
    if frame.empty:
        return frame
    frame["monthly_income"] = frame["monthly_income"].astype(float)
    frame["industry"] = frame["industry"].replace("", None).astype(object)
    frame = frame.dropna(axis="columns", how="all")
    frame["bad"] = frame["bad"].astype(int)
    return frame


def train_scorecard_from_history(*, actor, family: str, config: training.TrainingConfig | None = None,
                                 name: str = "", with_cv: bool = True) -> ScorecardVersion:
    """Train a version (awaiting a second officer's approval) on the lender's own history: the imported
    credit history and the matured pre-screened cases. No history -> ValidationError, nothing stored."""
    frame = history_frame()
    if frame.empty:
        raise ValidationError({"training_data": _("the bank has no history with outcomes to train on yet")})
    return train_scorecard_version(actor=actor, family=family, frame=frame, target="bad", config=config,
                                   source=f"history: {len(frame)} applicants with outcomes", name=name,
                                   with_cv=with_cv)


# -- policy rules and blacklists -----------------------------------------------------------------


@transaction.atomic
def policy_version_publish(*, actor, rules: dict[str, Any], note: str = "") -> PolicyVersion:
    """Publish a new version of the hard rules (E1); the active one is retired. Malformed rules ->
    ValidationError naming each rule, nothing published."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_POLICY)
    try:
        clean = policy.validate_rules(rules)
    except policy.PolicyError as exc:
        raise ValidationError(exc.errors) from exc
    return _publish(acting, clean, note)


@transaction.atomic
def policy_publish_industry_changes(*, actor, changes: list[dict[str, Any]], source: str = "") -> PolicyVersion:
    """Turn the risk committee's accepted industry proposals (monitoring's industry risk map, C6) into a
    new policy version (E1): each change {"industry": "E", "admission": "tighten"|"keep"|"loosen",
    "premium_bps": 75} excludes / re-admits the industry and sets its risk premium over the product rate,
    which the pre-screen and the application page then price with. Starts from the active version (or
    the defaults). A malformed change -> ValidationError naming `changes.<n>.<field>`, nothing published."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_POLICY)
    current = PolicyVersion.objects.select_for_update().filter(status=PolicyVersion.Status.ACTIVE).first()
    try:
        base = policy.validate_rules(current.rules if current else {})
        clean = policy.validate_rules(policy.apply_industry_changes(base, changes))
    except policy.PolicyError as exc:
        raise ValidationError(exc.errors) from exc
    summary = ", ".join(f"{c['industry']} {c.get('admission', 'keep')} {c.get('premium_bps') or 0}bps"
                        for c in changes)
    note = f"{source}: {summary}" if source else summary
    return _publish(acting, clean, note)


def _publish(acting, clean: dict[str, Any], note: str) -> PolicyVersion:
    current = list(PolicyVersion.objects.select_for_update().filter(status=PolicyVersion.Status.ACTIVE))
    number = (PolicyVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    for old in current:
        old.status = PolicyVersion.Status.RETIRED
        old.save(update_fields=["status"])
    version = PolicyVersion.objects.create(number=number, rules=clean, note=note[:200], published_by=acting.user)
    record_event(actor=acting.user, event_code="scoring.policy_published", obj=version,
                 before={"number": current[0].number, "rules": current[0].rules} if current else None,
                 after={"number": number, "rules": clean, "note": version.note})
    return version


_NORMALISERS = {
    BlacklistEntry.Kind.ID_NUMBER: (normalise_id_number, 3, 4),
    BlacklistEntry.Kind.CREDIT_CODE: (normalise_credit_code, 4, 4),
    BlacklistEntry.Kind.PHONE: (normalise_mobile, 3, 4),
}


def identifier_hash(kind: str, value: str) -> tuple[str, str]:
    """The keyed hash and the masked form of an identifier, normalised as on customers."""
    normalise, keep_start, keep_end = _NORMALISERS[kind]
    clean = normalise(value)
    return keyed_hash(clean), mask(clean, keep_start=keep_start, keep_end=keep_end)


@transaction.atomic
def blacklist_add(*, actor, kind: str, value: str, reason: str) -> BlacklistEntry:
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_POLICY)
    if kind not in BlacklistEntry.Kind.values:
        raise ValidationError({"kind": _("one of %(choices)s") % {"choices": ", ".join(BlacklistEntry.Kind.values)}})
    try:
        value_hash, masked = identifier_hash(kind, value)
    except IdentifierError as exc:
        raise ValidationError({"value": str(exc)}) from exc
    entry, created = BlacklistEntry.objects.get_or_create(
        kind=kind, value_hash=value_hash, source=BlacklistEntry.Source.INTERNAL, list_name="internal",
        defaults={"masked": masked, "reason": reason[:200], "added_by": acting.user},
    )
    if not created and not entry.is_active:
        entry.is_active = True
        entry.save(update_fields=["is_active"])
    record_event(actor=acting.user, event_code="scoring.blacklist_added", obj=entry,
                 after={"kind": kind, "masked": masked, "reason": entry.reason, "list": "internal"})
    return entry


@transaction.atomic
def blacklist_import(*, actor, list_name: str, rows: list[dict[str, str]], file_name: str = "",
                     source: str = BlacklistEntry.Source.INDUSTRY) -> BlacklistImport:
    """Load a list of {kind, value, reason} rows. All-or-nothing: any bad row -> ValidationError naming
    every bad row, nothing stored. Entries already on the same list are skipped."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_POLICY)
    if not (list_name or "").strip():
        raise ValidationError({"list_name": _("name the list (e.g. the industry association's list)")})
    if source not in BlacklistEntry.Source.values:
        choices = ", ".join(BlacklistEntry.Source.values)
        raise ValidationError({"source": _("one of %(choices)s") % {"choices": choices}})
    errors: dict[str, str] = {}
    prepared: dict[tuple[str, str], tuple[str, str]] = {}
    for number, row in enumerate(rows, start=1):
        kind = (row.get("kind") or "").strip()
        if kind not in BlacklistEntry.Kind.values:
            errors[f"row {number}"] = (_("kind must be one of %(choices)s")
                                      % {"choices": ", ".join(BlacklistEntry.Kind.values)})
            continue
        try:
            value_hash, masked = identifier_hash(kind, (row.get("value") or "").strip())
        except IdentifierError as exc:
            errors[f"row {number}"] = str(exc)
            continue
        prepared[(kind, value_hash)] = (masked, (row.get("reason") or "")[:200])
    if not rows:
        errors["rows"] = _("the file has no rows")
    if errors:
        raise ValidationError(errors)
    batch = BlacklistImport.objects.create(source=list_name.strip()[:100], file_name=file_name[:200],
                                           rows=len(prepared), imported_by=acting.user)
    existing = set(BlacklistEntry.objects.filter(source=source, list_name=batch.source,
                                                 value_hash__in=[h for _kind, h in prepared])
                   .values_list("kind", "value_hash"))
    new = [
        BlacklistEntry(kind=kind, value_hash=value_hash, masked=masked, source=source, list_name=batch.source,
                       reason=reason, batch=batch, added_by=acting.user)
        for (kind, value_hash), (masked, reason) in prepared.items() if (kind, value_hash) not in existing
    ]
    BlacklistEntry.objects.bulk_create(new, batch_size=1000)
    record_event(actor=acting.user, event_code="scoring.blacklist_imported", obj=batch,
                 after={"list": batch.source, "file": file_name, "rows": len(rows), "added": len(new),
                        "already_listed": len(prepared) - len(new)})
    return batch


# -- the pre-screen ------------------------------------------------------------------------------


@dataclass
class PrescreenOutcome:
    log: PrescreenLog
    body: dict[str, Any]


def _age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _decimal_or_error(value, field: str, errors: dict, *, allow_none: bool = True) -> Decimal | None:
    if value is None:
        if not allow_none:
            errors[field] = _("required")
        return None
    try:
        number = Decimal(str(value))
        if not number.is_finite():
            raise InvalidOperation
        return number
    except (InvalidOperation, ValueError, TypeError):
        errors[field] = _("not a number")
        return None


def prescreen_run(*, actor, amount, term_months: int, product_id: int | None = None,
                  product_code: str | None = None, customer_id: int | None = None, age: int | None = None,
                  monthly_income=None, monthly_debt_payments=None, employment_years=None,
                  bureau_inquiries_6m: int | None = None, bureau_overdue_24m: int | None = None,
                  credit_history_months: int | None = None, bureau_flags: list[str] | None = None,
                  industry: str | None = None, region: str | None = None, collateral_value=None,
                  id_number: str | None = None, phone: str | None = None, credit_code: str | None = None,
                  today: date | None = None) -> PrescreenOutcome:
    """Score an applicant against the active scorecard of the product's family and the active policy;
    return the decision and log it with both versions (one INSERT, its own transaction)."""
    acting = actor_of(actor)
    require(acting, Perm.PRESCREEN)
    today = today or timezone.localdate()
    if product_id is None and not product_code:
        raise ValidationError({"product_id": _("name the product (product_id or product_code)")})
    product = product_get(acting, product_id=product_id, code=product_code)
    customer = customer_get(acting, customer_id) if customer_id is not None else None

    errors: dict[str, str] = {}
    requested = _decimal_or_error(amount, "amount", errors, allow_none=False)
    if requested is not None and requested <= 0:
        errors["amount"] = _("must be positive")
    if isinstance(term_months, bool) or not isinstance(term_months, int):
        errors["term_months"] = _("a whole number of months")
    elif not product.min_term_months <= term_months <= product.max_term_months:
        errors["term_months"] = (_("the product allows %(low)s to %(high)s months")
                                 % {"low": product.min_term_months, "high": product.max_term_months})
    income = _decimal_or_error(monthly_income, "monthly_income", errors, allow_none=False)
    debt = _decimal_or_error(monthly_debt_payments, "monthly_debt_payments", errors) or Decimal(0)
    if debt < 0:
        errors["monthly_debt_payments"] = _("must not be negative")
    collateral = _decimal_or_error(collateral_value, "collateral_value", errors)
    if collateral is not None and collateral < 0:
        errors["collateral_value"] = _("must not be negative")
    flags = list(bureau_flags or [])
    unknown_flags = [f for f in flags if f not in policy.BUREAU_FLAGS]
    if unknown_flags:
        errors["bureau_flags"] = (_("unknown flag(s) %(flags)s; known: %(known)s")
                                  % {"flags": ", ".join(unknown_flags), "known": ", ".join(policy.BUREAU_FLAGS)})

    hashes: dict[str, str] = {}
    if customer is not None:
        if customer.birth_date is not None:
            age = _age_on(customer.birth_date, today)
        industry = customer.industry
        region = customer.region.code
        hashes["id_number"] = customer.id_number_hash
        hashes["phone"] = customer.phone_hash
        if customer.credit_code:
            hashes["credit_code"] = keyed_hash(customer.credit_code)
    else:
        for kind, value in (("id_number", id_number), ("phone", phone), ("credit_code", credit_code)):
            if value:
                try:
                    hashes[kind] = identifier_hash(kind, value)[0]
                except IdentifierError as exc:
                    errors[kind] = str(exc)
        if age is None and id_number and "id_number" not in errors:
            from lendpilot.customers.identifiers import birth_date_from_id

            age = _age_on(birth_date_from_id(normalise_id_number(id_number)), today)
    if industry is not None and industry not in Industry.values:
        errors["industry"] = _("unknown industry %(code)r") % {"code": industry}
    if errors:
        raise ValidationError(errors)

    active = selectors.active_scorecard_ref(product.category)
    if active is None:
        raise Conflict(_("no active scorecard for the %(family)s family") % {"family": product.get_category_display()},
                       field="product")
    version_id, version_number, trained_at = active
    card = selectors.compiled(version_id, trained_at)
    dti = float(debt / income) if income > 0 else 0.0 if debt == 0 else 99.0
    features = {
        "age": age, "monthly_income": float(income), "debt_to_income": dti,
        "employment_years": None if employment_years is None else float(employment_years),
        "bureau_inquiries_6m": bureau_inquiries_6m, "bureau_overdue_24m": bureau_overdue_24m,
        "credit_history_months": credit_history_months, "industry": industry,
    }
    try:
        result = card.score(features)
    except ScoringInputError as exc:
        raise ValidationError(exc.errors) from exc

    policy_row = selectors.active_policy()
    rules = policy_row.rules if policy_row is not None else policy.validate_rules({})
    blacklisted = selectors.blacklist_hits(hashes)
    declines = policy.evaluate(
        rules, age=age if customer is None or customer.kind == Customer.Kind.PERSON else None, dti=dti,
        industry=industry, region=region, bureau_overdue_24m=bureau_overdue_24m,
        bureau_inquiries_6m=bureau_inquiries_6m, bureau_flags=flags, blacklisted=blacklisted,
    )
    if product.collateral == product.Collateral.REQUIRED and not collateral:
        declines.append(policy.Decline("collateral", "该产品需提供抵押物", "The product requires collateral"))
    if not product.is_active:
        declines.append(policy.Decline("product", "产品已停售", "The product is not on sale"))
    # Priced at the product's base rate plus the industry's risk premium (capped at the product maximum).
    rate, premium_bps = policy.priced_rate(rules, base_rate=product.min_annual_rate, industry=industry,
                                           ceiling=product.max_annual_rate)
    approvable, caps = policy.approvable_amount(
        rules, grade=result.grade, product_max=product.max_amount, product_min=product.min_amount,
        annual_rate=rate, term_months=term_months, monthly_income=income, monthly_debt=debt,
        collateral_value=collateral, max_ltv=product.max_ltv, region=region,
    )
    if declines:
        approvable = Decimal("0.00")
    probability = policy.approval_probability(rules, pd=result.pd, declined=bool(declines), requested=requested,
                                              approvable=approvable)
    decision = PrescreenLog.Decision.DECLINE if declines or approvable <= 0 else PrescreenLog.Decision.PASS
    reasons = [r.to_json() for r in result.reasons]
    decline_json = [d.to_json() for d in declines]
    own_transaction = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and own_transaction:
            # An inquiry log row need not wait for the WAL flush (~20 ms on a VM disk): a crash can lose
            # at most the last fraction of a second of pre-screen log rows, never money or a decision of
            # record. PostgreSQL still keeps the database consistent. Inside a caller's transaction (a
            # loan application being created) the caller's durability applies.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        log = PrescreenLog.objects.create(
            month=today.replace(day=1), actor=acting.user, customer=customer, product=product, amount=requested,
            term_months=term_months, scorecard_version_id=version_id, policy_version=policy_row,
            score=round(result.score, 4), pd=round(result.pd, 6), grade=result.grade, decision=decision,
            declines=decline_json, reasons=reasons, approvable_amount=approvable, approval_probability=probability,
            bins=result.bins, inputs={k: v for k, v in features.items() if v is not None},
        )
    # No per-call audit chain event: the chain is one locked sequence, and a pre-screen is an inquiry
    # that runs many times a second. The log row itself records who, when, inputs, versions and
    # result; `prescreen_log_seal` puts each day's log into the audit chain as one digest.
    body = {
        "prescreen_id": log.pk,
        "scorecard_version": {"id": version_id, "family": product.category, "number": version_number},
        "policy_version": policy_row.number if policy_row else None,
        "score": int(round(result.score)),
        "pd": round(result.pd, 4),
        "grade": result.grade,
        "decision": decision,
        "declines": decline_json,
        "requested_amount": str(requested.quantize(Decimal("0.01"))),
        "approvable_amount": str(approvable),
        "amount_caps": caps,
        "priced_rate": str(rate),
        "industry_premium_bps": premium_bps,
        "approval_probability": probability,
        "reasons": reasons,
    }
    return PrescreenOutcome(log=log, body=body)


LOG_FIELDS = ("id", "created_at", "actor_id", "customer_id", "product_id", "amount", "term_months",
              "scorecard_version_id", "policy_version_id", "score", "pd", "grade", "decision", "declines",
              "approvable_amount", "approval_probability", "reasons", "inputs")


def prescreen_log_digest(day: date) -> tuple[int, str, int | None, int | None]:
    """(rows, SHA-256, first id, last id) of the pre-screens logged on `day` (business time zone), in id
    order: recomputing it later shows whether any row of that day was changed, added or removed."""
    import hashlib
    import json

    from lendpilot.compliance.audit import normalise

    digest = hashlib.sha256()
    count, first, last = 0, None, None
    rows = (PrescreenLog.objects.filter(created_at__date=day).order_by("id").values_list(*LOG_FIELDS)
            .iterator(chunk_size=5000))
    for row in rows:
        digest.update(json.dumps(normalise(dict(zip(LOG_FIELDS, row, strict=True))), sort_keys=True,
                                 separators=(",", ":"), ensure_ascii=False).encode())
        digest.update(b"\n")
        count += 1
        first = row[0] if first is None else first
        last = row[0]
    return count, digest.hexdigest(), first, last


@transaction.atomic
def prescreen_log_seal(*, actor, day: date):
    """Put one day's pre-screen log into the audit chain as a single event (rows, id range, digest)."""
    acting = actor_of(actor)
    require(acting, Perm.TRAIN_SCORECARD)
    count, digest, first, last = prescreen_log_digest(day)
    # Idempotent: sealing a day again with an unchanged log adds nothing to the chain.
    sealed = AuditEvent.objects.filter(event_code="scoring.prescreen_log_sealed", object_id=day.isoformat())
    for event in sealed.order_by("-seq")[:1]:
        if (event.after or {}).get("sha256") == digest:
            return event
    return record_event(actor=acting.user, event_code="scoring.prescreen_log_sealed",
                        object_type="scoring.prescreenlog", object_id=day.isoformat(),
                        after={"day": day, "rows": count, "first_id": first, "last_id": last, "sha256": digest})


@transaction.atomic
def prescreen_outcome_record(*, actor, log: PrescreenLog, bad: bool) -> PrescreenLog:
    """Mark a pre-screened case as matured good or bad (fed by lending once the loan has seasoned)."""
    acting = actor_of(actor)
    require(acting, Perm.TRAIN_SCORECARD)
    log = PrescreenLog.objects.select_for_update().get(pk=log.pk)
    before = {"outcome_bad": log.outcome_bad}
    log.outcome_bad = bool(bad)
    log.save(update_fields=["outcome_bad"])
    record_event(actor=acting.user, event_code="scoring.outcome_recorded", obj=log, before=before,
                 after={"outcome_bad": log.outcome_bad})
    return log


@transaction.atomic
def prescreen_history_import(*, actor, version: ScorecardVersion, month: date, columns: dict[str, Any],
                             outcomes=None, source: str = "") -> int:
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


# -- monitoring ----------------------------------------------------------------------------------


def _finite(value: float) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(float(value), 6)


@transaction.atomic
def monitoring_run(*, actor, version: ScorecardVersion, month: date) -> MonitoringSnapshot:
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
