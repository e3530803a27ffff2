"""The book as it stood on past business days (FEATURES C5 snapshots, F3 bands, portfolio analytics),
rebuilt from the repayment schedules and the repayment value dates, all in the database.

Why: the EOD batch reads today's state of the book (settled instalments, outstanding principal), so a
past date run today would not see the loans that were late then and have paid since. When monitoring
starts on an existing book, or after back-dated repayments, the daily snapshots and month-end buckets
of past days are rebuilt here instead.

The rule. Repayments settle instalments oldest first, so instalment k of a loan is settled on the first
value date on which the loan's cumulative principal and interest paid reaches the cumulative amount due
through k (an instalment settled without a repayment on record counts as settled on its due date). On
day D the oldest unsettled instalment is the one whose predecessor was settled on or before D and which
itself was not: days past due = D - its due date when that is in the past. A loan is on the book from its
disbursement to the settlement of its last instalment. The five-category class follows from days past
due with lending's default bands (a manual downgrade has no date, so it is not replayed); the balance is
the principal less the principal parts of the repayments valued on or before D.

Set-based: four temporary tables (days, cumulative payments, instalment intervals, loan-day states)
filled with INSERT ... SELECT (window functions, a range join of days against intervals), then one
INSERT ... SELECT ... GROUP BY per snapshot dimension and one for the month-end buckets. No loop over
loans; plain SQL that runs on SQLite and PostgreSQL.
"""

from dataclasses import dataclass
from datetime import date

from django.db import connection

from lendpilot.customers.models import Customer
from lendpilot.lending.classification import DEFAULT_THRESHOLDS
from lendpilot.lending.models import Instalment, Loan, Repayment
from lendpilot.monitoring.models import LoanMonthBucket, PortfolioSnapshot
from lendpilot.org.models import Staff

DAYS, PAID, INTERVALS, STATES = "mon_hist_days", "mon_hist_paid", "mon_hist_intervals", "mon_hist_states"


@dataclass(frozen=True)
class Day:
    day: date
    month_end: bool


