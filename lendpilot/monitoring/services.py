"""Every write of monitoring: the end-of-day batch and its stages, the transaction feed, external events
and re-scores, alerts and interventions, credit-line reviews, early-warning rules and industry proposals.

The EOD batch is set-based: bulk UPDATEs and aggregate queries over loans and instalments; Python only
touches the few rows a stage produces (signals, new alerts, proposals). Each stage runs in its own
transaction and is idempotent for a date; the run log (`EodRun`, `EodStage`) makes a killed run resume
at the first unfinished stage.
"""

import contextlib
import logging
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import (
    Avg,
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least, Round
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event
from lendpilot.core.business_calendar import add_business_days, is_business_day, next_business_day
from lendpilot.core.errors import Conflict
from lendpilot.core.locks import exclusive
from lendpilot.core.models import ScheduledRun
from lendpilot.customers.models import Customer
from lendpilot.lending import services as lending
from lendpilot.lending.classification import NPL_CLASSES
from lendpilot.lending.models import CreditLine, Instalment, Loan
from lendpilot.monitoring import history, thresholds
from lendpilot.monitoring import industry as industry_model
from lendpilot.monitoring.models import (
    AccountTransaction,
    Alert,
    CreditLineReview,
    CustomerScore,
    EodRun,
    EodStage,
    ExternalEvent,
    IndustryProposal,
    Intervention,
    LoanMonthBucket,
    Outbox,
    PortfolioAlert,
    PortfolioSnapshot,
    ProsperityIndex,
    RuleSet,
    Signal,
)
from lendpilot.monitoring.rules import DEFAULT_RULES, RulesError, validate_rules
from lendpilot.org.access import actor_of, require
from lendpilot.org.models import Staff
from lendpilot.org.roles import Perm, Role
from lendpilot.scoring.models import BlacklistEntry
from lendpilot.scoring.policy import MAX_PREMIUM_BPS
from lendpilot.scoring.services import policy_publish_industry_changes

logger = logging.getLogger(__name__)

ZERO = Decimal("0.00")
MONEY_FIELD = DecimalField(max_digits=18, decimal_places=2)
PLAN = {
    1: [Intervention.Kind.SMS_REMINDER, Intervention.Kind.MANAGER_CALL],
    2: [Intervention.Kind.VISIT, Intervention.Kind.COLLATERAL_CHECK],
    3: [Intervention.Kind.LINE_FREEZE, Intervention.Kind.COLLECTION],
    4: [Intervention.Kind.LEGAL],
}
# The customer portrait (tags, RFM, tiers) is not a stage: at bank scale it takes minutes, so it is its
# own daily job (`portrait` in settings.LENDPILOT_SCHEDULE) after the EOD.
STAGES = ("delinquency", "penalty", "signals", "escalation", "plans", "line_review", "snapshot", "buckets",
          "thresholds")


# ------------------------------------------------------------------------------------------- rules

def active_ruleset() -> RuleSet:
    rs = RuleSet.objects.filter(is_active=True).first()
    if rs is None:
        try:
            with transaction.atomic():
                rs = RuleSet.objects.create(version=1, thresholds=validate_rules({}), is_active=True,
                                            note="defaults")
        except IntegrityError:
            rs = RuleSet.objects.get(is_active=True)
    return rs


@transaction.atomic
def ruleset_publish(*, actor, thresholds: dict, note: str = "") -> RuleSet:
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_MONITORING_RULES)
    try:
        clean = validate_rules(thresholds)
    except RulesError as exc:
        raise ValidationError(exc.errors) from exc
    current = list(RuleSet.objects.select_for_update().filter(is_active=True))
    number = (RuleSet.objects.aggregate(n=Max("version"))["n"] or 0) + 1
    RuleSet.objects.filter(is_active=True).update(is_active=False)
    rs = RuleSet.objects.create(version=number, thresholds=clean, is_active=True, note=note[:200],
                                created_by=acting.user)
    record_event(actor=acting.user, event_code="monitoring.rules_published", obj=rs,
                 before={"version": current[0].version} if current else None,
                 after={"version": number, "thresholds": clean})
    return rs


# --------------------------------------------------------------------------------------- EOD batch

