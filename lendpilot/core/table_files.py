"""Reading an uploaded table (CSV in UTF-8 or GBK, or Excel .xlsx) into rows of text, header first.

Imports of every package (repayments, leads, watch lists) start from the same rows: Excel cells come out
as people typed them (a date as YYYY-MM-DD, a whole number without ".0"), so each import validates text
the same way whether the file was saved as CSV or as a workbook.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from django.utils.translation import gettext as _
from openpyxl import load_workbook

MAX_BYTES = 20 * 1024 * 1024


class TableFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, size)."""


def cell_text(value: object) -> str:
    """A cell as the text a person would have typed."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(data: bytes, filename: str) -> list[list[str]]:
    """The cells of the first sheet (Excel) or of the CSV text, header row first, as text."""
    if len(data) > MAX_BYTES:
        raise TableFileError(_("the file is larger than %(mb)s MB") % {"mb": MAX_BYTES // (1024 * 1024)})
    if filename.lower().endswith((".xlsx", ".xlsm")):
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several kinds for a damaged or foreign file
            raise TableFileError(_("not an Excel workbook (.xlsx)")) from exc
        sheet = book.worksheets[0]
        return [[cell_text(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]
    raise TableFileError(_("the file is neither UTF-8 nor GBK text"))


def table_as_csv(rows: list[list[str]]) -> str:
    """Rows back as CSV text (for an import that reads CSV lines), trailing empty rows dropped."""
    while rows and not any(rows[-1]):
        rows = rows[:-1]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows([row for row in rows if any(row)])
    return out.getvalue()
