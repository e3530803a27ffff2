"""Statements that run on every API call, prepared once per PostgreSQL connection, and model instances
built from their rows.

Django binds parameters on the client, so PostgreSQL parses and plans each statement afresh. Planning a
five-table join costs the server about ten times what running it does (0.6 ms against 0.05 ms of CPU on
a 2-core machine), and the bearer-token lookup and the pre-screen's product read run on every call of a
channel's system. `fetch_prepared` sends a statement with server-side binding; psycopg prepares it on its
first use on a connection (`DATABASES OPTIONS prepare_threshold`, set in settings) and PostgreSQL reuses
the plan from then on. Every other statement keeps Django's client-side binding and is never prepared.

Without `prepare_threshold` (DATABASE_PREPARED_STATEMENTS=0, for a pooler that cannot carry prepared
statements) and on SQLite the statement runs as an ordinary one. A prepared statement names its columns
(`model_columns`), so a column added by a later migration does not change what it returns.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model

M = TypeVar("M", bound=Model)


def fetch_prepared(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """The rows of a read statement, prepared on PostgreSQL. It goes through Django's cursor wrapper, so
    query logging, execute wrappers and the translation of database errors (an outage answers 503) apply
    as to any other statement."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
    from django.db.backends.postgresql.base import ServerBindingCursor

    # what connection.cursor() does, with a server-binding cursor in place of the client-binding default
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        raw = ServerBindingCursor(connection.connection)
    wrapped = connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
    with wrapped as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def model_columns(model: type[Model], alias: str) -> tuple[list[str], str]:
    """The attribute names of a model's concrete fields and the matching `alias."column"` select list."""
    fields = model._meta.concrete_fields
    return [f.attname for f in fields], ", ".join(f'{alias}."{f.column}"' for f in fields)


@functools.cache
def _row_converters(model: type[Model], vendor: str) -> list[tuple[list[Callable[..., Any]], Any]]:
    """Per column of `model`, the converters the ORM applies to a fetched value, and the column expression
    they take (SQLite hands datetimes, decimals and booleans over as text and integers)."""
    out = []
    for field in model._meta.concrete_fields:
        col = field.get_col(model._meta.db_table)
        out.append(([*connection.ops.get_db_converters(col), *col.get_db_converters(connection)], col))
    return out


def model_from_row(model: type[M], attnames: list[str], raw: Sequence[Any]) -> M:
    """An instance of `model` from the columns `model_columns` selected, converted as the ORM would."""
    values = []
    for (converters, col), value in zip(_row_converters(model, connection.vendor), raw, strict=True):
        for converter in converters:
            value = converter(value, col, connection)
        values.append(value)
    return model.from_db(connection.alias, attnames, values)


def insert_prepared(instance: Model, *, wait_for_flush: bool = True) -> None:
    """Save a new `instance` as one prepared INSERT and set its primary key. Each field's value is made
    ready as the ORM's save makes it (`pre_save` fills auto_now_add, `get_db_prep_save` adapts JSON and
    decimals). No signals are sent: nothing in LendPilot listens to model signals for business rules.

    wait_for_flush=False, outside a transaction only: the statement's own commit does not wait for the
    write-ahead log to reach the disk (synchronous_commit off for that one transaction). A crash can then
    lose the last fraction of a second of such rows, never anything else; for an inquiry log only. Inside
    a caller's transaction the caller's durability applies."""
    model = type(instance)
    if connection.vendor != "postgresql":
        instance.save(force_insert=True)
        return
    relaxed = not wait_for_flush and not connection.in_atomic_block
    fields, sql = _insert_statement(model, relaxed)
    params = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    rows = fetch_prepared(sql, params)
    instance.pk = rows[0][0]


@functools.cache
def _insert_statement(model: type[Model], relaxed: bool) -> tuple[list[Any], str]:
    meta = model._meta
    fields = [f for f in meta.concrete_fields if f is not meta.pk]
    columns = ", ".join(f'"{f.column}"' for f in fields)
    returning = f'"{meta.pk.column}"'
    if relaxed:
        # evaluated while the row is written, so in force when the statement's transaction commits
        returning += ", set_config('synchronous_commit', 'off', true)"
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f'INSERT INTO "{meta.db_table}" ({columns}) VALUES ({placeholders}) RETURNING {returning}'  # noqa: S608
    return fields, sql