def _parse_date(value, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ValidationError({field: _("not a date (YYYY-MM-DD)")}) from exc


EOD_LOCK = "monitoring.eod"


def eod_run(*, actor, business_date, rerun: bool = False, stop_after: str | None = None,
            progress: Callable[[str, dict], None] | None = None, trigger: str = EodRun.Trigger.COMMAND,
            task_id: str = "", catch_up: bool = False) -> EodRun:
    """Run the end-of-day batch for `business_date` (C5). A completed date is left alone unless `rerun`
    (which repeats every stage and changes nothing); a failed or killed run resumes at its first
    unfinished stage; a date before the last completed run or in the future is refused.

    One EOD runs at a time, whatever its date (a lock that the database or the operating system lets go
    when the holder dies): a second start answers `Conflict` ("already running") and writes nothing.
    No business date is skipped: while an earlier date is unfinished (a killed or failed run, or a day
    the scheduler enqueued that never ran) the date is refused naming the one to run first, or, with
    `catch_up` (the scheduler's task), the missed dates run first, in order.

    `trigger` (command, scheduler, user, demo) and the queue's `task_id` are kept on the run log, with
    one entry per attempt in `attempt_log`. `stop_after` ends the run after that stage (how the tests
    simulate a killed run)."""
    acting = actor_of(actor)
    require(acting, Perm.RUN_EOD)
    day = _parse_date(business_date, "business_date")
    if day > timezone.localdate():
        raise ValidationError({"business_date": _("the business date lies in the future")})
    with eod_lock() as got:
        if not got:
            running = EodRun.objects.filter(status=EodRun.Status.RUNNING).order_by("-business_date") \
                .values_list("business_date", flat=True).first()
            raise Conflict(_("an end-of-day run is already in progress (%(date)s); nothing was started")
                           % {"date": (running or day).isoformat()}, field="business_date")
        last = EodRun.objects.filter(status=EodRun.Status.COMPLETED).aggregate(d=Max("business_date"))["d"]
        if last is not None and day < last:
            raise ValidationError({"business_date": _("the last completed run is for %(last)s; an earlier date "
                                                      "cannot be run") % {"last": last.isoformat()}})
        missed = eod_missed_dates(before=day, after=last)
        if missed and not catch_up:
            raise ValidationError({"business_date": _("the end-of-day run of %(missed)s has not completed; run "
                                                      "it first") % {"missed": missed[0].isoformat()}})
        for earlier in missed:
            logger.warning("EOD %s: catching up the unfinished run of %s first", day, earlier)
            _eod_attempt(acting=acting, day=earlier, rerun=False, stop_after=None, progress=progress,
                         trigger=trigger, task_id=task_id)
        return _eod_attempt(acting=acting, day=day, rerun=rerun, stop_after=stop_after, progress=progress,
                            trigger=trigger, task_id=task_id)


def eod_lock():
    """The lock every EOD holds while it runs (`lendpilot.core.locks.exclusive`)."""
    return exclusive(EOD_LOCK)


def eod_missed_dates(*, before: date, after: date | None) -> list[date]:
    """Business dates before `before` (and after the last completed one, `after`) whose EOD has not
    completed: a run left running or failed, or a day the scheduler enqueued the EOD for without a run."""
    unfinished = EodRun.objects.filter(business_date__lt=before).exclude(status=EodRun.Status.COMPLETED)
    jobs = [name for name, spec in settings.LENDPILOT_SCHEDULE.items()
            if spec.get("task") == "lendpilot.monitoring.tasks.run_eod_task"]
    enqueued = ScheduledRun.objects.filter(job__in=jobs, business_date__lt=before).exclude(
        business_date__in=EodRun.objects.values("business_date"))
    if after is not None:
        unfinished, enqueued = unfinished.filter(business_date__gt=after), enqueued.filter(business_date__gt=after)
    return sorted(set(unfinished.values_list("business_date", flat=True))
                  | set(enqueued.values_list("business_date", flat=True)))


def _eod_attempt(*, acting, day: date, rerun: bool, stop_after: str | None,
                 progress: Callable[[str, dict], None] | None, trigger: str, task_id: str) -> EodRun:
    """One attempt at `day`'s run; the caller holds the EOD lock."""
    run, _created = EodRun.objects.get_or_create(business_date=day)
    if run.status == EodRun.Status.COMPLETED and not rerun:
        return run
    if rerun:
        run.stages.update(completed=False)
    run.status, run.error = EodRun.Status.RUNNING, ""
    run.attempts += 1
    run.trigger = trigger if trigger in EodRun.Trigger.values else EodRun.Trigger.COMMAND
    run.task_id = str(task_id or "")[:64]
    entry = {"attempt": run.attempts, "trigger": run.trigger, "task_id": run.task_id, "rerun": rerun,
             "started_at": timezone.now().isoformat(), "status": EodRun.Status.RUNNING, "stages": []}
    run.attempt_log = [*run.attempt_log, entry]
    run.save(update_fields=["status", "error", "attempts", "trigger", "task_id", "attempt_log"])
    rules = active_ruleset()
    started = time.perf_counter()
    total = len(STAGES)
    for position, name in enumerate(STAGES):
        stage, _c = EodStage.objects.get_or_create(run=run, stage=name, defaults={"position": position})
        where = {"position": position + 1, "total": total}
        if stage.completed:
            if progress:
                progress(name, {"status": "skipped", **where})
            continue
        if progress:
            progress(name, {"status": "started", **where})
        t0 = time.perf_counter()
        try:
            with transaction.atomic():
                counts = STAGE_FUNCTIONS[name](day=day, rules=rules.thresholds, ruleset=rules, acting=acting)
                seconds = round(time.perf_counter() - t0, 4)
                EodStage.objects.filter(pk=stage.pk).update(completed=True, counts=counts, seconds=seconds,
                                                            finished_at=timezone.now())
                # a list, not a mapping: jsonb does not keep the order of keys
                entry["stages"].append({"stage": name, "counts": counts, "seconds": seconds})
                EodRun.objects.filter(pk=run.pk).update(attempt_log=run.attempt_log)
        except Exception as exc:
            entry.update(status=EodRun.Status.FAILED, error=f"{name}: {exc}"[:2000])
            EodRun.objects.filter(pk=run.pk).update(status=EodRun.Status.FAILED, error=entry["error"],
                                                    attempt_log=run.attempt_log)
            raise
        if progress:
            progress(name, {"status": "done", "seconds": round(time.perf_counter() - t0, 3), **where, **counts})
        if stop_after == name:
            run.refresh_from_db()
            return run
    with transaction.atomic():
        totals = {s.stage: s.counts for s in run.stages.all()}
        elapsed = round(time.perf_counter() - started, 3)
        entry.update(status=EodRun.Status.COMPLETED, seconds=elapsed, finished_at=timezone.now().isoformat())
        EodRun.objects.filter(pk=run.pk).update(status=EodRun.Status.COMPLETED, counts=totals,
                                                seconds=round(run.seconds + elapsed, 3) if not rerun else elapsed,
                                                finished_at=timezone.now(), attempt_log=run.attempt_log)
        record_event(actor=acting.user, event_code="monitoring.eod_completed", object_type="batch",
                     object_id=f"eod:{day.isoformat()}", after={"business_date": day.isoformat(), "counts": totals,
                                                                "ruleset": rules.version, "rerun": rerun,
                                                                "attempt": run.attempts})
    run.refresh_from_db()
    return run


def _stage_delinquency(*, day, rules, ruleset, acting) -> dict:
    summary = lending.loans_update_delinquency(actor=acting, as_of=day)
    return {"loans": summary["loans"]}


def _stage_penalty(*, day, rules, ruleset, acting) -> dict:
    """Penalty interest on overdue principal up to `day`, one UPDATE per distinct accrual start (in a daily
    run: the instalments first overdue today and those accrued through yesterday). Idempotent: accrued
    instalments carry penalty_through = day."""
    rate = Subquery(Loan.objects.filter(pk=OuterRef("loan_id")).annotate(
        r=ExpressionWrapper(F("annual_rate") * F("penalty_multiplier"), output_field=DecimalField(
            max_digits=12, decimal_places=9))).values("r")[:1])
    base = Instalment.objects.filter(is_settled=False, due_day__lt=day.toordinal(),
                                     principal_paid__lt=F("principal_due"))
    open_principal = F("principal_due") - F("principal_paid")

    def accrue(qs, days_expr) -> int:
        amount = Round(ExpressionWrapper(open_principal * rate * days_expr / Value(Decimal(360)),
                                         output_field=MONEY_FIELD), 2)
        return qs.update(penalty_accrued=F("penalty_accrued") + amount, penalty_through=day)

    n = accrue(base.filter(penalty_through__isnull=True),
               ExpressionWrapper(Value(day.toordinal()) - F("due_day"), output_field=IntegerField()))
    # order_by(): the model's default ordering would make DISTINCT run over (date, loan, seq), one
    # UPDATE per instalment instead of one per accrual start.
    starts = list(base.filter(penalty_through__lt=day).order_by().values_list("penalty_through", flat=True)
                  .distinct())
    for start in starts:
        n += accrue(base.filter(penalty_through=start), Value((day - start).days))
    return {"instalments": n, "accrual_starts": len(starts) + 1}


def _bucket_case(field: str = "days_past_due"):
    return Case(When(**{f"{field}__gt": 90}, then=Value(4)), When(**{f"{field}__gt": 60}, then=Value(3)),
                When(**{f"{field}__gt": 30}, then=Value(2)), When(**{f"{field}__gt": 0}, then=Value(1)),
                default=Value(0), output_field=IntegerField())


def _customer_loans(customer_ids) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for loan_id, customer_id in Loan.objects.filter(status=Loan.Status.ACTIVE, borrower_id__in=customer_ids) \
            .values_list("pk", "borrower_id"):
        out.setdefault(customer_id, []).append(loan_id)
    return out


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _json_literal() -> str:
    return "CAST('{}' AS jsonb)" if connection.vendor == "postgresql" else "'{}'"


BUCKET_SQL = ("CASE WHEN l.days_past_due > 90 THEN 4 WHEN l.days_past_due > 60 THEN 3 "
              "WHEN l.days_past_due > 30 THEN 2 ELSE 1 END")


CANDIDATES = "mon_signal_candidates"


def delinquency_candidates(*, day: date, rules: dict) -> int:
    """Repayment delay, the new signals of `day` into a temporary table with one INSERT ... SELECT: a signal
    per delinquency episode and bucket (the episode is the oldest unpaid due day, so a loan that cures and
    falls behind again signals again); the first bucket is the first missed instalment, the later ones
    bucket jumps. Signals already recorded are left out (NOT EXISTS on the unique key)."""
    sev = rules["bucket_severity"]
    key = f"CAST(%s - l.days_past_due AS VARCHAR(12)) || ':b' || CAST({BUCKET_SQL} AS VARCHAR(2))"
    code = "CASE WHEN l.days_past_due > 30 THEN %s ELSE %s END"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {CANDIDATES}")
        cursor.execute(f"CREATE TEMPORARY TABLE {CANDIDATES} (loan_id INTEGER NOT NULL, code VARCHAR(24) NOT NULL, "
                       f"dedup_key VARCHAR(64) NOT NULL, severity INTEGER NOT NULL, value INTEGER NOT NULL)")
        cursor.execute(
            f"INSERT INTO {CANDIDATES} (loan_id, code, dedup_key, severity, value) "  # noqa: S608
            f"SELECT l.id, {code}, {key}, "
            f"CASE {BUCKET_SQL} WHEN 1 THEN %s WHEN 2 THEN %s WHEN 3 THEN %s ELSE %s END, l.days_past_due "
            f"FROM {_table(Loan)} l WHERE l.status = %s AND l.days_past_due > 0 AND NOT EXISTS "
            f"(SELECT 1 FROM {_table(Signal)} s WHERE s.loan_id = l.id AND s.code = {code} AND s.dedup_key = {key})",
            [Signal.Code.DPD_BUCKET, Signal.Code.FIRST_MISSED, day.toordinal(), *sev, Loan.Status.ACTIVE,
             Signal.Code.DPD_BUCKET, Signal.Code.FIRST_MISSED, day.toordinal()])
        return cursor.rowcount


def detect_signals(*, day: date, rules: dict, version: int) -> list[Signal]:
    """Every customer-level signal raised on `day` (transactions, external events, blacklist, re-scores),
    one per active loan of the customer; not yet deduplicated against earlier days."""
    found: list[Signal] = []
    per_customer: list[tuple[int, str, str, int, float, dict]] = []
    # Large outflows against the customer's own mean outflow over the baseline window.
    lo = rules["large_outflow"]
    start = day - timedelta(days=int(lo["baseline_days"]))
    baseline = AccountTransaction.objects.filter(customer_id=OuterRef("customer_id"), direction="out",
                                                 booked_on__gte=start, booked_on__lt=day) \
        .values("customer_id").annotate(m=Avg("amount")).values("m")[:1]
    for txn in AccountTransaction.objects.filter(booked_on=day, direction="out", amount__gte=lo["min_amount"]) \
            .annotate(base=Subquery(baseline, output_field=MONEY_FIELD)).values("txn_id", "customer_id", "amount",
                                                                              "base"):
        if txn["base"] and txn["amount"] > Decimal(str(lo["multiple"])) * txn["base"]:
            per_customer.append((txn["customer_id"], Signal.Code.LARGE_OUTFLOW, txn["txn_id"], lo["severity"],
                                 float(txn["amount"]), {"txn_id": txn["txn_id"], "amount": str(txn["amount"]),
                                                        "baseline_mean": str(round(txn["base"], 2))}))
    # Sudden drop of inflows: the last window against the mean of the preceding windows.
    ind = rules["inflow_drop"]
    w, k = int(ind["window_days"]), int(ind["baseline_windows"])
    recent_from, base_from = day - timedelta(days=w - 1), day - timedelta(days=w * (k + 1) - 1)
    flows = AccountTransaction.objects.filter(direction="in", booked_on__gte=base_from, booked_on__lte=day) \
        .values("customer_id").annotate(
            recent=Coalesce(Sum("amount", filter=Q(booked_on__gte=recent_from)), ZERO, output_field=MONEY_FIELD),
            earlier=Coalesce(Sum("amount", filter=Q(booked_on__lt=recent_from)), ZERO, output_field=MONEY_FIELD))
    for row in flows:
        mean = row["earlier"] / k
        if mean > 0 and row["recent"] < Decimal(str(ind["ratio"])) * mean:
            per_customer.append((row["customer_id"], Signal.Code.INFLOW_DROP, f"{day:%Y-%m}", ind["severity"],
                                 float(row["recent"] / mean), {"recent": str(row["recent"]),
                                                               "baseline_mean": str(round(mean, 2)), "window_days": w}))
    hr = rules["high_risk_merchants"]
    for txn in AccountTransaction.objects.filter(booked_on=day, direction="out",
                                                 merchant_category__in=hr["categories"]) \
            .values("txn_id", "customer_id", "amount", "merchant_category"):
        per_customer.append((txn["customer_id"], Signal.Code.HIGH_RISK_MERCHANT, txn["txn_id"], hr["severity"],
                             float(txn["amount"]), {"txn_id": txn["txn_id"], "amount": str(txn["amount"]),
                                                    "merchant_category": txn["merchant_category"]}))
    for ev in ExternalEvent.objects.filter(occurred_on__lte=day, occurred_on__gt=day - timedelta(days=30)) \
            .values("reference", "customer_id", "kind", "detail", "occurred_on"):
        per_customer.append((ev["customer_id"], Signal.Code.COURT_JUDGEMENT, ev["reference"],
                             rules["court_judgement"]["severity"], None,
                             {"reference": ev["reference"], "kind": ev["kind"], "detail": ev["detail"],
                              "occurred_on": ev["occurred_on"].isoformat()}))
    # New blacklist hits: an active entry matching the borrower's ID number or phone.
    active_borrowers = Customer.objects.filter(loans__status=Loan.Status.ACTIVE).distinct()
    hits = BlacklistEntry.objects.filter(is_active=True, added_at__date__lte=day).filter(
        Q(kind=BlacklistEntry.Kind.ID_NUMBER, value_hash__in=active_borrowers.exclude(id_number_hash="")
          .values("id_number_hash"))
        | Q(kind=BlacklistEntry.Kind.PHONE, value_hash__in=active_borrowers.exclude(phone_hash="")
            .values("phone_hash"))).values_list("pk", "kind", "value_hash", "list_name", "masked")
    for entry_id, kind, value_hash, list_name, masked in hits:
        col = "id_number_hash" if kind == BlacklistEntry.Kind.ID_NUMBER else "phone_hash"
        for cid in active_borrowers.filter(**{col: value_hash}).values_list("pk", flat=True):
            per_customer.append((cid, Signal.Code.BLACKLIST_HIT, f"bl{entry_id}", rules["blacklist_hit"]["severity"],
                                 None, {"list": list_name, "identifier": masked}))
    # Score deterioration: a re-score on `day` that drops by the threshold against the previous one.
    previous = CustomerScore.objects.filter(customer_id=OuterRef("customer_id"), scored_on__lt=OuterRef("scored_on")) \
        .order_by("-scored_on", "-id").values("score")[:1]
    sd = rules["score_drop"]
    for row in CustomerScore.objects.filter(scored_on=day).annotate(prev=Subquery(previous)).values(
            "pk", "customer_id", "score", "prev"):
        if row["prev"] is not None and row["prev"] - row["score"] >= sd["points"]:
            per_customer.append((row["customer_id"], Signal.Code.SCORE_DROP, f"s{row['pk']}", sd["severity"],
                                 row["score"], {"score": row["score"], "previous": row["prev"]}))
    loans_of = _customer_loans({c for c, *_ in per_customer})
    for cid, code, key, severity, value, evidence in per_customer:
        for loan_id in loans_of.get(cid, []):
            found.append(Signal(loan_id=loan_id, code=code, dedup_key=key[:64], severity=severity, value=value,
                                evidence=evidence))
    for s in found:
        s.business_date, s.ruleset_version = day, version
    return found


def _analyze(cursor, *tables: str) -> None:
    """Fresh planner statistics after a bulk write inside the stage (PostgreSQL counts the transaction's own
    rows): with the stale ones an empty-looking alert table turns the joins below into nested loops over
    sequential scans, quadratic in the number of delinquent loans."""
    if connection.vendor == "postgresql":
        for table in tables:
            cursor.execute(f"ANALYZE {table}")


FRESH = "mon_signal_fresh"


def _open_or_escalate(day: date, ruleset: RuleSet | None, *, version: int) -> dict:
    """Open an alert for each loan with new signals today and no open alert, raise the severity and tier of
    the loans' existing open alerts to the worst new signal, then record the delinquency candidates as
    signals already attached to their alert and attach today's other signals. Set-based: a temporary
    table of the loans with new signals (worst severity, whether an alert is open), then INSERT ...
    SELECT and UPDATE ... FROM over it, whatever the number of loans. No statement reads the table it
    writes (an INSERT INTO alerts ... WHERE NOT EXISTS (alerts) rescans the rows it has just added for
    every loan: quadratic at a million loans), and each signal row is written once."""
    sig, al, cand, fresh = _table(Signal), _table(Alert), CANDIDATES, FRESH
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {fresh}")
        cursor.execute(f"CREATE TEMPORARY TABLE {fresh} (loan_id INTEGER NOT NULL, m INTEGER NOT NULL, "
                       f"has_alert INTEGER NOT NULL)")
        cursor.execute(
            f"INSERT INTO {fresh} (loan_id, m, has_alert) SELECT u.loan_id, MAX(u.severity), 0 FROM "  # noqa: S608
            f"(SELECT loan_id, severity FROM {cand} UNION ALL SELECT loan_id, severity FROM {sig} "
            f"WHERE business_date = %s AND alert_id IS NULL) u GROUP BY u.loan_id", [day])
        _analyze(cursor, fresh)
        cursor.execute(
            f"UPDATE {fresh} SET has_alert = 1 WHERE EXISTS (SELECT 1 FROM {al} a "  # noqa: S608
            f"WHERE a.loan_id = {fresh}.loan_id AND a.status = %s)", [Alert.Status.OPEN])
        cursor.execute(
            f"INSERT INTO {al} (loan_id, status, severity, tier, planned_tier, ruleset_id, owner_id, "  # noqa: S608
            f"opened_on, last_signal_on, closed_on, close_reason, closed_by_id) "
            f"SELECT w.loan_id, %s, w.m, w.m, 0, %s, NULL, %s, %s, NULL, '', NULL FROM {fresh} w "
            f"WHERE w.has_alert = 0", [Alert.Status.OPEN, ruleset.pk if ruleset else None, day, day])
        opened = cursor.rowcount
        _analyze(cursor, al)
        cursor.execute(
            f"UPDATE {al} SET severity = CASE WHEN w.m > {al}.severity THEN w.m ELSE {al}.severity END, "  # noqa: S608
            f"tier = CASE WHEN w.m > {al}.tier THEN w.m ELSE {al}.tier END, last_signal_on = %s "
            f"FROM {fresh} w WHERE {al}.loan_id = w.loan_id AND {al}.status = %s AND w.has_alert = 1",
            [day, Alert.Status.OPEN])
        escalated = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {sig} (loan_id, alert_id, code, dedup_key, severity, value, evidence, "  # noqa: S608
            f"business_date, ruleset_version) SELECT c.loan_id, a.id, c.code, c.dedup_key, c.severity, c.value, "
            f"{_json_literal()}, %s, %s FROM {cand} c JOIN {al} a ON a.loan_id = c.loan_id AND a.status = %s",
            [day, version, Alert.Status.OPEN])
        delinquency = cursor.rowcount
        cursor.execute(
            f"UPDATE {sig} SET alert_id = a.id FROM {al} a WHERE a.loan_id = {sig}.loan_id "  # noqa: S608
            f"AND a.status = %s AND {sig}.business_date = %s AND {sig}.alert_id IS NULL",
            [Alert.Status.OPEN, day])
        attached = cursor.rowcount
        cursor.execute(f"DROP TABLE IF EXISTS {cand}")
        cursor.execute(f"DROP TABLE IF EXISTS {fresh}")
    return {"delinquency_signals": delinquency, "alerts_opened": opened, "alerts_escalated": escalated,
            "signals_attached": delinquency + attached}


def _stage_signals(*, day, rules, ruleset, acting) -> dict:
    found = detect_signals(day=day, rules=rules, version=ruleset.version)
    before = Signal.objects.filter(business_date=day).count()
    Signal.objects.bulk_create(found, batch_size=5000, ignore_conflicts=True)
    created = Signal.objects.filter(business_date=day).count() - before
    delinquency_candidates(day=day, rules=rules)
    return {"other_signals_found": len(found), "other_signals_new": created,
            **_open_or_escalate(day, ruleset, version=ruleset.version)}


def _stage_escalation(*, day, rules, ruleset, acting) -> dict:
    """Interventions whose SLA passed: mark them escalated and move their alert one tier up. Both writes
    are conditional UPDATEs that a second pass (a rerun, or a run racing this one) finds nothing left to
    do in: a step is escalated only while it is open, and an alert moves only while one of its steps at
    its current tier is escalated and overdue; after the move its tier is above that step's."""
    overdue = Intervention.objects.filter(status=Intervention.Status.OPEN, due_on__lt=day,
                                          alert__status=Alert.Status.OPEN, tier=F("alert__tier"))
    alert_ids = list(overdue.order_by().values_list("alert_id", flat=True).distinct())
    n = overdue.update(status=Intervention.Status.ESCALATED)
    passed = Intervention.objects.filter(alert_id=OuterRef("pk"), status=Intervention.Status.ESCALATED,
                                         due_on__lt=day, tier=OuterRef("tier"))
    moved = Alert.objects.filter(Exists(passed), status=Alert.Status.OPEN, tier__lt=4).update(
        tier=Least(F("tier") + 1, Value(4)), severity=Greatest(F("severity"), Least(F("tier") + 1, Value(4))))
    sigs = [Signal(loan_id=loan_id, alert_id=alert_id, code=Signal.Code.SLA_ESCALATION, dedup_key=f"{day}:{tier}",
                   severity=tier, business_date=day, ruleset_version=ruleset.version, evidence={"tier": tier})
            for alert_id, loan_id, tier in Alert.objects.filter(pk__in=alert_ids).values_list("pk", "loan_id", "tier")]
    Signal.objects.bulk_create(sigs, ignore_conflicts=True)
    return {"interventions_escalated": n, "alerts_moved_up": moved}


def sla_due(day: date, business_days: int) -> date:
    """`business_days` business days after `day` (a provisional year counts its weekdays less the fixed-date
    holidays)."""
    return add_business_days(day, business_days)


def _risk_officer() -> Staff | None:
    return Staff.objects.filter(role=Role.RISK_OFFICER, is_active=True).order_by("-approval_level", "pk").first()


def _stage_plans(*, day, rules, ruleset, acting) -> dict:
    """The intervention plan of each open alert up to its current tier, once per tier (new alerts and
    escalated ones): one INSERT ... SELECT per step kind, the SMS and call notices of tier 1 likewise, then
    one UPDATE marking the alerts planned. Only freezing a credit line goes through lending's service, for
    the few alerts that reach tier 3 on a line."""
    officer = _risk_officer()
    officer_id = officer.pk if officer else None
    a, lo, c = _table(Alert), _table(Loan), _table(Customer)
    todo = (f"FROM {a} a JOIN {lo} l ON l.id = a.loan_id JOIN {c} c ON c.id = l.borrower_id "
            f"WHERE a.status = %s AND a.planned_tier < %s AND a.tier >= %s")
    steps = outbox = 0
    now = timezone.now()
    with connection.cursor() as cursor:
        for tier, kinds in PLAN.items():
            due = sla_due(day, int(rules["sla_days"][str(tier)]))
            owner = "c.manager_id" if tier <= 2 or officer_id is None else "%s"
            for kind in kinds:
                owner_params = [] if owner == "c.manager_id" else [officer_id]
                cursor.execute(
                    f"INSERT INTO {_table(Intervention)} (alert_id, tier, kind, owner_id, status, "  # noqa: S608
                    f"created_on, due_on, outcome) SELECT a.id, %s, %s, {owner}, %s, %s, %s, '' {todo}",
                    [tier, kind, *owner_params, Intervention.Status.OPEN, day, due, Alert.Status.OPEN, tier, tier])
                steps += cursor.rowcount
            if tier == 1:
                ob = _table(Outbox)
                cursor.execute(
                    f"INSERT INTO {ob} (dedup_key, channel, customer_id, staff_id, body, created_at) "  # noqa: S608
                    f"SELECT 'sms:alert' || CAST(a.id AS VARCHAR(20)) || ':t1', %s, c.id, NULL, "
                    f"%s || l.number || %s, %s {todo}",
                    [Outbox.Channel.SMS, "【LendPilot】尊敬的客户，您的贷款",
                     "存在风险提示，请按时还款或联系客户经理。", now, Alert.Status.OPEN, 1, 1])
                outbox += cursor.rowcount
                cursor.execute(
                    f"INSERT INTO {ob} (dedup_key, channel, customer_id, staff_id, body, created_at) "  # noqa: S608
                    f"SELECT 'call:alert' || CAST(a.id AS VARCHAR(20)) || ':t1', %s, NULL, c.manager_id, "
                    f"%s || c.name || %s || l.number || %s, %s {todo}",
                    [Outbox.Channel.NOTICE, "请致电客户", "（贷款", f"）核实还款情况，时限{due.isoformat()}", now,
                     Alert.Status.OPEN, 1, 1])
                outbox += cursor.rowcount
    freezes = 0
    to_freeze = Alert.objects.filter(status=Alert.Status.OPEN, planned_tier__lt=3, tier__gte=3,
                                     loan__credit_line__isnull=False).exclude(
        loan__credit_line__status=CreditLine.Status.FROZEN).values_list("pk", "loan__credit_line_id")
    for alert_id, line_id in to_freeze:
        line = CreditLine.objects.get(pk=line_id)
        if line.status != CreditLine.Status.FROZEN:
            lending.credit_line_set_status(actor=acting, line=line, status=CreditLine.Status.FROZEN,
                                           reason=f"预警{alert_id}三级处置：冻结额度")
            freezes += 1
    manager = Subquery(Loan.objects.filter(pk=OuterRef("loan_id")).values("borrower__manager_id")[:1])
    owner_expr = Case(When(tier__lte=2, then=manager), default=Value(officer_id) if officer_id else manager,
                      output_field=IntegerField())
    planned = Alert.objects.filter(status=Alert.Status.OPEN).exclude(planned_tier=F("tier")).update(
        planned_tier=F("tier"), owner_id=Coalesce(F("owner_id"), owner_expr))
    return {"alerts_planned": planned, "steps_planned": steps, "outbox": outbox, "lines_frozen": freezes}


# ------------------------------------------------------------------------------------ credit lines

def review_lines(*, day: date, rules: dict) -> list[CreditLineReview]:
    """Proposals for the lines that should not simply be kept (set-based figures per line)."""
    r = rules["line_review"]
    latest_score = CustomerScore.objects.filter(customer_id=OuterRef("customer_id"), scored_on__lte=day) \
        .order_by("-scored_on", "-id").values("score")[:1]
    tighten = IndustryProposal.objects.filter(industry=OuterRef("customer__industry"),
                                              status=IndustryProposal.Status.ACCEPTED, admission="tighten")
    lines = CreditLine.objects.filter(status__in=[CreditLine.Status.ACTIVE, CreditLine.Status.REDUCED]).annotate(
        max_dpd=Coalesce(Max("loans__days_past_due", filter=Q(loans__status=Loan.Status.ACTIVE)), Value(0)),
        score=Subquery(latest_score),
    ).filter(Q(max_dpd__gte=r["reduce_dpd"]) | Q(score__lt=r["low_score"])
             | Q(customer__industry__in=tighten.values("industry")))
    out = []
    tight_industries = set(IndustryProposal.objects.filter(status=IndustryProposal.Status.ACCEPTED,
                                                           admission="tighten").values_list("industry", flat=True))
    for line in lines.select_related("customer").iterator(chunk_size=2000):
        reasons = []
        if line.max_dpd >= r["freeze_dpd"]:
            action, proposed = CreditLineReview.Action.FREEZE, line.limit
            reasons.append({"code": "dpd", "days_past_due": line.max_dpd})
        else:
            if line.max_dpd >= r["reduce_dpd"]:
                reasons.append({"code": "dpd", "days_past_due": line.max_dpd})
            if line.score is not None and line.score < r["low_score"]:
                reasons.append({"code": "score", "score": line.score})
            if line.customer.industry in tight_industries:
                reasons.append({"code": "industry", "industry": line.customer.industry})
            cut = Decimal(str(r["reduce_share"])) * len(reasons) if reasons else Decimal(0)
            cut = min(cut, Decimal("0.9"))
            target = (line.limit * (1 - cut)).quantize(Decimal("100"))
            proposed = max(target, line.utilised.quantize(Decimal("0.01")))
            if proposed >= line.limit:
                continue
            action = CreditLineReview.Action.REDUCE
        out.append(CreditLineReview(line=line, business_date=day, action=action, current_limit=line.limit,
                                    proposed_limit=proposed, reasons=reasons))
    return out


def _apply_review(review: CreditLineReview, acting) -> None:
    line = review.line
    if review.action == CreditLineReview.Action.FREEZE:
        lending.credit_line_set_status(actor=acting, line=line, status=CreditLine.Status.FROZEN,
                                       reason=f"额度复审{review.business_date}：逾期冻结")
    else:
        lending.credit_line_set_status(actor=acting, line=line, status=CreditLine.Status.REDUCED,
                                       reason=f"额度复审{review.business_date}：降额", limit=review.proposed_limit)
    Outbox.objects.get_or_create(dedup_key=f"review:{review.pk}", defaults={
        "channel": Outbox.Channel.NOTICE, "staff_id": line.customer.manager_id,
        "body": f"客户{line.customer.name}的额度{line.number}复审结果：{review.get_action_display()}，"
                f"额度{review.current_limit}→{review.proposed_limit}"})


def _stage_line_review(*, day, rules, ruleset, acting) -> dict:
    proposals = review_lines(day=day, rules=rules)
    already = set(CreditLineReview.objects.filter(business_date=day).values_list("line_id", flat=True))
    proposals = [p for p in proposals if p.line_id not in already]
    above = Decimal(str(rules["line_review"]["approval_above"]))
    applied = pending = 0
    for p in proposals:
        needs = p.action == CreditLineReview.Action.REDUCE and p.current_limit - p.proposed_limit > above
        p.status = CreditLineReview.Status.PENDING if needs else CreditLineReview.Status.APPLIED
        p.save()
        if needs:
            pending += 1
        else:
            _apply_review(p, acting)
            applied += 1
    return {"reviews": len(proposals), "applied": applied, "pending": pending}


@transaction.atomic
def line_review_decide(*, actor, review: CreditLineReview, approve: bool) -> CreditLineReview:
    acting = actor_of(actor)
    require(acting, Perm.APPROVE_LINE_REVIEW)
    review = CreditLineReview.objects.select_for_update().select_related("line__customer").get(pk=review.pk)
    if review.status != CreditLineReview.Status.PENDING:
        raise Conflict(_("the review was already decided"), field="status")
    review.status = CreditLineReview.Status.APPROVED if approve else CreditLineReview.Status.REJECTED
    review.decided_by, review.decided_at = acting.staff, timezone.now()
    review.save()
    if approve:
        _apply_review(review, acting)
    record_event(actor=acting.user, event_code="monitoring.line_review_decided", obj=review,
                 after={"status": review.status, "proposed_limit": review.proposed_limit})
    return review


# -------------------------------------------------------------------------------------- snapshots

DIMENSIONS = {
    "all": None, "product": "product_id", "region": "borrower__region_id", "team": "borrower__manager__team_id",
    "manager": "borrower__manager_id", "industry": "borrower__industry", "tier": "borrower__tier",
    "class": "risk_class",
}


def _stage_snapshot(*, day, rules, ruleset, acting) -> dict:
    """Delete and rebuild the day's rows: one aggregate query per dimension over the active book."""
    PortfolioSnapshot.objects.filter(business_date=day).delete()
    active = Loan.objects.filter(status=Loan.Status.ACTIVE)
    aggregates = {
        "loans": Count("pk"), "balance": Coalesce(Sum("outstanding_principal"), ZERO, output_field=MONEY_FIELD),
        "overdue_loans": Count("pk", filter=Q(days_past_due__gt=0)),
        "overdue_balance": Coalesce(Sum("outstanding_principal", filter=Q(days_past_due__gt=0)), ZERO,
                                    output_field=MONEY_FIELD),
        "npl_loans": Count("pk", filter=Q(risk_class__in=NPL_CLASSES)),
        "npl_balance": Coalesce(Sum("outstanding_principal", filter=Q(risk_class__in=NPL_CLASSES)), ZERO,
                                output_field=MONEY_FIELD),
    }
    rows = []
    for dim, path in DIMENSIONS.items():
        if path is None:
            groups = [{"k": "all", **active.aggregate(**aggregates)}]
        else:
            groups = active.values(k=F(path)).annotate(**aggregates).order_by()
        rows += [PortfolioSnapshot(business_date=day, dimension=dim, key=str(g["k"]), loans=g["loans"],
                                   balance=g["balance"], overdue_loans=g["overdue_loans"],
                                   overdue_balance=g["overdue_balance"], npl_loans=g["npl_loans"],
                                   npl_balance=g["npl_balance"]) for g in groups]
    PortfolioSnapshot.objects.bulk_create(rows, batch_size=5000)
    return {"snapshot_rows": len(rows)}


def is_month_end(day: date) -> bool:
    """The last business day of the month (the EOD run that closes the month)."""
    return next_business_day(day + timedelta(days=1)).month != day.month


def month_buckets_write(*, day: date) -> int:
    """Month-end buckets of every active loan: delete the month, one INSERT ... SELECT."""
    month = day.replace(day=1)
    LoanMonthBucket.objects.filter(month=month).delete()
    table, loans = LoanMonthBucket._meta.db_table, Loan._meta.db_table
    sql = (f"INSERT INTO {table} (month, loan_id, bucket, balance) "  # noqa: S608 (model table names; values bound)
           f"SELECT %s, id, CASE WHEN days_past_due > 90 THEN 4 WHEN days_past_due > 60 THEN 3 "
           f"WHEN days_past_due > 30 THEN 2 WHEN days_past_due > 0 THEN 1 ELSE 0 END, outstanding_principal "
           f"FROM {loans} WHERE status = %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [month, Loan.Status.ACTIVE])
        return cursor.rowcount


def _stage_buckets(*, day, rules, ruleset, acting) -> dict:
    if not is_month_end(day):
        return {"month_end": False}
    return {"month_end": True, "loans": month_buckets_write(day=day)}


def rate_series(*, dimension: str, key: str, until: date, metric: str, limit: int = 400) -> tuple[list, list]:
    rows = list(PortfolioSnapshot.objects.filter(dimension=dimension, key=key, business_date__lte=until)
                .order_by("-business_date").values_list("business_date", "balance", "overdue_balance",
                                                         "npl_balance")[:limit])[::-1]
    col = 2 if metric == "overdue_rate" else 3
    return [r[0] for r in rows], [float(r[col] / r[1]) if r[1] else 0.0 for r in rows]


def _stage_thresholds(*, day, rules, ruleset, acting) -> dict:
    ew = rules["ewma"]
    segments = [("all", "all")] + list(PortfolioSnapshot.objects.filter(business_date=day, dimension="product")
                                       .values_list("dimension", "key"))
    raised = []
    for dim, key in segments:
        for metric in ("overdue_rate", "npl_rate"):
            _days, values = rate_series(dimension=dim, key=key, until=day, metric=metric)
            breached, centre, upper = thresholds.latest_breach(values, lam=ew["lam"], k=ew["k"],
                                                               warmup=int(ew["warmup"]))
            if breached:
                raised.append(PortfolioAlert(business_date=day, segment=f"{dim}:{key}", metric=metric,
                                             value=values[-1], centre=centre, upper=upper))
    PortfolioAlert.objects.bulk_create(raised, ignore_conflicts=True)
    recipients = Staff.objects.filter(is_active=True, role__in=[Role.DIRECTOR, Role.RISK_OFFICER]).values_list(
        "pk", flat=True)
    Outbox.objects.bulk_create([
        Outbox(dedup_key=f"pa:{day}:{a.segment}:{a.metric}:{sid}"[:80], channel=Outbox.Channel.NOTICE, staff_id=sid,
               body=f"组合预警：{a.segment} {a.metric} {a.value:.2%} 超过动态上限 {a.upper:.2%}")
        for a in raised for sid in recipients], ignore_conflicts=True)
    return {"portfolio_alerts": len(raised)}


def _breach_days(dimension: str, key: str, metric: str, *, until: date, ew: dict) -> list[tuple]:
    days, values = rate_series(dimension=dimension, key=key, until=until, metric=metric)
    band = thresholds.ewma_band(values, lam=ew["lam"], k=ew["k"], warmup=int(ew["warmup"]))
    return [(days[i], values[i], float(band.centre[i]), float(band.upper[i])) for i in band.breaches.tolist()]


@transaction.atomic
def history_rebuild(*, actor, start, end) -> dict:
    """Rebuild the daily portfolio snapshots and month-end buckets of the business days from `start` to
    `end` from the repayment schedules and value dates (`history.rebuild`: when monitoring starts on an
    existing book, or after back-dated repayments), then the portfolio alerts (F3) of those days against
    the EWMA band of the rebuilt series, without notices (they are history). Rejects a range that is
    empty, reversed, in the future, longer than two years or outside the business calendar."""
    acting = actor_of(actor)
    require(acting, Perm.RUN_EOD)
    start, end = _parse_date(start, "start"), _parse_date(end, "end")
    if end > timezone.localdate():
        raise ValidationError({"end": _("the business date lies in the future")})
    if start > end:
        raise ValidationError({"start": _("the start lies after the end")})
    if (end - start).days > 731:
        raise ValidationError({"start": _("at most two years at a time")})
    days = [history.Day(d, is_month_end(d)) for d in
            (start + timedelta(days=n) for n in range((end - start).days + 1)) if is_business_day(d)]
    counts = history.rebuild(days)
    dates = [d.day for d in days]
    ew = active_ruleset().thresholds["ewma"]
    raised = []
    if dates:
        PortfolioAlert.objects.filter(business_date__gte=dates[0], business_date__lte=dates[-1]).delete()
        segments = [("all", "all")] + sorted(set(PortfolioSnapshot.objects.filter(
            business_date__in=dates, dimension="product").values_list("dimension", "key")))
        wanted = set(dates)
        for dim, key in segments:
            for metric in ("overdue_rate", "npl_rate"):
                raised += [PortfolioAlert(business_date=d, segment=f"{dim}:{key}", metric=metric, value=v,
                                          centre=c, upper=u)
                           for d, v, c, u in _breach_days(dim, key, metric, until=dates[-1], ew=ew) if d in wanted]
        PortfolioAlert.objects.bulk_create(raised, ignore_conflicts=True)
    counts["portfolio_alerts"] = len(raised)
    record_event(actor=acting.user, event_code="monitoring.history_rebuilt", object_type="batch",
                 object_id=f"history:{start.isoformat()}:{end.isoformat()}",
                 after={"start": start.isoformat(), "end": end.isoformat(), **counts})
    return counts


STAGE_FUNCTIONS = {
    "delinquency": _stage_delinquency, "penalty": _stage_penalty, "signals": _stage_signals,
    "escalation": _stage_escalation, "plans": _stage_plans, "line_review": _stage_line_review,
    "snapshot": _stage_snapshot, "buckets": _stage_buckets, "thresholds": _stage_thresholds,
}


# ------------------------------------------------------------------------------- alerts and steps

@transaction.atomic
def intervention_complete(*, actor, intervention: Intervention, outcome: str) -> Intervention:
    acting = actor_of(actor)
    require(acting, Perm.WORK_ALERTS)
    if not (outcome or "").strip():
        raise ValidationError({"outcome": _("describe the outcome")})
    step = Intervention.objects.select_for_update().get(pk=intervention.pk)
    if step.status not in (Intervention.Status.OPEN, Intervention.Status.ESCALATED):
        raise Conflict(_("the step is already finished"), field="status")
    step.status, step.outcome, step.completed_at = Intervention.Status.DONE, outcome.strip()[:300], timezone.now()
    step.save()
    record_event(actor=acting.user, event_code="monitoring.intervention_completed", obj=step,
                 after={"alert": step.alert_id, "kind": step.kind, "outcome": step.outcome})
    return step


@transaction.atomic
def alert_close(*, actor, alert: Alert, reason: str, today: date | None = None) -> Alert:
    acting = actor_of(actor)
    require(acting, Perm.WORK_ALERTS)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("give the reason for closing")})
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status != Alert.Status.OPEN:
        raise Conflict(_("the alert is already closed"), field="status")
    alert.status, alert.close_reason = Alert.Status.CLOSED, reason.strip()[:300]
    alert.closed_on, alert.closed_by = today or timezone.localdate(), acting.staff
    alert.save()
    alert.interventions.filter(status=Intervention.Status.OPEN).update(status=Intervention.Status.CANCELLED)
    record_event(actor=acting.user, event_code="monitoring.alert_closed", obj=alert,
                 after={"reason": alert.close_reason, "tier": alert.tier})
    return alert


