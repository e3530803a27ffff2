"""Market sheets parse into checked rows; every bad row is reported with its number and column."""

from datetime import date
from decimal import Decimal

from lendpilot.market.figures_file import parse_rows, read_table


def test_lpr_sheet_rows_and_row_errors():
    content = (b"effective,tenor,rate_percent,source\n2026-01-20,1Y,3.00,PBOC\n2026-02-20,5Y,abc,PBOC\n"
               b"2026-03-20,1Y,3.0,\n")
    sheet = parse_rows("lpr", read_table(content, "lpr.csv"))
    assert sheet.rows[0]["rate_percent"] == Decimal("0.03") and sheet.rows[0]["effective"] == date(2026, 1, 20)
    assert sheet.errors == [(3, "rate_percent: not a valid value (abc)"), (4, "source: required")]


def test_missing_columns_are_named():
    sheet = parse_rows("indicator", [["code", "value"], ["GDP", "5"]])
    assert sheet.errors == [(1, "missing columns: name, region, as_of, unit, source")] and not sheet.rows


def test_excel_sheet_reads_like_csv():
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["effective", "tenor", "rate_percent", "source"])
    sheet.append([date(2026, 1, 20), "5Y", 3.5, "NIFC"])
    buffer = io.BytesIO()
    book.save(buffer)
    parsed = parse_rows("lpr", read_table(buffer.getvalue(), "lpr.xlsx"))
    assert not parsed.errors
    assert parsed.rows[0]["effective"] == date(2026, 1, 20) and parsed.rows[0]["rate_percent"] == Decimal("0.035")
