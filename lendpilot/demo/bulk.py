"""Bulk loading for the demo steps: COPY on PostgreSQL (psycopg 3's `cursor.copy()`), batched
`bulk_create` elsewhere. Rows arrive as tuples from a generator and are written a batch at a time,
each batch in its own transaction, so memory stays flat at any scale."""

from collections.abc import Callable, Iterable
from itertools import islice

from django.db import connection, models, transaction


def insert_rows(model: type[models.Model], columns: list[str], rows: Iterable[tuple], *,
                batch_size: int, on_batch: Callable[[int], None] | None = None) -> int:
    """Insert `rows` (tuples in the order of `columns`, given as model attribute names such as
    `region_id`) into `model`'s table; returns the number written."""
    fields = [model._meta.get_field(name) for name in columns]
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        sql = "COPY {} ({}) FROM STDIN".format(
            quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
        )
        write_batch = _copy_writer(sql)
    else:
        names = [f.attname for f in fields]

        def write_batch(batch: list[tuple]) -> None:
            model.objects.bulk_create([model(**dict(zip(names, row, strict=True))) for row in batch],
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


def _copy_writer(sql: str) -> Callable[[list[tuple]], None]:
    def write_batch(batch: list[tuple]) -> None:
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in batch:
                copy.write_row(row)

    return write_batch


def analyze(model: type[models.Model]) -> None:
    """Refresh the planner's statistics after a large load (PostgreSQL; SQLite's ANALYZE too)."""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
