"""Per-customer loan-book facts for the customer portrait (FEATURES B2, D7).

Customers sit below lending and may not read its tables, so lending writes what the portrait needs
into `customers.CustomerFacts`: number of loans, largest single loan (which sets the tier), totals,
outstanding balance, first/last loan and last repayment dates, repayments, interest and penalty
received (the margin behind lifetime value), the worst days past due among active loans, and the risk
grade of the latest graded application (the credit band).

`refresh_customer_facts(as_of=...)` rebuilds the whole table with one DELETE and one INSERT ... SELECT
with GROUP BY (no Python loop over customers), counting only loans disbursed and repayments valued on
or before `as_of`. `refresh_customer_portrait(as_of=...)` does that and then the customers' own
recompute (feed signals, tiers, RFM, lifetime value, tags): the nightly `portrait` job calls it
(`lending.tasks`, after the end-of-day batch).
"""

from datetime import date

from django.db import connection, transaction

from lendpilot.customers.models import CustomerFacts
from lendpilot.customers.services import portrait_recompute
from lendpilot.lending.models import Application, Loan, Repayment


def _sql() -> str:
    q = connection.ops.quote_name
    facts, loan = q(CustomerFacts._meta.db_table), q(Loan._meta.db_table)
    repayment, application = q(Repayment._meta.db_table), q(Application._meta.db_table)
    # Table names come from the models; every value is a parameter.
    return f"""
        INSERT INTO {facts} (customer_id, as_of, loans_count, active_loans, max_single_loan, total_disbursed,
            outstanding_balance, first_disbursed_on, last_disbursed_on, last_repaid_on, repayments_count,
            total_repaid, interest_income, max_days_past_due, credit_band)
        SELECT b.borrower_id, %s, b.loans_count, b.active_loans, b.max_single_loan, b.total_disbursed,
            b.outstanding_balance, b.first_disbursed_on, b.last_disbursed_on, r.last_repaid_on,
            COALESCE(r.repayments_count, 0), COALESCE(r.total_repaid, 0), COALESCE(r.interest_income, 0),
            b.max_days_past_due, COALESCE(g.risk_grade, '')
        FROM (
            SELECT borrower_id, COUNT(*) AS loans_count,
                SUM(CASE WHEN status = 'active' THEN 1 ELSE 0 END) AS active_loans,
                MAX(principal) AS max_single_loan, SUM(principal) AS total_disbursed,
                SUM(CASE WHEN status = 'active' THEN outstanding_principal ELSE 0 END) AS outstanding_balance,
                MIN(disbursed_on) AS first_disbursed_on, MAX(disbursed_on) AS last_disbursed_on,
                MAX(CASE WHEN status = 'active' THEN days_past_due ELSE 0 END) AS max_days_past_due
            FROM {loan} WHERE disbursed_on <= %s GROUP BY borrower_id
        ) b
        LEFT JOIN (
            SELECT l.borrower_id, MAX(p.value_date) AS last_repaid_on, COUNT(*) AS repayments_count,
                SUM(p.amount) AS total_repaid, SUM(p.interest_part + p.penalty_part) AS interest_income
            FROM {repayment} p JOIN {loan} l ON l.id = p.loan_id
            WHERE p.value_date <= %s GROUP BY l.borrower_id
        ) r ON r.borrower_id = b.borrower_id
        LEFT JOIN (
            SELECT a.applicant_id, a.risk_grade FROM {application} a
            JOIN (SELECT applicant_id, MAX(id) AS last_id FROM {application}
                  WHERE risk_grade <> '' GROUP BY applicant_id) m ON m.last_id = a.id
        ) g ON g.applicant_id = b.borrower_id
    """  # noqa: S608


@transaction.atomic
def refresh_customer_facts(*, as_of: date) -> int:
    """Rebuild `CustomerFacts` for every borrower as of `as_of`; returns the number of rows written."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(CustomerFacts._meta.db_table)}")  # noqa: S608
        cursor.execute(_sql(), [as_of, as_of, as_of])
        written = cursor.rowcount
    return written


def refresh_customer_portrait(*, as_of: date, actor=None) -> dict:
    """Facts from the loan book, then the customers' recompute of signals, tiers, RFM, value and tags."""
    facts = refresh_customer_facts(as_of=as_of)
    return {"facts": facts, **portrait_recompute(actor=actor, as_of=as_of)}
