"""Spreadsheet exports that keep user text as text (OWASP "CSV injection").

A spreadsheet opens a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a
formula, so a customer name such as ``=HYPERLINK("http://evil","click")`` would become a live link in
the reader's Excel. Every CSV and Excel export of the project writes through this module.
"""

import csv
from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """Text that a spreadsheet cannot read as a formula: a leading trigger gets a ``'`` in front.

    Numbers, dates and None pass unchanged; a negative amount stays a number."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class SafeCsvWriter:
    """``csv.writer`` whose every text field goes through :func:`spreadsheet_safe`."""

    def __init__(self, stream, **kwargs) -> None:
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([spreadsheet_safe(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream, **kwargs) -> SafeCsvWriter:
    return SafeCsvWriter(stream, **kwargs)


def append_row(sheet: Worksheet, values: Iterable[Any]) -> list[Cell]:
    """Append a row to an openpyxl sheet; text is stored as a string cell, never as a formula.

    openpyxl turns any string that starts with ``=`` into a formula cell; the data type is set back to
    string, which Excel and LibreOffice show verbatim."""
    sheet.append(list(values))
    cells = list(sheet[sheet.max_row])
    for cell in cells:
        if isinstance(cell.value, str):
            cell.data_type = "s"
    return cells
