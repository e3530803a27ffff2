"""Table names, SQL fragments and money expressions shared by the set-based EOD stages.

The stages write with INSERT ... SELECT and UPDATE ... FROM over whole tables; these keep the quoting,
the bucket boundaries and the JSON literal the same in every statement, on SQLite and PostgreSQL.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.db.models import DecimalField, Model

from lendpilot.lending.models import Loan

ZERO = Decimal("0.00")
MONEY_FIELD = DecimalField(max_digits=18, decimal_places=2)


def quoted_table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def empty_json_sql() -> str:
    return "CAST('{}' AS jsonb)" if connection.vendor == "postgresql" else "'{}'"


def refresh_statistics(cursor: CursorWrapper, *tables: str) -> None:
    """Fresh planner statistics after a bulk write inside the stage (PostgreSQL counts the transaction's own
    rows): with the stale ones an empty-looking alert table turns the joins below into nested loops over
    sequential scans, quadratic in the number of delinquent loans."""
    if connection.vendor == "postgresql":
        for table in tables:
            cursor.execute(f"ANALYZE {table}")


def active_loans_by_customer(customer_ids: Iterable[int]) -> dict[int, list[int]]:
    """The active loans of each customer (customer id -> loan ids)."""
    out: dict[int, list[int]] = {}
    for loan_id, customer_id in Loan.objects.filter(status=Loan.Status.ACTIVE, borrower_id__in=customer_ids) \
            .values_list("pk", "borrower_id"):
        out.setdefault(customer_id, []).append(loan_id)
    return out
