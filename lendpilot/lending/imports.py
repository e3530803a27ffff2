"""Posting a repayment file from the core-banking feed (CSV), all or nothing, idempotent, set-based.

Columns (header required): ``external_ref,loan_number,amount,value_date`` (date as YYYY-MM-DD), and
optionally ``kind`` (``regular``, ``prepayment`` 提前还款 or ``settlement`` 提前结清; empty is regular)
and ``prepayment_mode`` (``reduce_payment`` or ``shorten_term``, for a prepayment).

1. The file is read as a stream and every row checked field by field; a reference repeated inside
   the file is an error.
2. All loans and all already-posted references are looked up in bulk (chunked ``IN`` queries): an
   unknown or settled loan is an error naming the row. A reference already posted with the same loan,
   amount and value date is skipped (importing the same file twice posts nothing the second time);
   posted with different content, it refuses the whole file naming the row, as a single posting would.
3. Any error: nothing is written and every bad row is reported (row number, field, reason).
4. Otherwise the loans are locked (``SELECT ... FOR UPDATE`` in id order). Regular repayments that
   come after everything already posted and accrued on their loan are allocated in memory by the same
   rules as a single posting (value-date order within a loan), loan chunk by loan chunk, and written in
   set-based statements: repayments in multi-row INSERTs, instalments and loans in one
   ``UPDATE ... FROM (VALUES ...)`` per chunk on PostgreSQL and SQLite alike. A loan with a declared
   prepayment or settlement, or with a back-dated row, goes through the single posting
   (`services.repayment_post`), which recalculates or re-values it; its refusal names the row.
"""

import csv
import sqlite3
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Max, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event
from lendpilot.core.errors import Conflict
from lendpilot.lending.classification import classify, days_past_due
from lendpilot.lending.models import CreditLine, Instalment, Loan, OpenAmounts, Repayment
from lendpilot.lending.services.instalments import apply_to_instalments
from lendpilot.lending.services.records import Acting
from lendpilot.lending.services.repayments import PREPAYMENT_MODES, repayment_post, validate_repayment
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm

COLUMNS = ("external_ref", "loan_number", "amount", "value_date")
OPTIONAL_COLUMNS = ("kind", "prepayment_mode")
KINDS = {"": Repayment.Kind.REGULAR, "regular": Repayment.Kind.REGULAR, "正常还款": Repayment.Kind.REGULAR,
         "prepayment": Repayment.Kind.PREPAYMENT, "提前还款": Repayment.Kind.PREPAYMENT,
         "settlement": Repayment.Kind.SETTLEMENT, "提前结清": Repayment.Kind.SETTLEMENT}
CHUNK = 5000
ARRAY_CHUNK = 20000
LOAN_CHUNK = 2000
MAX_REPORTED_ERRORS = 500
ZERO = Decimal("0.00")


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


@dataclass(slots=True)
class _Row:
    row: int
    ref: str
    loan_number: str
    amount: Decimal
    value_date: date
    kind: str = Repayment.Kind.REGULAR
    mode: str = "reduce_payment"


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _lines(source: str | Iterable[str]) -> Iterator[str]:
    if isinstance(source, str):
        yield from source.lstrip("\ufeff").splitlines()
        return
    first = True
    for line in source:
        yield line.lstrip("\ufeff") if first else line
        first = False


