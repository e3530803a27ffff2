"""Every partner's month facts and vintage cells rebuilt set-based in PostgreSQL, from two relations with
the shape of the EOD's loan tables: one row per partner loan (partner_id, cohort, principal, bad, leads) and
one row per loan and month on book (partner_id, cohort, mob, outstanding, dpd). One grouped pass over each
relation, then two inserts from the small grouped results, replace the partners' rows in `channels_monthfact`
and `channels_vintagecell`; `latest_ratios` ranks the partners on their latest M1+/M3+ (each cohort at its
latest month on book) and their conversion.

The relation names are this module's constants (never input). Used by the `channel_kpis` bench at bank
scale; the daily EOD loads one month at a time through `services.partner_facts_load`."""

from decimal import Decimal

from django.db import connection, transaction

LOANS = "channels_bench_loan"
LOAN_MONTHS = "channels_bench_loan_month"
FEE_RATE = Decimal("0.005")
"""The service fee on disbursed amounts (and clawed back on early defaults) in the bench book."""

_BOOK = """
CREATE TEMPORARY TABLE channels_book ON COMMIT DROP AS
SELECT partner_id, cohort, mob, sum(outstanding) AS outstanding,
       coalesce(sum(outstanding) FILTER (WHERE dpd > 30), 0) AS m1,
       coalesce(sum(outstanding) FILTER (WHERE dpd > 60), 0) AS m2,
       coalesce(sum(outstanding) FILTER (WHERE dpd > 90), 0) AS m3
FROM {loan_months} GROUP BY partner_id, cohort, mob
"""
"""The one pass over the loan-month rows: each partner's cohort at each month on book, with its outstanding
principal in total and past 30/60/90 days (a few thousand rows that the two inserts read)."""

_COHORTS = """
CREATE TEMPORARY TABLE channels_cohort ON COMMIT DROP AS
SELECT partner_id, cohort, sum(leads) AS leads, count(*) AS loans, sum(principal) AS disbursed,
       coalesce(sum(principal) FILTER (WHERE bad), 0) AS bad_principal
FROM {loans} GROUP BY partner_id, cohort
"""

_FACTS = """
INSERT INTO channels_monthfact (partner_id, month, leads, applications, approved, loans, disbursed, balance,
                                complaints, findings, incidents, fees, clawback)
SELECT n.partner_id, n.cohort, n.leads, n.loans, n.loans, n.loans, n.disbursed, coalesce(b.balance, 0), 0, 0, 0,
       round(n.disbursed * %(fee)s, 2), round(n.bad_principal * %(fee)s, 2)
FROM channels_cohort n
LEFT JOIN (SELECT partner_id, (cohort + make_interval(months => mob))::date AS month, sum(outstanding) AS balance
           FROM channels_book GROUP BY partner_id, 2) b
       ON b.partner_id = n.partner_id AND b.month = n.cohort
"""

_CELLS = """
INSERT INTO channels_vintagecell (partner_id, cohort, mob, disbursed, m1, m2, m3)
SELECT b.partner_id, b.cohort, b.mob, c.disbursed, b.m1, b.m2, b.m3
FROM channels_book b JOIN channels_cohort c ON c.partner_id = b.partner_id AND c.cohort = b.cohort
"""

_RANKING = """
SELECT v.partner_id, v.m1 / nullif(v.disbursed, 0), v.m3 / nullif(v.disbursed, 0),
       f.loans::numeric / nullif(f.leads, 0), f.approved::numeric / nullif(f.applications, 0)
FROM (SELECT partner_id, sum(m1) AS m1, sum(m3) AS m3, sum(disbursed) AS disbursed
      FROM (SELECT DISTINCT ON (partner_id, cohort) partner_id, m1, m3, disbursed
            FROM channels_vintagecell ORDER BY partner_id, cohort, mob DESC) latest
      GROUP BY partner_id) v
JOIN (SELECT partner_id, sum(leads) AS leads, sum(loans) AS loans, sum(applications) AS applications,
             sum(approved) AS approved FROM channels_monthfact GROUP BY partner_id) f ON f.partner_id = v.partner_id
ORDER BY 3, 2, 4 DESC
"""


@transaction.atomic
def rebuild_all() -> int:
    """Replace the month facts and vintage cells of every partner in the source relations; returns the rows
    written. PostgreSQL only: one pass over the loan-month rows, one over the loans."""
    names = {"loans": LOANS, "loan_months": LOAN_MONTHS}
    with connection.cursor() as cur:
        cur.execute("SET LOCAL work_mem = '256MB'")  # the grouped pass hashes in memory instead of sorting
        cur.execute(_BOOK.format(**names))
        cur.execute(_COHORTS.format(**names))
        partners = "SELECT DISTINCT partner_id FROM channels_cohort"
        cur.execute(f"DELETE FROM channels_monthfact WHERE partner_id IN ({partners})")  # noqa: S608
        cur.execute(f"DELETE FROM channels_vintagecell WHERE partner_id IN ({partners})")  # noqa: S608
        cur.execute(_FACTS, {"fee": FEE_RATE})
        written = cur.rowcount
        cur.execute(_CELLS)
        written += cur.rowcount
    return written


def latest_ratios() -> list[tuple[int, Decimal, Decimal, Decimal, Decimal]]:
    """(partner, M1+, M3+, conversion, approval rate) for every partner with cells, best M3+ first."""
    with connection.cursor() as cur:
        cur.execute(_RANKING)
        return list(cur.fetchall())