# ------------------------------------------------------------------------- feed, events, re-scores

FEED_COLUMNS = ("txn_id", "customer_id", "booked_on", "direction", "amount", "merchant_category", "counterparty")


def transactions_import(*, actor, rows: list[dict], batch: str = "", today: date | None = None) -> dict:
    """Import an account transaction feed, all or nothing: every row is checked (unknown account, amount
    not positive, duplicate id in the file or already imported, date in the future, bad direction) and
    any error rejects the whole file with a per-row report (`ValidationError` with `rows`)."""
    acting = actor_of(actor)
    require(acting, Perm.IMPORT_FEED)
    today = today or timezone.localdate()
    if not isinstance(rows, list) or not rows:
        raise ValidationError({"rows": _("the feed is empty")})
    errors: list[dict] = []
    seen: set[str] = set()
    clean = []
    ids = {str(r.get("txn_id", "")).strip() for r in rows if isinstance(r, dict)}
    existing = set(AccountTransaction.objects.filter(txn_id__in=ids).values_list("txn_id", flat=True))
    cids = set()
    for r in rows:
        with contextlib.suppress(TypeError, ValueError, AttributeError):
            cids.add(int(r.get("customer_id")))
    known = set(Customer.objects.filter(pk__in=cids).values_list("pk", flat=True))
    for n, r in enumerate(rows, start=1):
        if not isinstance(r, dict):
            errors.append({"row": n, "field": "row", "error": "not an object"})
            continue
        txn_id = str(r.get("txn_id", "")).strip()
        if not txn_id or len(txn_id) > 64:
            errors.append({"row": n, "field": "txn_id", "error": "missing or longer than 64"})
        elif txn_id in seen or txn_id in existing:
            errors.append({"row": n, "field": "txn_id", "error": "duplicate transaction id"})
        seen.add(txn_id)
        try:
            cid = int(r.get("customer_id"))
        except (TypeError, ValueError):
            cid = None
        if cid not in known:
            errors.append({"row": n, "field": "customer_id", "error": "unknown account"})
        try:
            booked = r.get("booked_on")
            booked = booked if isinstance(booked, date) else date.fromisoformat(str(booked).strip())
            if booked > today:
                errors.append({"row": n, "field": "booked_on", "error": "date in the future"})
        except ValueError:
            booked = None
            errors.append({"row": n, "field": "booked_on", "error": "not a date"})
        try:
            amount = Decimal(str(r.get("amount")).strip())
            if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")) \
                    or amount >= Decimal("1e15"):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            amount = None
            errors.append({"row": n, "field": "amount", "error": "not a positive amount in fen"})
        direction = str(r.get("direction", "")).strip()
        if direction not in AccountTransaction.Direction.values:
            errors.append({"row": n, "field": "direction", "error": "in or out"})
        clean.append(AccountTransaction(txn_id=txn_id, customer_id=cid, booked_on=booked, direction=direction,
                                        amount=amount, merchant_category=str(r.get("merchant_category") or "")[:8],
                                        counterparty=str(r.get("counterparty") or "")[:100], batch=batch[:40]))
    if errors:
        raise ValidationError({"rows": [f"row {e['row']}: {e['field']}: {e['error']}" for e in errors[:200]]},
                              params={"report": errors})
    with transaction.atomic():
        AccountTransaction.objects.bulk_create(clean, batch_size=5000)
        record_event(actor=acting.user, event_code="monitoring.feed_imported", object_type="batch",
                     object_id=batch or f"feed:{today}", after={"rows": len(clean)})
    return {"imported": len(clean), "rejected": 0}