def parse(source: str | Iterable[str]) -> tuple[list[_Row], list[RowError]]:
    """Rows numbered as a spreadsheet shows them (the header is row 1). `source` is the text or any
    iterable of lines (an uploaded file read as it streams)."""
    errors: list[RowError] = []
    reader = csv.reader(_lines(source))
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return [], [RowError(1, c, _("missing column")) for c in missing]
    at = {name: header.index(name) for name in (*COLUMNS, *OPTIONAL_COLUMNS) if name in header}
    width = len(header)
    rows: list[_Row] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(reader, start=2):
        if not raw:
            continue
        if len(raw) > width:
            errors.append(RowError(number, "row", _("more columns than the header")))
            continue
        raw = raw + [""] * (width - len(raw))
        loan_number = raw[at["loan_number"]].strip()
        try:
            ref, amount, value_date = validate_repayment(external_ref=raw[at["external_ref"]],
                                                         amount=raw[at["amount"]],
                                                         value_date=raw[at["value_date"]].strip())
        except ValidationError as exc:
            errors.extend(RowError(number, f, " ".join(m)) for f, m in exc.message_dict.items())
            continue
        if not loan_number:
            errors.append(RowError(number, "loan_number", _("the loan number is required")))
            continue
        kind = KINDS.get(raw[at["kind"]].strip().lower() if "kind" in at else "")
        if kind is None:
            errors.append(RowError(number, "kind", _("kind is regular, prepayment or settlement")))
            continue
        mode = (raw[at["prepayment_mode"]].strip() if "prepayment_mode" in at else "") or "reduce_payment"
        if mode not in PREPAYMENT_MODES:
            errors.append(RowError(number, "prepayment_mode", _("mode is reduce_payment or shorten_term")))
            continue
        if ref in seen:
            errors.append(RowError(number, "external_ref", _("reference repeated from row %(row)s") % {
                "row": seen[ref]}))
            continue
        seen[ref] = number
        rows.append(_Row(number, ref, loan_number, amount, value_date, kind, mode))
    return rows, errors


def _params_per_statement() -> int:
    if connection.vendor == "sqlite":
        # Django assumes the old default of 999; the library in use states its own limit (32,766 since 3.32).
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return connection.features.max_query_params or 30000


