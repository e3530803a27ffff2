"""Reading a lead file (CSV in UTF-8 or GBK, or Excel .xlsx) into rows of text by column. Pure: no ORM.

Columns, in English or Chinese: name/名称 (required), kind/类型 (person/个人 or enterprise/企业),
id_number/身份证号, credit_code/统一社会信用代码, phone/手机号, industry/行业 (national industry letter),
region/地区 (region code), product/产品 (product code), amount/金额, source/来源, note/备注.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lendpilot.compliance.screening.watchlist_file import WatchFileError, read_table

MAX_ROWS = 5_000
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "名称", "姓名", "客户名称"),
    "kind": ("kind", "类型", "客户类型"),
    "id_number": ("id_number", "身份证号", "证件号码"),
    "credit_code": ("credit_code", "统一社会信用代码", "信用代码"),
    "phone": ("phone", "手机号", "电话", "手机"),
    "industry": ("industry", "行业"),
    "region": ("region", "地区", "区域"),
    "product": ("product", "产品"),
    "amount": ("amount", "amount_wanted", "金额", "意向金额"),
    "source": ("source", "来源"),
    "note": ("note", "备注", "source_detail"),
}
# What each column holds, for the import page's list of columns.
COLUMN_LABELS = {
    "name": gettext_lazy("Name"), "kind": gettext_lazy("Kind (person or enterprise)"),
    "id_number": gettext_lazy("ID number"), "credit_code": gettext_lazy("Unified social credit code"),
    "phone": gettext_lazy("Mobile phone"), "industry": gettext_lazy("Industry (national industry section letter)"),
    "region": gettext_lazy("Region code (empty: your own region)"), "product": gettext_lazy("Product code"),
    "amount": gettext_lazy("Amount wanted (CNY)"), "source": gettext_lazy("Source"), "note": gettext_lazy("Note"),
}
KIND_WORDS = {"个人": "person", "企业": "enterprise", "person": "person", "enterprise": "enterprise"}


class LeadFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, no name column, too many rows)."""


@dataclass(frozen=True)
class LeadRow:
    row: int  # the row number in the file, header = 1
    values: dict[str, str]


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))  # Excel stores 13800138000 as a float
    return str(cell).strip()


def read_lead_file(data: bytes, filename: str) -> list[LeadRow]:
    try:
        table = read_table(data, filename)
    except WatchFileError as exc:
        raise LeadFileError(str(exc)) from exc
    if not table:
        raise LeadFileError(_("the file is empty"))
    names = [_text(cell).lower() for cell in table[0]]
    positions = {column: names.index(spelling) for column, spellings in COLUMNS.items()
                 for spelling in reversed(spellings) if spelling in names}
    if "name" not in positions:
        raise LeadFileError(_("the first row must name the columns; a name column (name or 名称) is required"))
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values = {column: _text(cells[index]) if index < len(cells) else "" for column, index in positions.items()}
        if not any(values.values()):
            continue
        values["kind"] = KIND_WORDS.get(values.get("kind", "").lower(), values.get("kind", "") or "person")
        rows.append(LeadRow(number, values))
    if len(rows) > MAX_ROWS:
        raise LeadFileError(_("at most %(n)s rows in one file") % {"n": MAX_ROWS})
    return rows
