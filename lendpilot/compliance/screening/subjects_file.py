"""A file of subjects to screen (reference, name, ID number, birth date), read into `Subject`s with an error
per bad row. The ID number is turned into its keyed hash at once and never kept."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from lendpilot.compliance.screening.names import Subject
from lendpilot.compliance.screening.watchlist_file import RowError, WatchFileError, read_birth_date

COLUMNS = {"reference": ("reference", "ref", "编号"), "name": ("name", "姓名", "名称"),
           "id_number": ("id_number", "证件号码", "身份证号"), "birth_date": ("birth_date", "出生日期")}


def parse_subjects(table: list[list[object]], *, id_hash: Callable[[str], str]) -> tuple[list[Subject], list[RowError]]:
    if not table:
        raise WatchFileError(_("the file is empty"))
    header = [str(cell or "").strip().lower() for cell in table[0]]
    positions = {column: next((i for i, h in enumerate(header) if h in names), None)
                 for column, names in COLUMNS.items()}
    if positions["reference"] is None or positions["name"] is None:
        raise WatchFileError(_("the first row must name the columns reference and name"))
    subjects, errors, seen = [], [], set()
    for number, values in enumerate(table[1:], start=2):
        def cell(column: str, values: list[object] = values) -> str:
            index = positions[column]
            return str(values[index] or "").strip() if index is not None and index < len(values) else ""

        ref, name = cell("reference")[:64], cell("name")[:200]
        if not ref and not name:
            continue
        if not ref or not name:
            errors.append(RowError(number, _("reference and name are required")))
            continue
        if ref in seen:
            errors.append(RowError(number, _("the reference appears twice")))
            continue
        try:
            birth = read_birth_date(cell("birth_date"))
        except ValueError:
            errors.append(RowError(number, _("birth date is not a date (YYYY-MM-DD)")))
            continue
        seen.add(ref)
        subjects.append(Subject(ref, name, id_hash(cell("id_number")), birth))
    return subjects, errors
