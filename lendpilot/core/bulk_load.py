"""Bulk loading for the demo steps: COPY on PostgreSQL (psycopg 3's `cursor.copy()`); on SQLite
one parametrised INSERT run with `executemany` per batch (bulk_create there is held to 999
parameters a statement, about 40 customer rows); batched `bulk_create` on anything else. Rows
arrive as tuples from a generator and are written a batch at a time, each batch in its own
transaction, so memory stays flat at any scale."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from typing import Any

from django.db import connection, models, transaction

Row = tuple[Any, ...]  # one row's values, in the order of the columns named
Column = models.Field[Any, Any]


def insert_rows(model: type[models.Model], columns: list[str], rows: Iterable[Row], *,
                batch_size: int, on_batch: Callable[[int], None] | None = None) -> int:
    """Insert `rows` (tuples in the order of `columns`, given as model attribute names such as
    `region_id`) into `model`'s table; returns the number written. Columns not named that have a plain
    (not callable) default take it, as `Model.objects.create` would."""
    columns, rows = _with_defaults(model, columns, rows)
    fields = [_column(model, name) for name in columns]
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        sql = "COPY {} ({}) FROM STDIN".format(
            quote(model._meta.db_table), ", ".join(quote(_db_column(f)) for f in fields)
        )
        write_batch = _copy_writer(sql)
    elif connection.vendor == "sqlite":
        write_batch = _executemany_writer(model, fields)
    else:
        names = [f.attname for f in fields]

        def write_batch(batch: list[Row]) -> None:
            model._default_manager.bulk_create([model(**dict(zip(names, row, strict=True))) for row in batch],
                                      batch_size=batch_size)

    written = 0
    iterator = iter(rows)
    while batch := list(islice(iterator, batch_size)):
        with transaction.atomic():
            write_batch(batch)
        written += len(batch)
        if on_batch is not None:
            on_batch(len(batch))
    return written


def _column(model: type[models.Model], name: str) -> Column:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or field.column is None:
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return field


def _db_column(field: Column) -> str:
    if field.column is None:
        raise ValueError(f"{field.name} is not a column")
    return field.column


def _with_defaults(model: type[models.Model], columns: list[str],
                   rows: Iterable[Row]) -> tuple[list[str], Iterable[Row]]:
    """A column added to a model later, with a default, does not break every loader written before it."""
    named = set(columns)
    missing = [f for f in model._meta.concrete_fields
               if f.has_default() and not callable(f.default) and not f.primary_key
               and f.attname not in named and f.name not in named]
    if not missing:
        return columns, rows
    defaults = tuple(f.get_default() for f in missing)
    return [*columns, *(f.attname for f in missing)], (tuple(row) + defaults for row in rows)


def _copy_writer(sql: str) -> Callable[[list[Row]], None]:
    def write_batch(batch: list[Row]) -> None:
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in batch:
                copy.write_row(row)

    return write_batch


# Column types whose Python values the database driver cannot take as they are.
_PREPARED_TYPES = {"DateTimeField", "DateField", "TimeField", "DecimalField", "JSONField", "UUIDField",
                   "DurationField"}


def _executemany_writer(model: type[models.Model], fields: list[Column]) -> Callable[[list[Row]], None]:
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (names from the model, values bound)
        quote(model._meta.db_table), ", ".join(quote(_db_column(f)) for f in fields), ", ".join(["%s"] * len(fields))
    )
    prepared = [i for i, f in enumerate(fields) if f.get_internal_type() in _PREPARED_TYPES]

    # Timestamps are usually one value for a whole load: convert it once.
    last_in: dict[int, object] = {}
    last_out: dict[int, object] = {}

    def prepare(row: Row) -> Row:
        if not prepared:
            return row
        values = list(row)
        for i in prepared:
            value = values[i]
            if value is None:
                continue
            if last_in.get(i) is not value:
                last_in[i], last_out[i] = value, fields[i].get_db_prep_save(value, connection)
            values[i] = last_out[i]
        return tuple(values)

    def write_batch(batch: list[Row]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(sql, [prepare(row) for row in batch])

    return write_batch


@contextmanager
def indexes_rebuilt_after(model: type[models.Model]) -> Iterator[None]:
    """On PostgreSQL, drop the table's plain and partial indexes (not those backing a primary key
    or a constraint), run the load, then build them again: one sort per index instead of a random
    B-tree insert per row and index, which is what makes a million-row load slow. Everything runs in
    one transaction, so a failed load leaves the table and its indexes as they were."""
    if connection.vendor != "postgresql":
        yield
        return
    table = model._meta.db_table
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT i.indexname, i.indexdef FROM pg_indexes i
                WHERE i.schemaname = current_schema() AND i.tablename = %s
                  AND NOT EXISTS (
                    SELECT 1 FROM pg_constraint c
                    WHERE c.conrelid = %s::regclass AND c.conindid = (quote_ident(i.indexname))::regclass
                  )
                ORDER BY i.indexname
                """,
                [table, connection.ops.quote_name(table)],
            )
            indexes = cursor.fetchall()
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
            # Foreign keys are checked as each batch is written rather than queued to the commit:
            # PostgreSQL refuses CREATE INDEX on a table with pending (deferred) trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        yield
        with connection.cursor() as cursor:
            for _name, definition in indexes:
                cursor.execute(definition)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # back to Django's initially-deferred keys


def analyze(model: type[models.Model]) -> None:
    """Refresh the planner's statistics after a large load (PostgreSQL; SQLite's ANALYZE too)."""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def insert_select(model: type[models.Model], columns: list[str], queryset: models.QuerySet[Any], *,
                  prefix_params: list[Any] | None = None, select: str | None = None) -> int:
    """INSERT INTO model (columns) SELECT <select or *> FROM (<queryset's SQL>) s, one statement in the
    database; `columns` are model attribute names, the queryset's values() list them in order. Returns
    the rows written. `select` with `prefix_params` lets the caller add computed columns in SQL."""
    sql, params = queryset.query.sql_with_params()
    quote = connection.ops.quote_name
    cols = ", ".join(quote(_db_column(_column(model, c))) for c in columns)
    table = quote(model._meta.db_table)
    if select is None:
        # Unwrapped, so PostgreSQL types each parameter by its target column (a NULL for a bigint
        # column stays a bigint; inside a sub-select it would become text).
        statement = f"INSERT INTO {table} ({cols}) {sql}"  # noqa: S608 (model names)
    else:
        statement = f"INSERT INTO {table} ({cols}) SELECT {select} FROM ({sql}) s"  # noqa: S608 (model names)
    with connection.cursor() as cursor:
        cursor.execute(statement, [*(prefix_params or []), *params])
        written: int = cursor.rowcount
    return written