def _bulk_update(model, objects: list, fields: list[str], casts: dict[str, str]) -> None:
    """One UPDATE ... FROM (VALUES ...) per chunk: PostgreSQL with typed placeholders, SQLite (3.33 and
    later) through a common table expression, since its VALUES cannot name columns."""
    if not objects:
        return
    table = model._meta.db_table
    columns = [model._meta.get_field(f).column for f in fields]
    assignments = ", ".join(f"{c} = v.{c}" for c in columns)
    names = ", ".join(columns)
    if connection.vendor == "postgresql":
        # One array per column: a handful of parameters per statement, so the driver never parses a
        # statement with hundreds of thousands of placeholders.
        arrays = ", ".join(["%s::bigint[]"] + [f"%s::{casts[f]}[]" for f in fields])
        sql = (f"UPDATE {table} AS t SET {assignments} FROM unnest({arrays}) "  # noqa: S608 - model names
               f"AS v(id, {names}) WHERE t.id = v.id")
        with connection.cursor() as cursor:
            for chunk in _chunks(objects, ARRAY_CHUNK):
                cursor.execute(sql, [[obj.pk for obj in chunk], *[[getattr(obj, f) for obj in chunk]
                                                                   for f in fields]])
        return
    placeholder = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
    size = max(1, min(CHUNK, _params_per_statement() // (len(fields) + 1)))
    adapt = _adapter()
    with connection.cursor() as cursor:
        for chunk in _chunks(objects, size):
            values = ", ".join([placeholder] * len(chunk))
            params = [adapt(p) for obj in chunk for p in [obj.pk, *[getattr(obj, f) for f in fields]]]
            cursor.execute(f"WITH v(id, {names}) AS (VALUES {values}) "  # noqa: S608 - names from the model
                           f"UPDATE {table} SET {assignments} FROM v WHERE {table}.id = v.id", params)


def _adapter():
    """Python values as the driver takes them. psycopg adapts Decimal, date and bool itself; for SQLite,
    decimals go as their exact text (the column's numeric affinity stores them), dates as ISO text."""
    if connection.vendor == "postgresql":
        return lambda value: value

    def adapt(value):
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, date):
            return value.isoformat()
        return value
    return adapt


REPAYMENT_COLUMNS = ("loan_id", "external_ref", "amount", "value_date", "penalty_part", "interest_part",
                     "principal_part", "unapplied", "credit_used", "fee_part", "kind", "source", "batch",
                     "posted_by_id", "posted_at", "revaluation")


def _insert_repayments(rows: list[tuple], *, source: str, batch: str, staff_id: int | None, now) -> None:
    """Multi-row INSERTs of (loan_id, ref, amount, value_date, penalty, interest, principal, unapplied,
    credit_used) tuples, as many rows per statement as the database takes parameters."""
    if not rows:
        return
    table = Repayment._meta.db_table
    if connection.vendor == "postgresql":
        casts = ("bigint", "varchar", "numeric", "date", "numeric", "numeric", "numeric", "numeric", "numeric")
        arrays = ", ".join(f"%s::{cast}[]" for cast in casts)
        sql = (f"INSERT INTO {table} ({', '.join(REPAYMENT_COLUMNS)}) "  # noqa: S608 - model names
               f"SELECT v.*, 0, %s, %s, %s, %s::bigint, %s::timestamptz, '{{}}'::jsonb FROM unnest({arrays}) AS v")
        with connection.cursor() as cursor:
            for chunk in _chunks(rows, ARRAY_CHUNK):
                columns = [list(column) for column in zip(*chunk, strict=True)]
                cursor.execute(sql, [Repayment.Kind.REGULAR, source, batch, staff_id, now, *columns])
        return
    posted_at = connection.ops.adapt_datetimefield_value(now)
    revaluation = "{}"
    one = "(" + ", ".join(["%s"] * len(REPAYMENT_COLUMNS)) + ")"
    size = max(1, min(CHUNK, _params_per_statement() // len(REPAYMENT_COLUMNS)))
    adapt = _adapter()
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, size):
            params = [adapt(p) for row in chunk for p in (*row, ZERO, Repayment.Kind.REGULAR, source, batch,
                                                          staff_id, posted_at, revaluation)]
            cursor.execute(f"INSERT INTO {table} ({', '.join(REPAYMENT_COLUMNS)}) "  # noqa: S608 - model names
                           f"VALUES {', '.join([one] * len(chunk))}", params)


INSTALMENT_FIELDS = ["principal_paid", "interest_paid", "penalty_paid", "penalty_accrued", "penalty_through",
                     "is_settled"]
INSTALMENT_CASTS = {"principal_paid": "numeric", "interest_paid": "numeric", "penalty_paid": "numeric",
                    "penalty_accrued": "numeric", "penalty_through": "date", "is_settled": "boolean"}
LOAN_FIELDS = ["outstanding_principal", "status", "unapplied_credit", "days_past_due", "risk_class"]
LOAN_CASTS = {"outstanding_principal": "numeric", "status": "varchar", "unapplied_credit": "numeric",
              "days_past_due": "integer", "risk_class": "smallint"}


class _Open(OpenAmounts):
    """An open instalment as the import needs it: the fields allocation reads and writes, without a model
    instance per row (100,000 repayments touch over a million instalment fields)."""

    __slots__ = ("pk", "loan_id", "seq", "due_date", "principal_due", "interest_due", "principal_paid",
                 "interest_paid", "penalty_accrued", "penalty_paid", "penalty_through", "is_settled")
    FIELDS = ("pk", "loan_id", "seq", "due_date", "principal_due", "interest_due", "principal_paid",
              "interest_paid", "penalty_accrued", "penalty_paid", "penalty_through", "is_settled")

    def __init__(self, values: tuple):
        for name, value in zip(self.FIELDS, values, strict=True):
            setattr(self, name, value)


def _posted(refs: list[str]) -> dict[str, tuple[int, Decimal, date]]:
    found: dict[str, tuple[int, Decimal, date]] = {}
    for chunk in _chunks(refs):
        for ref, loan_id, amount, value_date in Repayment.objects.filter(external_ref__in=chunk).values_list(
                "external_ref", "loan_id", "amount", "value_date"):
            found[ref] = (loan_id, amount, value_date)
    return found


def _redate(loan: Loan, schedule: list) -> None:
    """Days past due and class as of the loan's last delinquency date, from the instalments in memory."""
    as_of = loan.dpd_as_of
    oldest = min((i.due_date for i in schedule if not i.is_settled and i.due_date < as_of), default=None)
    loan.days_past_due = 0 if loan.status != Loan.Status.ACTIVE else days_past_due(as_of, oldest)
    loan.risk_class = classify(loan.days_past_due, loan.manual_class)


def _loans_by_number(rows: list[_Row]) -> dict[str, dict]:
    loans: dict[str, dict] = {}
    for chunk in _chunks(sorted({r.loan_number for r in rows})):
        for loan in Loan.objects.filter(number__in=chunk).values("id", "number", "status", "disbursed_on"):
            loans[loan["number"]] = loan
    return loans


def _row_problem(r: _Row, loan: dict | None, posted: dict[str, tuple[int, Decimal, date]]) -> RowError | None:
    """Why a row cannot be posted against its loan, or None (also None for a row already posted as is)."""
    if loan is None:
        return RowError(r.row, "loan_number", _("unknown loan %(number)s") % {"number": r.loan_number})
    if r.ref in posted:
        if posted[r.ref] != (loan["id"], r.amount, r.value_date):
            return RowError(r.row, "external_ref", _(
                "reference %(ref)s was already posted with another loan, amount or value date") % {"ref": r.ref})
        return None
    if loan["status"] != Loan.Status.ACTIVE:
        return RowError(r.row, "loan_number", _("the loan is settled"))
    if r.value_date < loan["disbursed_on"]:
        return RowError(r.row, "value_date", _("the value date lies before the disbursement"))
    return None


def rows_to_post(rows: list[_Row], errors: list[RowError]) -> tuple[dict[str, dict], list[_Row]]:
    """The loans named in the file and the rows not yet posted; problems are added to `errors`."""
    loans = _loans_by_number(rows)
    posted = _posted([r.ref for r in rows])
    todo: list[_Row] = []
    for r in rows:
        loan = loans.get(r.loan_number)
        problem = _row_problem(r, loan, posted)
        if problem is not None:
            errors.append(problem)
        elif r.ref not in posted:
            todo.append(r)
    return loans, todo


def _single_posting_loans(by_loan: dict[int, list[_Row]]) -> set[int]:
    """Loans whose rows lie before what the loan already has (a later repayment, or penalty accrued by the
    EOD), or declare a prepayment or settlement: the single posting re-values, recalculates or refuses them."""
    after: dict[int, date] = {}
    for chunk in _chunks(sorted(by_loan)):
        for loan_id, latest in Repayment.objects.filter(loan_id__in=chunk).values("loan_id").annotate(
                latest=Max("value_date")).values_list("loan_id", "latest"):
            after[loan_id] = latest
        for loan_id, horizon in Instalment.objects.filter(loan_id__in=chunk, is_settled=False,
                                                          penalty_through__isnull=False).values("loan_id").annotate(
                horizon=Max("penalty_through")).values_list("loan_id", "horizon"):
            after[loan_id] = max(horizon, after.get(loan_id, horizon))
    return {loan_id for loan_id, loan_rows in by_loan.items()
            if any(r.kind != Repayment.Kind.REGULAR for r in loan_rows)
            or (loan_id in after and min(r.value_date for r in loan_rows) < after[loan_id])}


@dataclass
class _Run:
    """One import as it goes: where the money went, the rows refused, the credit lines to release."""

    actor: object
    source: str
    batch: str
    staff_id: int | None
    now: object
    posted: int = 0
    totals: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(
        ("penalty", "interest", "principal", "fee", "unapplied"), ZERO))
    line_principal: dict[int, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    errors: list[RowError] = field(default_factory=list)

    def count(self, **parts: Decimal) -> None:
        for key, value in parts.items():
            self.totals[key] += value


def _allocate_row(loan: Loan, schedule: list[_Open], r: _Row, run: _Run) -> tuple:
    open_rows = [i for i in schedule if not i.is_settled]
    if loan.status != Loan.Status.ACTIVE or not open_rows:
        parts = (ZERO, ZERO, ZERO, r.amount, ZERO)
        loan.unapplied_credit += r.amount
    else:
        applied = apply_to_instalments(loan, open_rows, amount=r.amount, value_date=r.value_date)
        parts = (applied.penalty, applied.interest, applied.principal, applied.unapplied, applied.credit_used)
    if loan.credit_line_id and parts[2]:
        run.line_principal[loan.credit_line_id] += parts[2]
    run.count(penalty=parts[0], interest=parts[1], principal=parts[2], unapplied=parts[3])
    return (loan.pk, r.ref, r.amount, r.value_date, *parts)


def _post_in_bulk(locked: dict[int, Loan], bulk_ids: list[int], by_loan: dict[int, list[_Row]], run: _Run) -> None:
    """Regular rows allocated in memory by the rules of a single posting, written set-based."""
    instalments: dict[int, list[_Open]] = defaultdict(list)
    for values in Instalment.objects.filter(loan_id__in=bulk_ids, is_settled=False).order_by(
            "loan_id", "seq").values_list(*_Open.FIELDS):
        inst = _Open(values)
        instalments[inst.loan_id].append(inst)
    new_repayments: list[tuple] = []
    touched: list[_Open] = []
    for loan_id in bulk_ids:
        loan = locked[loan_id]
        schedule = instalments[loan_id]
        loan_rows = sorted(by_loan[loan_id], key=lambda x: (x.value_date, x.row))
        new_repayments.extend(_allocate_row(loan, schedule, r, run) for r in loan_rows)
        if loan.dpd_as_of and loan_rows[0].value_date <= loan.dpd_as_of:
            _redate(loan, schedule)
        touched.extend(schedule)
    _insert_repayments(new_repayments, source=run.source, batch=run.batch, staff_id=run.staff_id, now=run.now)
    run.posted += len(new_repayments)
    _bulk_update(Instalment, touched, INSTALMENT_FIELDS, INSTALMENT_CASTS)
    _bulk_update(Loan, [locked[i] for i in bulk_ids], LOAN_FIELDS, LOAN_CASTS)


def _post_singly(loan: Loan, loan_rows: list[_Row], run: _Run) -> None:
    """A loan's rows through the single posting, in value-date order; the first refusal names its row."""
    for r in sorted(loan_rows, key=lambda x: (x.value_date, x.row)):
        try:
            rep = repayment_post(actor=run.actor, loan=loan, external_ref=r.ref, amount=r.amount,
                                 value_date=r.value_date, kind=r.kind, prepayment_mode=r.mode,
                                 source=run.source, batch=run.batch)
        except ValidationError as exc:
            run.errors.extend(RowError(r.row, f, " ".join(m)) for f, m in exc.message_dict.items())
            return
        except Conflict as exc:
            run.errors.append(RowError(r.row, "external_ref", str(exc)))
            return
        run.posted += 1
        run.count(penalty=rep.penalty_part, interest=rep.interest_part, principal=rep.principal_part,
                  fee=rep.fee_part, unapplied=rep.unapplied)


def _refuse(errors: list[RowError]) -> None:
    errors.sort(key=lambda e: e.row)
    raise RepaymentImportError(errors[:MAX_REPORTED_ERRORS])


@transaction.atomic
def repayments_import(*, actor: Acting, text: str | Iterable[str], source: str = Repayment.Source.CSV,
                      batch: str | None = None) -> ImportResult:
    acting = actor_of(actor)
    require(acting, Perm.POST_REPAYMENT)
    batch = batch or f"B{timezone.now():%Y%m%d%H%M%S}{uuid.uuid4().hex[:6]}"
    rows, errors = parse(text)
    if not rows and not errors:
        errors.append(RowError(1, "file", _("the file has no rows")))
    loans, todo = rows_to_post(rows, errors)
    if errors:
        _refuse(errors)

    by_loan: dict[int, list[_Row]] = defaultdict(list)
    for r in todo:
        by_loan[loans[r.loan_number]["id"]].append(r)
    singles = _single_posting_loans(by_loan)
    run = _Run(actor=actor, source=source, batch=batch, staff_id=acting.staff.pk if acting.staff else None,
               now=timezone.now())
    for chunk in _chunks(sorted(by_loan), LOAN_CHUNK):
        locked = {loan.pk: loan for loan in Loan.objects.select_for_update().filter(pk__in=chunk).order_by("pk")}
        _post_in_bulk(locked, [i for i in chunk if i not in singles], by_loan, run)
        for loan_id in sorted(i for i in chunk if i in singles):
            _post_singly(locked[loan_id], by_loan[loan_id], run)
    if run.errors:
        # Raising inside the transaction undoes every row already written.
        _refuse(run.errors)

    for line_id, principal in run.line_principal.items():
        CreditLine.objects.filter(pk=line_id).update(
            utilised=Greatest(F("utilised") - principal, Value(Decimal("0.00"))))
    result = ImportResult(batch=batch, rows=len(rows), posted=run.posted,
                          already_posted=len(rows) - len(todo), amount=sum((r.amount for r in todo), Decimal("0")),
                          allocated=run.totals)
    record_event(actor=acting.user, event_code="lending.repayments_imported", object_type="batch", object_id=batch,
                 after=result.as_dict())
    return result
