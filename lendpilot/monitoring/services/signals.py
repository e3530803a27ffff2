"""The signals stage of the EOD: repayment delay, account transactions, external events, blacklist hits and
re-scores become signals, and each loan with new signals gets an open alert (or its open alert escalates).

Delinquency signals are written set-based through a temporary candidates table; the customer-level
signals are few a day and built in Python, one per active loan of the customer.
"""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Avg, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from lendpilot.customers.models import Customer
from lendpilot.lending.models import Loan
from lendpilot.monitoring.models import (
    AccountTransaction,
    Alert,
    CustomerScore,
    ExternalEvent,
    RuleSet,
    Signal,
)
from lendpilot.monitoring.services.tables import (
    MONEY_FIELD,
    ZERO,
    active_loans_by_customer,
    empty_json_sql,
    quoted_table,
    refresh_statistics,
)
from lendpilot.org.access import Actor
from lendpilot.scoring.models import BlacklistEntry

# The delinquency bucket of an overdue loan: 1 (1-30 days), 2 (31-60), 3 (61-90), 4 (over 90).
BUCKET_SQL = ("CASE WHEN l.days_past_due > 90 THEN 4 WHEN l.days_past_due > 60 THEN 3 "
              "WHEN l.days_past_due > 30 THEN 2 ELSE 1 END")
CANDIDATES = "mon_signal_candidates"
FRESH = "mon_signal_fresh"

# (customer id, signal code, dedup key, severity, value, evidence)
CustomerSignal = tuple[int, str, str, int, float | None, dict[str, Any]]


def delinquency_candidates(*, day: date, rules: dict[str, Any]) -> int:
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
            f"FROM {quoted_table(Loan)} l WHERE l.status = %s AND l.days_past_due > 0 AND NOT EXISTS "
            f"(SELECT 1 FROM {quoted_table(Signal)} s WHERE s.loan_id = l.id AND s.code = {code} "
            f"AND s.dedup_key = {key})",
            [Signal.Code.DPD_BUCKET, Signal.Code.FIRST_MISSED, day.toordinal(), *sev, Loan.Status.ACTIVE,
             Signal.Code.DPD_BUCKET, Signal.Code.FIRST_MISSED, day.toordinal()])
        return cursor.rowcount


def large_outflows(*, day: date, rules: dict[str, Any]) -> list[CustomerSignal]:
    """Outflows of `day` far above the customer's own mean outflow over the baseline window."""
    lo = rules["large_outflow"]
    start = day - timedelta(days=int(lo["baseline_days"]))
    baseline = AccountTransaction.objects.filter(customer_id=OuterRef("customer_id"), direction="out",
                                                 booked_on__gte=start, booked_on__lt=day) \
        .values("customer_id").annotate(m=Avg("amount")).values("m")[:1]
    found: list[CustomerSignal] = []
    for txn in AccountTransaction.objects.filter(booked_on=day, direction="out", amount__gte=lo["min_amount"]) \
            .annotate(base=Subquery(baseline, output_field=MONEY_FIELD)).values("txn_id", "customer_id", "amount",
                                                                              "base"):
        if txn["base"] and txn["amount"] > Decimal(str(lo["multiple"])) * txn["base"]:
            found.append((txn["customer_id"], Signal.Code.LARGE_OUTFLOW, txn["txn_id"], lo["severity"],
                          float(txn["amount"]), {"txn_id": txn["txn_id"], "amount": str(txn["amount"]),
                                                 "baseline_mean": str(round(txn["base"], 2))}))
    return found


def inflow_drops(*, day: date, rules: dict[str, Any]) -> list[CustomerSignal]:
    """Sudden drop of inflows: the last window against the mean of the preceding windows."""
    ind = rules["inflow_drop"]
    w, k = int(ind["window_days"]), int(ind["baseline_windows"])
    recent_from, base_from = day - timedelta(days=w - 1), day - timedelta(days=w * (k + 1) - 1)
    flows = AccountTransaction.objects.filter(direction="in", booked_on__gte=base_from, booked_on__lte=day) \
        .values("customer_id").annotate(
            recent=Coalesce(Sum("amount", filter=Q(booked_on__gte=recent_from)), ZERO, output_field=MONEY_FIELD),
            earlier=Coalesce(Sum("amount", filter=Q(booked_on__lt=recent_from)), ZERO, output_field=MONEY_FIELD))
    found: list[CustomerSignal] = []
    for row in flows:
        mean = row["earlier"] / k
        if mean > 0 and row["recent"] < Decimal(str(ind["ratio"])) * mean:
            found.append((row["customer_id"], Signal.Code.INFLOW_DROP, f"{day:%Y-%m}", ind["severity"],
                          float(row["recent"] / mean), {"recent": str(row["recent"]),
                                                        "baseline_mean": str(round(mean, 2)), "window_days": w}))
    return found