def _q(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _class_sql(dpd: str) -> str:
    bands = " ".join(f"WHEN {dpd} > {above} THEN {klass}" for above, klass in DEFAULT_THRESHOLDS.bands())
    return f"CASE {bands} ELSE 1 END"


def _key(expr: str) -> str:
    # The EOD snapshot keys are str(value): "None" for a missing manager or team.
    return f"CASE WHEN {expr} IS NULL THEN 'None' ELSE CAST({expr} AS VARCHAR(40)) END"


DIMENSION_KEYS = {
    "all": "'all'", "product": _key("l.product_id"), "region": _key("c.region_id"), "team": _key("m.team_id"),
    "manager": _key("c.manager_id"), "industry": _key("c.industry"), "tier": _key("c.tier"),
    "class": _key(_class_sql("st.dpd")),
}


def _drop(cursor) -> None:
    for table in (STATES, INTERVALS, PAID, DAYS):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")


def rebuild(days: list[Day]) -> dict[str, int]:
    """Replace the snapshot rows of `days` and the month-end buckets of those flagged month_end with
    the figures rebuilt from schedules and repayments. Runs inside the caller's transaction."""
    if not days:
        return {"days": 0, "snapshot_rows": 0, "bucket_rows": 0}
    dates = [d.day for d in days]
    month_ends = [d for d in days if d.month_end]
    npl_above = DEFAULT_THRESHOLDS.substandard_above
    with connection.cursor() as cursor:
        _drop(cursor)
        cursor.execute(f"CREATE TEMPORARY TABLE {DAYS} (day DATE PRIMARY KEY, ord INTEGER NOT NULL, "
                       f"month DATE NOT NULL, month_end INTEGER NOT NULL)")
        cursor.executemany(f"INSERT INTO {DAYS} (day, ord, month, month_end) VALUES (%s, %s, %s, %s)",  # noqa: S608
                           [(d.day, d.day.toordinal(), d.day.replace(day=1), int(d.month_end)) for d in days])
        # Per loan and value date, until the next one: cumulative principal and interest paid (what settles
        # the schedule; penalty is not in it) and cumulative principal (what the balance owes).
        cursor.execute(f"CREATE TEMPORARY TABLE {PAID} (loan_id INTEGER NOT NULL, value_date DATE NOT NULL, "
                       f"next_date DATE NULL, cum NUMERIC(20, 2) NOT NULL, cum_principal NUMERIC(20, 2) NOT NULL)")
        cursor.execute(
            f"INSERT INTO {PAID} (loan_id, value_date, next_date, cum, cum_principal) "  # noqa: S608
            f"SELECT loan_id, value_date, LEAD(value_date) OVER (PARTITION BY loan_id ORDER BY value_date), "
            f"SUM(SUM(principal_part + interest_part)) OVER (PARTITION BY loan_id ORDER BY value_date), "
            f"SUM(SUM(principal_part)) OVER (PARTITION BY loan_id ORDER BY value_date) "
            f"FROM {_q(Repayment)} GROUP BY loan_id, value_date")
        cursor.execute(f"CREATE INDEX {PAID}_loan ON {PAID} (loan_id, value_date)")
        # Each instalment's interval as the oldest unsettled one: [previous settled on, settled on).
        cursor.execute(f"CREATE TEMPORARY TABLE {INTERVALS} (loan_id INTEGER NOT NULL, due_day INTEGER NOT NULL, "
                       f"start_on DATE NOT NULL, end_on DATE NULL)")
        cursor.execute(
            f"INSERT INTO {INTERVALS} (loan_id, due_day, start_on, end_on) "  # noqa: S608
            f"SELECT * FROM (SELECT s.loan_id, s.due_day, "
            f"LAG(s.settled_on, 1, s.disbursed_on) OVER (PARTITION BY s.loan_id ORDER BY s.seq) AS start_on, "
            f"s.settled_on FROM ("
            f" SELECT x.loan_id, x.seq, x.due_day, x.disbursed_on,"
            f" COALESCE((SELECT MIN(p.value_date) FROM {PAID} p WHERE p.loan_id = x.loan_id"
            f" AND p.cum >= x.cum_due - 0.005), CASE WHEN x.is_settled THEN x.due_date END) AS settled_on FROM ("
            f"  SELECT i.loan_id, i.seq, i.due_day, i.due_date, i.is_settled, l.disbursed_on,"
            f"  SUM(i.principal_due + i.interest_due) OVER (PARTITION BY i.loan_id ORDER BY i.seq) AS cum_due"
            f"  FROM {_q(Instalment)} i JOIN {_q(Loan)} l ON l.id = i.loan_id"
            f"  WHERE l.disbursed_on <= %s) x) s) iv WHERE iv.start_on IS NOT NULL", [max(dates)])
        cursor.execute(f"CREATE INDEX {INTERVALS}_start ON {INTERVALS} (start_on)")
        # One row per loan on the book and day.
        cursor.execute(f"CREATE TEMPORARY TABLE {STATES} (day DATE NOT NULL, loan_id INTEGER NOT NULL, "
                       f"balance NUMERIC(20, 2) NOT NULL, dpd INTEGER NOT NULL)")
        cursor.execute(
            f"INSERT INTO {STATES} (day, loan_id, balance, dpd) "  # noqa: S608
            f"SELECT d.day, i.loan_id, l.principal - COALESCE(p.cum_principal, 0), "
            f"CASE WHEN i.due_day < d.ord THEN d.ord - i.due_day ELSE 0 END "
            f"FROM {DAYS} d JOIN {INTERVALS} i ON i.start_on <= d.day AND (i.end_on IS NULL OR d.day < i.end_on) "
            f"JOIN {_q(Loan)} l ON l.id = i.loan_id LEFT JOIN {PAID} p ON p.loan_id = i.loan_id "
            f"AND p.value_date <= d.day AND (p.next_date IS NULL OR d.day < p.next_date)")
        states = cursor.rowcount
        PortfolioSnapshot.objects.filter(business_date__in=dates).delete()
        snapshot_rows = 0
        for dimension, key in DIMENSION_KEYS.items():
            # Every day has its "all" row, an empty book included (as the EOD writes it).
            source = (f"{DAYS} d LEFT JOIN {STATES} st ON st.day = d.day" if dimension == "all" else
                      f"{STATES} st JOIN {_q(Loan)} l ON l.id = st.loan_id JOIN {_q(Customer)} c "
                      f"ON c.id = l.borrower_id LEFT JOIN {_q(Staff)} m ON m.id = c.manager_id")
            day = "d.day" if dimension == "all" else "st.day"
            cursor.execute(
                f"INSERT INTO {_q(PortfolioSnapshot)} (business_date, dimension, {connection.ops.quote_name('key')},"  # noqa: S608
                f" loans, balance, overdue_loans, overdue_balance, npl_loans, npl_balance) "
                f"SELECT {day}, %s, {key}, COUNT(st.loan_id), COALESCE(SUM(st.balance), 0), "
                f"SUM(CASE WHEN st.dpd > 0 THEN 1 ELSE 0 END), "
                f"COALESCE(SUM(CASE WHEN st.dpd > 0 THEN st.balance END), 0), "
                f"SUM(CASE WHEN st.dpd > {npl_above} THEN 1 ELSE 0 END), "
                f"COALESCE(SUM(CASE WHEN st.dpd > {npl_above} THEN st.balance END), 0) "
                f"FROM {source} GROUP BY {day if dimension == 'all' else f'{day}, {key}'}", [dimension])
            snapshot_rows += cursor.rowcount
        bucket_rows = 0
        if month_ends:
            LoanMonthBucket.objects.filter(month__in=[d.day.replace(day=1) for d in month_ends]).delete()
            cursor.execute(
                f"INSERT INTO {_q(LoanMonthBucket)} (month, loan_id, bucket, balance) "  # noqa: S608
                f"SELECT d.month, st.loan_id, CASE WHEN st.dpd > 90 THEN 4 WHEN st.dpd > 60 THEN 3 "
                f"WHEN st.dpd > 30 THEN 2 WHEN st.dpd > 0 THEN 1 ELSE 0 END, st.balance "
                f"FROM {STATES} st JOIN {DAYS} d ON d.day = st.day WHERE d.month_end = 1")
            bucket_rows = cursor.rowcount
        _drop(cursor)
    return {"days": len(days), "loan_days": states, "snapshot_rows": snapshot_rows, "bucket_rows": bucket_rows}
