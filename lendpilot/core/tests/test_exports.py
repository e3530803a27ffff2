"""Exports keep user text as text: no cell of a CSV or Excel file opens as a formula (OWASP CSV injection)."""

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from lendpilot.core.exports import append_row, csv_writer, spreadsheet_safe

HOSTILE = '=HYPERLINK("http://evil.example","click")'


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", HOSTILE])
def test_text_starting_with_a_formula_trigger_gets_a_quote(text):
    assert spreadsheet_safe(text) == "'" + text


@pytest.mark.parametrize("value", ["王芳", "a=b", "", None, 42, Decimal("-12.50"), -3])
def test_plain_text_and_numbers_pass_unchanged(value):
    assert spreadsheet_safe(value) == value


def test_csv_writer_quotes_hostile_fields_only():
    out = io.StringIO()
    csv_writer(out).writerow([1, HOSTILE, "王芳", Decimal("-5.00")])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["1", "'" + HOSTILE, "王芳", "-5.00"]


def test_excel_rows_store_text_as_text_not_formula():
    book = Workbook()
    sheet = book.active
    append_row(sheet, [HOSTILE, 3, Decimal("1.50")])
    out = io.BytesIO()
    book.save(out)
    cells = load_workbook(io.BytesIO(out.getvalue())).active[1]
    assert cells[0].value == HOSTILE and cells[0].data_type == "s"
    assert cells[1].value == 3 and cells[1].data_type == "n"