@transaction.atomic
def external_event_record(*, actor, customer: Customer, kind: str, occurred_on: date, reference: str,
                          detail: str = "") -> ExternalEvent:
    acting = actor_of(actor)
    require(acting, Perm.IMPORT_FEED)
    if kind not in ExternalEvent.Kind.values:
        raise ValidationError({"kind": _("unknown event kind")})
    if not (reference or "").strip():
        raise ValidationError({"reference": _("a reference is required")})
    if ExternalEvent.objects.filter(reference=reference.strip()).exists():
        raise Conflict(_("the event was already recorded"), field="reference")
    ev = ExternalEvent.objects.create(customer=customer, kind=kind, occurred_on=occurred_on,
                                      reference=reference.strip()[:64], detail=detail[:300])
    record_event(actor=acting.user, event_code="monitoring.external_event_recorded", obj=ev,
                 after={"kind": kind, "customer": customer.pk, "occurred_on": occurred_on})
    return ev


@transaction.atomic
def customer_rescore(*, actor, customer: Customer, scored_on: date, score: float, source: str = "") -> CustomerScore:
    acting = actor_of(actor)
    require(acting, Perm.IMPORT_FEED)
    row = CustomerScore.objects.create(customer=customer, scored_on=scored_on, score=float(score), source=source[:40])
    record_event(actor=acting.user, event_code="monitoring.customer_rescored", obj=row,
                 after={"customer": customer.pk, "score": row.score})
    return row


