"""A repayment file from the operations desk (X1): CSV or Excel read into the core-banking CSV layout,
and a preview of every row (loan, borrower, amount, what will happen) with the rows in error, before
anything is posted. Posting is `imports.repayments_import`, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from lendpilot.core.table_files import read_table, table_as_csv
from lendpilot.lending.imports import RowError, parse, rows_to_post
from lendpilot.lending.models import Loan, Repayment
from lendpilot.lending.services.records import Acting
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm

MAX_PREVIEW_ROWS = 500


@dataclass(frozen=True)
class PreviewRow:
    row: int
    external_ref: str
    loan_number: str
    borrower: str
    amount: Decimal
    value_date: date
    kind: str
    state: str  # new; posted (already, with the same content: the import skips it); error (see the errors)


@dataclass(frozen=True)
class Preview:
    rows: list[PreviewRow]
    errors: list[RowError]
    total_rows: int
    new_rows: int
    new_amount: Decimal


def file_text(data: bytes, filename: str) -> str:
    """The uploaded file as the CSV text the import reads (raises `TableFileError` when unreadable)."""
    return table_as_csv(read_table(data, filename))


def repayments_preview(*, actor: Acting, text: str) -> Preview:
    """Every row checked as the import will check it, nothing written."""
    require(actor_of(actor), Perm.POST_REPAYMENT)
    rows, errors = parse(text)
    if not rows and not errors:
        errors.append(RowError(1, "file", _("the file has no rows")))
    loans, todo = rows_to_post(rows, errors)
    borrowers = dict(Loan.objects.filter(pk__in=[loan["id"] for loan in loans.values()])
                     .values_list("number", "borrower__name"))
    new_refs = {r.ref for r in todo}
    kinds = dict(Repayment.Kind.choices)
    bad = {e.row for e in errors}
    preview = [PreviewRow(r.row, r.ref, r.loan_number, borrowers.get(r.loan_number, "—"), r.amount, r.value_date,
                          str(kinds.get(r.kind, r.kind)),
                          "error" if r.row in bad else "new" if r.ref in new_refs else "posted")
               for r in rows[:MAX_PREVIEW_ROWS]]
    errors.sort(key=lambda e: e.row)
    return Preview(rows=preview, errors=errors, total_rows=len(rows), new_rows=len(todo),
                   new_amount=sum((r.amount for r in todo), Decimal("0.00")))