def high_risk_merchant_payments(*, day: date, rules: dict[str, Any]) -> list[CustomerSignal]:
    hr = rules["high_risk_merchants"]
    return [(txn["customer_id"], Signal.Code.HIGH_RISK_MERCHANT, txn["txn_id"], hr["severity"], float(txn["amount"]),
             {"txn_id": txn["txn_id"], "amount": str(txn["amount"]), "merchant_category": txn["merchant_category"]})
            for txn in AccountTransaction.objects.filter(booked_on=day, direction="out",
                                                         merchant_category__in=hr["categories"])
            .values("txn_id", "customer_id", "amount", "merchant_category")]


def court_judgements(*, day: date, rules: dict[str, Any]) -> list[CustomerSignal]:
    """External events (court judgements and the like) of the last 30 days."""
    return [(ev["customer_id"], Signal.Code.COURT_JUDGEMENT, ev["reference"], rules["court_judgement"]["severity"],
             None, {"reference": ev["reference"], "kind": ev["kind"], "detail": ev["detail"],
                    "occurred_on": ev["occurred_on"].isoformat()})
            for ev in ExternalEvent.objects.filter(occurred_on__lte=day, occurred_on__gt=day - timedelta(days=30))
            .values("reference", "customer_id", "kind", "detail", "occurred_on")]


def blacklist_hits(*, day: date, rules: dict[str, Any]) -> list[CustomerSignal]:
    """An active blacklist entry matching an active borrower's ID number or phone."""
    active_borrowers = Customer.objects.filter(loans__status=Loan.Status.ACTIVE).distinct()
    hits = BlacklistEntry.objects.filter(is_active=True, added_at__date__lte=day).filter(
        Q(kind=BlacklistEntry.Kind.ID_NUMBER, value_hash__in=active_borrowers.exclude(id_number_hash="")
          .values("id_number_hash"))
        | Q(kind=BlacklistEntry.Kind.PHONE, value_hash__in=active_borrowers.exclude(phone_hash="")
            .values("phone_hash"))).values_list("pk", "kind", "value_hash", "list_name", "masked")
    found: list[CustomerSignal] = []
    for entry_id, kind, value_hash, list_name, masked in hits:
        col = "id_number_hash" if kind == BlacklistEntry.Kind.ID_NUMBER else "phone_hash"
        for cid in active_borrowers.filter(**{col: value_hash}).values_list("pk", flat=True):
            found.append((cid, Signal.Code.BLACKLIST_HIT, f"bl{entry_id}", rules["blacklist_hit"]["severity"],
                          None, {"list": list_name, "identifier": masked}))
    return found


def score_drops(*, day: date, rules: dict[str, Any]) -> list[CustomerSignal]:
    """A re-score on `day` that drops by the threshold against the previous one."""
    previous = CustomerScore.objects.filter(customer_id=OuterRef("customer_id"), scored_on__lt=OuterRef("scored_on")) \
        .order_by("-scored_on", "-id").values("score")[:1]
    sd = rules["score_drop"]
    return [(row["customer_id"], Signal.Code.SCORE_DROP, f"s{row['pk']}", sd["severity"], row["score"],
             {"score": row["score"], "previous": row["prev"]})
            for row in CustomerScore.objects.filter(scored_on=day).annotate(prev=Subquery(previous))
            .values("pk", "customer_id", "score", "prev")
            if row["prev"] is not None and row["prev"] - row["score"] >= sd["points"]]


CUSTOMER_DETECTORS = (large_outflows, inflow_drops, high_risk_merchant_payments, court_judgements, blacklist_hits,
                      score_drops)


