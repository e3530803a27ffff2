"""Posting a repayment file from the core-banking feed (CSV), all or nothing, idempotent, set-based.

Columns (header required): ``external_ref,loan_number,amount,value_date`` (date as YYYY-MM-DD).

1. Parse and check every row (field by field); a reference repeated inside the file is an error.
2. Look up all loans and all already-posted references in bulk (chunked ``IN`` queries): an unknown or
   settled loan is an error naming the row; a reference already posted is skipped, so importing the
   same file twice posts nothing the second time.
3. Any error: nothing is written and every bad row is reported (row number, field, reason).
4. Otherwise the loans are locked (``SELECT ... FOR UPDATE`` in id order), their open instalments are
   loaded at once, each repayment is allocated in memory by the same rules as a single posting
   (value-date order within a loan), and the results are written in bulk: repayments with one
   multi-row INSERT per 5,000, instalments and loans with one ``UPDATE ... FROM (VALUES ...)`` per
   5,000 on PostgreSQL (``bulk_update`` on SQLite). No per-row ORM save.
"""

import csv
import io
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event
from lendpilot.lending.models import CreditLine, Instalment, Loan, Repayment
from lendpilot.lending.services import apply_to_instalments, validate_repayment
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm

COLUMNS = ("external_ref", "loan_number", "amount", "value_date")
CHUNK = 5000
MAX_REPORTED_ERRORS = 500


@dataclass
class RowError:
    row: int
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "message": self.message}


