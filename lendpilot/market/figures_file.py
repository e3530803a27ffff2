"""Reading market figures from a CSV or Excel sheet into checked rows, with an error per bad row.

Three sheet kinds share one shape: a header row naming the columns, then one figure per row. Nothing is
saved here; the import service saves all rows or none.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

COLUMNS: dict[str, tuple[str, ...]] = {
    "lpr": ("effective", "tenor", "rate_percent", "source"),
    "indicator": ("code", "name", "region", "as_of", "value", "unit", "source"),
    "competitor_move": ("competitor", "kind", "product", "region", "effective", "apr_percent", "approval_days",
                        "documents", "source"),
}
REQUIRED_EMPTY_OK = {"region", "unit", "documents"}


@dataclass
class ParsedSheet:
    kind: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (sheet row number, message)


def _cell(value: Any, column: str) -> Any:
    text = "" if value is None else str(value).strip()
    if column in ("effective", "as_of"):
        if isinstance(value, date):
            return value if not hasattr(value, "date") else value.date()
        return date.fromisoformat(text[:10])
    if column in ("rate_percent", "apr_percent", "value", "approval_days"):
        number = Decimal(text.replace(",", "").rstrip("%"))
        return number / 100 if column.endswith("_percent") else number
    return text


def parse_rows(kind: str, table: Iterable[Sequence[Any]]) -> ParsedSheet:
    if kind not in COLUMNS:
        raise ValueError(f"unknown sheet kind {kind!r}")
    sheet = ParsedSheet(kind)
    rows = iter(table)
    header = [str(h or "").strip().lower() for h in next(rows, [])]
    missing = [c for c in COLUMNS[kind] if c not in header]
    if missing:
        sheet.errors.append((1, "missing columns: " + ", ".join(missing)))
        return sheet
    for number, raw in enumerate(rows, start=2):
        if not any(str(v or "").strip() for v in raw):
            continue
        values = dict(zip(header, raw, strict=False))
        row: dict[str, Any] = {}
        for column in COLUMNS[kind]:
            try:
                row[column] = _cell(values.get(column), column)
            except (ValueError, InvalidOperation):
                sheet.errors.append((number, f"{column}: not a valid value ({values.get(column)!s})"))
                break
            if row[column] == "" and column not in REQUIRED_EMPTY_OK:
                sheet.errors.append((number, f"{column}: required"))
                break
        else:
            sheet.rows.append(row | {"row": number})
    return sheet


def read_table(content: bytes, filename: str) -> list[list[Any]]:
    """The cells of a .csv (UTF-8, with or without BOM) or the first sheet of an .xlsx file."""
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook  # type: ignore[import-untyped]  # only Excel uploads need it

        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
