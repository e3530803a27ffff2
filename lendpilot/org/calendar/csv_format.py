"""The holiday-arrangement CSV that operations import (pure: no ORM).

One row per moved day: `date,kind,name` (Chinese headers 日期,类型,名称 also accepted). `kind` is
`holiday` / 休 / 假 for a day off, `workday` / 班 / 调休 for an adjusted working day. Files from
Chinese back offices come in UTF-8 (with or without BOM) or GB18030/GBK.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

HOLIDAY = "holiday"
WORKDAY = "workday"
MAX_ROWS = 400
KIND_WORDS = {
    "holiday": HOLIDAY, "休": HOLIDAY, "假": HOLIDAY, "休息": HOLIDAY, "节假日": HOLIDAY,
    "workday": WORKDAY, "班": WORKDAY, "调休": WORKDAY, "上班": WORKDAY, "调休上班": WORKDAY,
}
HEADERS = {"date": "date", "日期": "date", "kind": "kind", "类型": "kind", "name": "name", "名称": "name"}


@dataclass(frozen=True)
class ArrangementRow:
    day: date
    kind: str
    name: str


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based line number in the file, the header being line 1
    field: str
    message: str


def decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError(_("The file is neither UTF-8 nor GB18030/GBK text."))


def parse_arrangement(text: str, *, year: int) -> tuple[list[ArrangementRow], list[RowError]]:
    """The rows of `text` for `year`, and every problem found (nothing is half-accepted)."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        return [], [RowError(1, "file", _("The file is empty."))]
    columns = {HEADERS[cell.strip().lower()]: i for i, cell in enumerate(header) if cell.strip().lower() in HEADERS}
    missing = [name for name in ("date", "kind") if name not in columns]
    if missing:
        return [], [RowError(1, name, _("Missing column: %(name)s") % {"name": name}) for name in missing]
    rows: list[ArrangementRow] = []
    errors: list[RowError] = []
    seen: dict[date, int] = {}
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if line - 1 > MAX_ROWS:
            errors.append(RowError(line, "file", _("At most %(n)d rows per file.") % {"n": MAX_ROWS}))
            break

        def cell(name: str, cells: list[str] = cells) -> str:
            index = columns.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        try:
            day = date.fromisoformat(cell("date"))
        except ValueError:
            errors.append(RowError(line, "date", _("Not a date (YYYY-MM-DD): %(value)s") % {"value": cell("date")}))
            continue
        if day.year != year:
            errors.append(RowError(line, "date", _("%(day)s is not in %(year)d.") % {"day": day, "year": year}))
            continue
        kind = KIND_WORDS.get(cell("kind").lower())
        if kind is None:
            errors.append(RowError(line, "kind", _("Kind must be holiday (休) or workday (班): %(value)s")
                                   % {"value": cell("kind")}))
            continue
        if day in seen:
            errors.append(RowError(line, "date", _("%(day)s is already on line %(line)d.")
                                   % {"day": day, "line": seen[day]}))
            continue
        name = cell("name")
        if len(name) > 60:
            errors.append(RowError(line, "name", _("At most 60 characters.")))
            continue
        seen[day] = line
        rows.append(ArrangementRow(day, kind, name))
    if not rows and not errors:
        errors.append(RowError(1, "file", _("The file has no days.")))
    return rows, errors