class RepaymentImportError(Exception):
    """The file was refused; nothing was posted. `errors` names each bad row and field."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} bad row(s)")
        self.errors = errors


@dataclass
class ImportResult:
    batch: str
    rows: int
    posted: int
    already_posted: int
    amount: Decimal
    allocated: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"batch": self.batch, "rows": self.rows, "posted": self.posted, "already_posted": self.already_posted,
                "amount": str(self.amount), "allocated": {k: str(v) for k, v in self.allocated.items()}}


@dataclass
class _Row:
    row: int
    ref: str
    loan_number: str
    amount: Decimal
    value_date: date


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def parse(text: str) -> tuple[list[_Row], list[RowError]]:
    """Rows numbered as a spreadsheet shows them (the header is row 1)."""
    errors: list[RowError] = []
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return [], [RowError(1, c, _("missing column")) for c in missing]
    reader.fieldnames = header
    rows: list[_Row] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(reader, start=2):
        if None in raw:
            errors.append(RowError(number, "row", _("more columns than the header")))
            continue
        loan_number = (raw.get("loan_number") or "").strip()
        try:
            ref, amount, value_date = validate_repayment(external_ref=raw.get("external_ref"),
                                                         amount=raw.get("amount") or "",
                                                         value_date=(raw.get("value_date") or "").strip())
        except ValidationError as exc:
            errors.extend(RowError(number, f, " ".join(m)) for f, m in exc.message_dict.items())
            continue
        if not loan_number:
            errors.append(RowError(number, "loan_number", _("the loan number is required")))
            continue
        if ref in seen:
            errors.append(RowError(number, "external_ref", _("reference repeated from row %(row)s") % {
                "row": seen[ref]}))
            continue
        seen[ref] = number
        rows.append(_Row(number, ref, loan_number, amount, value_date))
    return rows, errors


def _bulk_update(model, objects: list, fields: list[str], casts: dict[str, str]) -> None:
    if not objects:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objects, fields, batch_size=500)
        return
    table = model._meta.db_table
    columns = [model._meta.get_field(f).column for f in fields]
    placeholder = "(" + ", ".join(["%s::bigint"] + [f"%s::{casts[f]}" for f in fields]) + ")"
    assignments = ", ".join(f"{c} = v.{c}" for c in columns)
    with connection.cursor() as cursor:
        for chunk in _chunks(objects):
            values = ", ".join([placeholder] * len(chunk))
            params = [p for obj in chunk for p in [obj.pk, *[getattr(obj, f) for f in fields]]]
            cursor.execute(
                f"UPDATE {table} AS t SET {assignments} FROM (VALUES {values}) "  # noqa: S608 - names from the model
                f"AS v(id, {', '.join(columns)}) WHERE t.id = v.id",
                params,
            )


INSTALMENT_FIELDS = ["principal_paid", "interest_paid", "penalty_paid", "penalty_accrued", "penalty_through",
                     "is_settled"]
INSTALMENT_CASTS = {"principal_paid": "numeric", "interest_paid": "numeric", "penalty_paid": "numeric",
                    "penalty_accrued": "numeric", "penalty_through": "date", "is_settled": "boolean"}


@transaction.atomic
def repayments_import(*, actor, text: str, source: str = Repayment.Source.CSV,
                      batch: str | None = None) -> ImportResult:
    acting = actor_of(actor)
    require(acting, Perm.POST_REPAYMENT)
    batch = batch or f"B{timezone.now():%Y%m%d%H%M%S}{uuid.uuid4().hex[:6]}"
    rows, errors = parse(text)
    if not rows and not errors:
        errors.append(RowError(1, "file", _("the file has no rows")))

    loans: dict[str, dict] = {}
    for chunk in _chunks(sorted({r.loan_number for r in rows})):
        for loan in Loan.objects.filter(number__in=chunk).values("id", "number", "status", "disbursed_on"):
            loans[loan["number"]] = loan
    posted_refs: set[str] = set()
    for chunk in _chunks([r.ref for r in rows]):
        posted_refs.update(Repayment.objects.filter(external_ref__in=chunk).values_list("external_ref", flat=True))
    todo: list[_Row] = []
    for r in rows:
        loan = loans.get(r.loan_number)
        if loan is None:
            errors.append(RowError(r.row, "loan_number", _("unknown loan %(number)s") % {"number": r.loan_number}))
        elif r.ref in posted_refs:
            continue
        elif loan["status"] != Loan.Status.ACTIVE:
            errors.append(RowError(r.row, "loan_number", _("the loan is settled")))
        elif r.value_date < loan["disbursed_on"]:
            errors.append(RowError(r.row, "value_date", _("the value date lies before the disbursement")))
        else:
            todo.append(r)
    if errors:
        errors.sort(key=lambda e: e.row)
        raise RepaymentImportError(errors[:MAX_REPORTED_ERRORS])

    loan_ids = sorted({loans[r.loan_number]["id"] for r in todo})
    locked: dict[int, Loan] = {}
    for chunk in _chunks(loan_ids):
        for loan in Loan.objects.select_for_update().filter(pk__in=chunk).order_by("pk"):
            locked[loan.pk] = loan
    instalments: dict[int, list[Instalment]] = defaultdict(list)
    for chunk in _chunks(loan_ids, 2000):
        for inst in Instalment.objects.filter(loan_id__in=chunk, is_settled=False).order_by("loan_id", "seq"):
            instalments[inst.loan_id].append(inst)

    by_loan: dict[int, list[_Row]] = defaultdict(list)
    for r in todo:
        by_loan[loans[r.loan_number]["id"]].append(r)
    staff = acting.staff
    now = timezone.now()
    new_repayments: list[Repayment] = []
    touched: dict[int, Instalment] = {}
    line_principal: dict[int, Decimal] = defaultdict(Decimal)
    totals = {"penalty": Decimal("0"), "interest": Decimal("0"), "principal": Decimal("0"),
              "unapplied": Decimal("0")}
    for loan_id, loan_rows in by_loan.items():
        loan = locked[loan_id]
        schedule = instalments[loan_id]
        for r in sorted(loan_rows, key=lambda x: (x.value_date, x.row)):
            open_rows = [i for i in schedule if not i.is_settled]
            if loan.status != Loan.Status.ACTIVE or not open_rows:
                applied_penalty = applied_interest = applied_principal = Decimal("0.00")
                unapplied = r.amount
            else:
                applied = apply_to_instalments(loan, open_rows, amount=r.amount, value_date=r.value_date)
                applied_penalty, applied_interest = applied.penalty, applied.interest
                applied_principal, unapplied = applied.principal, applied.unapplied
                for inst in open_rows:
                    touched[inst.pk] = inst
            if loan.credit_line_id and applied_principal:
                line_principal[loan.credit_line_id] += applied_principal
            totals["penalty"] += applied_penalty
            totals["interest"] += applied_interest
            totals["principal"] += applied_principal
            totals["unapplied"] += unapplied
            new_repayments.append(Repayment(
                loan_id=loan_id, external_ref=r.ref, amount=r.amount, value_date=r.value_date,
                penalty_part=applied_penalty, interest_part=applied_interest, principal_part=applied_principal,
                unapplied=unapplied, source=source, batch=batch, posted_by=staff, posted_at=now))

    Repayment.objects.bulk_create(new_repayments, batch_size=CHUNK)
    _bulk_update(Instalment, list(touched.values()), INSTALMENT_FIELDS, INSTALMENT_CASTS)
    _bulk_update(Loan, [locked[i] for i in by_loan], ["outstanding_principal", "status"],
                 {"outstanding_principal": "numeric", "status": "varchar"})
    for line_id, principal in line_principal.items():
        CreditLine.objects.filter(pk=line_id).update(
            utilised=Greatest(F("utilised") - principal, Value(Decimal("0.00"))))
    result = ImportResult(batch=batch, rows=len(rows), posted=len(new_repayments),
                          already_posted=len(rows) - len(todo), amount=sum((r.amount for r in todo), Decimal("0")),
                          allocated=totals)
    record_event(actor=acting.user, event_code="lending.repayments_imported", object_type="batch", object_id=batch,
                 after=result.as_dict())
    return result