# ------------------------------------------------------------------------------------- industries

@transaction.atomic
def prosperity_import(*, actor, rows: list[dict], source: str = "import") -> int:
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_MONITORING_RULES)
    errors, clean = [], []
    for n, r in enumerate(rows, start=1):
        try:
            month = date.fromisoformat(str(r["month"])[:7] + "-01")
            value = float(r["value"])
            if r["industry"] not in dict(ProsperityIndex._meta.get_field("industry").choices) or not 0 < value < 1000:
                raise ValueError
        except (KeyError, ValueError, TypeError):
            errors.append(f"row {n}: industry, month (YYYY-MM) and value 0-1000 are required")
            continue
        clean.append((r["industry"], month, value))
    if errors:
        raise ValidationError({"rows": errors[:200]})
    for ind, month, value in clean:
        ProsperityIndex.objects.update_or_create(industry=ind, month=month, defaults={"value": value, "source": source})
    record_event(actor=acting.user, event_code="monitoring.prosperity_imported", object_type="batch",
                 object_id=source, after={"rows": len(clean)})
    return len(clean)


def industry_default_rates() -> dict[str, dict[date, float]]:
    """Monthly default rate by industry: loans entering 90+ days past due in a month over the loans
    current-to-89 days at the previous month end (one aggregate query over month-end buckets)."""
    prev = LoanMonthBucket.objects.filter(loan_id=OuterRef("loan_id"), month__lt=OuterRef("month")) \
        .order_by("-month").values("bucket")[:1]
    rows = LoanMonthBucket.objects.annotate(prev=Subquery(prev)).filter(prev__isnull=False, prev__lt=4) \
        .values("month", industry=F("loan__borrower__industry")).annotate(
            n=Count("pk"), d=Count("pk", filter=Q(bucket=4))).order_by()
    out: dict[str, dict[date, float]] = {}
    for r in rows:
        out.setdefault(r["industry"], {})[r["month"]] = r["d"] / r["n"] if r["n"] else 0.0
    return out


