"""The review workbook stores titles and notes typed by users as text cells, not formulas."""

import io

from openpyxl import load_workbook

from lendpilot.insights.review.report import Sheet, to_xlsx

HOSTILE = '=HYPERLINK("http://evil.example","click")'


def test_review_workbook_keeps_a_formula_like_title_as_text():
    sheet = Sheet(name="actions", title="actions", header=["title", "owner"], rows=[[HOSTILE, "王芳"]])
    book = load_workbook(io.BytesIO(to_xlsx([sheet], title=HOSTILE, subtitle="2026-11")))
    ws = book["actions"]
    assert ws["A1"].value == HOSTILE and ws["A1"].data_type == "s"
    assert [c.data_type for c in ws[ws.max_row]][0] == "s" and ws.cell(ws.max_row, 1).value == HOSTILE
