"""Watch-list files: CSV (UTF-8 or GBK) and Excel, Chinese or English headers, an error per bad row."""

import io
from datetime import date

import pytest
from openpyxl import Workbook

from lendpilot.compliance.screening.watchlist_file import WatchFileError, parse_watch_list, read_table


def test_csv_with_chinese_headers_in_gbk():
    data = "姓名,别名,证件号码,出生日期\n张伟,ZHANG Wei；Zhang W.,110101196001010016,1960年1月1日\n".encode("gbk")
    rows, errors = parse_watch_list(read_table(data, "list.csv"))
    assert not errors
    assert rows[0].name == "张伟" and rows[0].aliases == ("ZHANG Wei", "Zhang W.")
    assert rows[0].birth_date == date(1960, 1, 1)


def test_excel_rows_with_errors_named_by_row():
    book = Workbook()
    sheet = book.active
    sheet.append(["name", "aliases", "id_numbers", "birth_date"])
    sheet.append(["OUYANG Xiaoming", "", "", date(1970, 2, 3)])
    sheet.append(["", "x", "", ""])
    sheet.append(["李雷", "", "", "not a date"])
    buffer = io.BytesIO()
    book.save(buffer)
    rows, errors = parse_watch_list(read_table(buffer.getvalue(), "list.xlsx"))
    assert [r.name for r in rows] == ["OUYANG Xiaoming"]
    assert [e.row for e in errors] == [3, 4]


def test_a_file_without_a_name_column_is_refused():
    with pytest.raises(WatchFileError):
        parse_watch_list(read_table(b"foo,bar\n1,2\n", "x.csv"))