def detect_signals(*, day: date, rules: dict[str, Any], version: int) -> list[Signal]:
    """Every customer-level signal raised on `day` (transactions, external events, blacklist, re-scores),
    one per active loan of the customer; not yet deduplicated against earlier days."""
    per_customer = [found for detector in CUSTOMER_DETECTORS for found in detector(day=day, rules=rules)]
    loans_of = active_loans_by_customer({c for c, *_ in per_customer})
    return [Signal(loan_id=loan_id, code=code, dedup_key=key[:64], severity=severity, value=value,
                   evidence=evidence, business_date=day, ruleset_version=version)
            for cid, code, key, severity, value, evidence in per_customer for loan_id in loans_of.get(cid, [])]


def open_or_escalate_alerts(day: date, ruleset: RuleSet | None, *, version: int) -> dict[str, int]:
    """Open an alert for each loan with new signals today and no open alert, raise the severity and tier of
    the loans' existing open alerts to the worst new signal, then record the delinquency candidates as
    signals already attached to their alert and attach today's other signals. Set-based: a temporary
    table of the loans with new signals (worst severity, whether an alert is open), then INSERT ...
    SELECT and UPDATE ... FROM over it, whatever the number of loans. No statement reads the table it
    writes (an INSERT INTO alerts ... WHERE NOT EXISTS (alerts) rescans the rows it has just added for
    every loan: quadratic at a million loans), and each signal row is written once."""
    sig, al, cand, fresh = quoted_table(Signal), quoted_table(Alert), CANDIDATES, FRESH
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {fresh}")
        cursor.execute(f"CREATE TEMPORARY TABLE {fresh} (loan_id INTEGER NOT NULL, m INTEGER NOT NULL, "
                       f"has_alert INTEGER NOT NULL)")
        cursor.execute(
            f"INSERT INTO {fresh} (loan_id, m, has_alert) SELECT u.loan_id, MAX(u.severity), 0 FROM "  # noqa: S608
            f"(SELECT loan_id, severity FROM {cand} UNION ALL SELECT loan_id, severity FROM {sig} "
            f"WHERE business_date = %s AND alert_id IS NULL) u GROUP BY u.loan_id", [day])
        refresh_statistics(cursor, fresh)
        cursor.execute(
            f"UPDATE {fresh} SET has_alert = 1 WHERE EXISTS (SELECT 1 FROM {al} a "  # noqa: S608
            f"WHERE a.loan_id = {fresh}.loan_id AND a.status = %s)", [Alert.Status.OPEN])
        cursor.execute(
            f"INSERT INTO {al} (loan_id, status, severity, tier, planned_tier, ruleset_id, owner_id, "  # noqa: S608
            f"opened_on, last_signal_on, closed_on, close_reason, closed_by_id) "
            f"SELECT w.loan_id, %s, w.m, w.m, 0, %s, NULL, %s, %s, NULL, '', NULL FROM {fresh} w "
            f"WHERE w.has_alert = 0", [Alert.Status.OPEN, ruleset.pk if ruleset else None, day, day])
        opened = cursor.rowcount
        refresh_statistics(cursor, al)
        cursor.execute(
            f"UPDATE {al} SET severity = CASE WHEN w.m > {al}.severity THEN w.m ELSE {al}.severity END, "  # noqa: S608
            f"tier = CASE WHEN w.m > {al}.tier THEN w.m ELSE {al}.tier END, last_signal_on = %s "
            f"FROM {fresh} w WHERE {al}.loan_id = w.loan_id AND {al}.status = %s AND w.has_alert = 1",
            [day, Alert.Status.OPEN])
        escalated = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {sig} (loan_id, alert_id, code, dedup_key, severity, value, evidence, "  # noqa: S608
            f"business_date, ruleset_version) SELECT c.loan_id, a.id, c.code, c.dedup_key, c.severity, c.value, "
            f"{empty_json_sql()}, %s, %s FROM {cand} c JOIN {al} a ON a.loan_id = c.loan_id AND a.status = %s",
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


def stage_signals(*, day: date, rules: dict[str, Any], ruleset: RuleSet, acting: Actor) -> dict[str, Any]:
    found = detect_signals(day=day, rules=rules, version=ruleset.version)
    before = Signal.objects.filter(business_date=day).count()
    Signal.objects.bulk_create(found, batch_size=5000, ignore_conflicts=True)
    created = Signal.objects.filter(business_date=day).count() - before
    delinquency_candidates(day=day, rules=rules)
    return {"other_signals_found": len(found), "other_signals_new": created,
            **open_or_escalate_alerts(day, ruleset, version=ruleset.version)}
