"""Reading a watch-list file (CSV in UTF-8 or GBK, or Excel .xlsx) into rows, with an error per bad row.

Columns, in English or Chinese: name/姓名 (required), aliases/别名, id_numbers/证件号码, birth_date/出生日期,
remark/备注. Several aliases or ID numbers in one cell are separated by ";", "；", "|" or "、". A file is
imported whole or not at all, so the preview lists every row's error before anything is stored.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime

from django.utils.translation import gettext as _
from openpyxl import load_workbook  # type: ignore[import-untyped]

MAX_ROWS = 100_000
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "姓名", "名称", "全名"),
    "aliases": ("aliases", "alias", "别名", "曾用名"),
    "id_numbers": ("id_numbers", "id_number", "证件号码", "身份证号", "证件号"),
    "birth_date": ("birth_date", "date_of_birth", "出生日期"),
    "remark": ("remark", "备注", "说明"),
}
_SEPARATORS = re.compile(r"[;；|、]")
_CN_DATE = re.compile(r"^(\d{4})\s*[年/.-]\s*(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*日?$")


class WatchFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, no name column)."""


@dataclass(frozen=True)
class WatchRow:
    row: int
    name: str
    aliases: tuple[str, ...]
    id_numbers: tuple[str, ...]
    birth_date: date | None
    remark: str


@dataclass(frozen=True)
class RowError:
    row: int
    message: str


def read_table(data: bytes, filename: str) -> list[list[object]]:
    """The cells of the first sheet (Excel) or of the CSV text, header row first."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several kinds for a damaged or foreign file
            raise WatchFileError(_("not an Excel workbook (.xlsx)")) from exc
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return [list(row) for row in csv.reader(io.StringIO(text))]
    raise WatchFileError(_("the file is neither UTF-8 nor GBK text"))


def _column_positions(header: list[object]) -> dict[str, int]:
    names = [str(cell or "").strip().lower() for cell in header]
    positions = {}
    for column, spellings in COLUMNS.items():
        for index, name in enumerate(names):
            if name in spellings:
                positions[column] = index
                break
    if "name" not in positions:
        raise WatchFileError(_("the first row must name the columns; a name column (name or 姓名) is required"))
    return positions


def read_birth_date(value: object) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    match = _CN_DATE.match(text)
    if match:
        return date(int(match[1]), int(match[2]), int(match[3]))
    return date.fromisoformat(text)


def _split(value: object) -> tuple[str, ...]:
    return tuple(part.strip() for part in _SEPARATORS.split(str(value or "")) if part.strip())


def parse_watch_list(table: list[list[object]]) -> tuple[list[WatchRow], list[RowError]]:
    """Rows and errors; row numbers count the header as row 1, as a spreadsheet shows them."""
    if not table:
        raise WatchFileError(_("the file is empty"))
    positions = _column_positions(table[0])
    if len(table) - 1 > MAX_ROWS:
        raise WatchFileError(_("the file has more than %(max)d rows") % {"max": MAX_ROWS})
    rows: list[WatchRow] = []
    errors: list[RowError] = []

    def cell(values: list[object], column: str) -> object:
        index = positions.get(column)
        return values[index] if index is not None and index < len(values) else None

    for number, values in enumerate(table[1:], start=2):
        if not any(str(v or "").strip() for v in values):
            continue
        name = str(cell(values, "name") or "").strip()
        if not name:
            errors.append(RowError(number, _("the name is empty")))
            continue
        if len(name) > 200:
            errors.append(RowError(number, _("the name is longer than 200 characters")))
            continue
        try:
            birth = read_birth_date(cell(values, "birth_date"))
        except ValueError:
            errors.append(RowError(number, _("birth date is not a date (YYYY-MM-DD)")))
            continue
        rows.append(WatchRow(number, name, _split(cell(values, "aliases")), _split(cell(values, "id_numbers")),
                             birth, str(cell(values, "remark") or "").strip()[:200]))
    if not rows and not errors:
        errors.append(RowError(2, _("the file has no entries")))
    return rows, errors