@transaction.atomic
def industry_proposals_compute(*, actor, month: date) -> list[IndustryProposal]:
    acting = actor_of(actor)
    require(acting, Perm.VIEW_MONITORING)
    month = month.replace(day=1)
    rates = industry_default_rates()
    all_values = [v for series in rates.values() for v in series.values()]
    portfolio = sum(all_values) / len(all_values) if all_values else 0.0
    out = []
    for ind, series in sorted(rates.items()):
        months = sorted(m for m in series if m <= month)
        if not months:
            continue
        index = dict(ProsperityIndex.objects.filter(industry=ind, month__in=months).values_list("month", "value"))
        view = industry_model.assess(ind, [index.get(m, float("nan")) for m in months],
                                     [series[m] for m in months], portfolio_rate=portfolio)
        prop, _c = IndustryProposal.objects.update_or_create(
            month=month, industry=ind, status=IndustryProposal.Status.PROPOSED,
            defaults={"default_rate": view.default_rate, "correlation": view.correlation,
                      "lead_months": view.lead_months, "index_trend": view.trend, "admission": view.admission,
                      "premium_bps": view.premium_bps})
        out.append(prop)
    return out


@transaction.atomic
def industry_proposals_decide(*, actor, proposals: list[IndustryProposal], accept: bool) -> list[IndustryProposal]:
    """The risk committee's decision on industry proposals (C6). Accepting publishes ONE new scoring policy
    version for all of them (E1, `scoring.services.policy_publish_industry_changes`): tighten excludes the
    industry, loosen re-admits it, keep leaves admission alone, and every accepted proposal sets the
    industry's risk premium (capped at the policy's maximum), which the pre-screen and the application
    pricing then add to the product rate. Rejecting publishes nothing. Refuses an empty list, two
    proposals for one industry, and a proposal already decided (Conflict; nothing changes)."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_POLICY)
    ids = [p.pk for p in proposals]
    if not ids:
        raise ValidationError({"ids": _("choose at least one proposal")})
    locked = list(IndustryProposal.objects.select_for_update().filter(pk__in=ids).order_by("industry", "pk"))
    if len(locked) != len(set(ids)):
        raise ValidationError({"ids": _("unknown proposal")})
    if len({p.industry for p in locked}) != len(locked):
        raise ValidationError({"ids": _("one proposal per industry")})
    if any(p.status != IndustryProposal.Status.PROPOSED for p in locked):
        raise Conflict(_("the proposal was already decided"), field="status")
    version = None
    if accept:
        changes = [{"industry": p.industry, "admission": p.admission,
                    "premium_bps": max(0, min(int(p.premium_bps), MAX_PREMIUM_BPS))} for p in locked]
        version = policy_publish_industry_changes(actor=actor, changes=changes,
                                                  source=f"行业风险地图 {locked[0].month:%Y-%m}")
    status = IndustryProposal.Status.ACCEPTED if accept else IndustryProposal.Status.REJECTED
    for p in locked:
        p.status, p.decided_by, p.policy_version = status, acting.staff, version
        p.save(update_fields=["status", "decided_by", "policy_version"])
        record_event(actor=acting.user, event_code="monitoring.industry_proposal_decided", obj=p,
                     after={"status": p.status, "admission": p.admission, "premium_bps": p.premium_bps,
                            "policy_version": version.number if version else None})
    return locked


def industry_proposal_decide(*, actor, proposal: IndustryProposal, accept: bool) -> IndustryProposal:
    """One proposal decided on its own (see `industry_proposals_decide`)."""
    return industry_proposals_decide(actor=actor, proposals=[proposal], accept=accept)[0]


__all__ = ["DEFAULT_RULES", "eod_run"]
