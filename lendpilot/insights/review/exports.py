"""The biweekly review as files for a management meeting (FEATURES B9, X6): an Excel workbook and a PDF.

Both are written from the same sheets (`lendpilot.insights.review.report.report_rows`), so they hold the
figures of the page. The workbook names its sheets in the reader's language, formats every number (thousands
separators, money to the fen, ratios as percentages), freezes the header row, keeps times in the business
time zone and adds a chart sheet. The PDF embeds the project's CJK font (`lendpilot.core.pdf_fonts`), prints
figures as people read them, draws the same charts with reportlab graphics and numbers its pages.
"""

from __future__ import annotations

import re
from io import BytesIO
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

from lendpilot.insights.review.report import (
    DATETIME,
    DECIMAL,
    INT,
    MONEY,
    NUMERIC_KINDS,
    PCT,
    POINTS,
    PP,
    TEXT,
    ChartSpec,
    Sheet,
    cell_kind,
    cell_value,
    display,
)

EXCEL_FORMATS = {
    INT: "#,##0",
    MONEY: "#,##0.00",
    PCT: "0.0%",
    POINTS: "+0.0;-0.0;0.0",
    DECIMAL: "#,##0.0",
    DATETIME: "yyyy-mm-dd hh:mm",
}
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique worksheet name: at most 31 characters, none of []:*?/\\."""
    base = SHEET_NAME_FORBIDDEN.sub(" ", name).strip()[:31] or "Sheet"
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def text_width(value) -> int:
    """Characters a cell needs: a Chinese character is as wide as two Latin ones."""
    if value is None:
        return 0
    text = value.strftime("%Y-%m-%d %H:%M") if hasattr(value, "strftime") else str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _excel_format(kind: str) -> str | None:
    if kind == PP:
        unit = _("pp").replace('"', "")
        return f'+0.00" {unit}";-0.00" {unit}";0.00" {unit}"'
    return EXCEL_FORMATS.get(kind)


def workbook(sheets: list[Sheet], *, title: str, subtitle: str) -> bytes:
    """One worksheet per sheet (title, subtitle, note, then the table with a frozen bold header row and
    formatted numbers), and a chart sheet with the sheets' bar charts drawn from those cells."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Alignment, Font, PatternFill

    from lendpilot.core.exports import append_row

    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    placed: list[tuple[ChartSpec, object, int, int]] = []
    header_fill = PatternFill("solid", fgColor="E9ECEF")
    for sheet in sheets:
        ws = book.create_sheet(sheet_title(sheet.name, taken))
        append_row(ws, [title])
        append_row(ws, [subtitle])
        append_row(ws, [sheet.title])
        if sheet.note:
            append_row(ws, [sheet.note])
        header_row = ws.max_row + 1
        for cell in append_row(ws, sheet.header):
            cell.font = Font(bold=True)
            cell.fill = header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in sheet.rows:
            cells = append_row(ws, ["" if cell_value(v) is None else cell_value(v) for v in row])
            for column, (cell, value) in enumerate(zip(cells, row, strict=False)):
                kind = cell_kind(sheet, column, value)
                fmt = _excel_format(kind)
                if fmt and cell_value(value) is not None:
                    cell.number_format = fmt
                if kind in NUMERIC_KINDS:
                    cell.alignment = Alignment(horizontal="right")
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
        ws["A1"].font = Font(bold=True, size=14)
        ws["A3"].font = Font(bold=True, size=12)
        for column in ws.iter_cols(min_row=header_row):
            width = max(text_width(c.value) for c in column)
            kind = sheet.kind(column[0].column - 1)
            width = max(width, 14 if kind in NUMERIC_KINDS else 8)
            ws.column_dimensions[column[0].column_letter].width = min(50, width + 4)
        for spec in sheet.charts:
            if sheet.rows:
                placed.append((spec, ws, header_row, header_row + len(sheet.rows)))
    if placed:
        charts = book.create_sheet(sheet_title(_("Charts"), taken))
        append_row(charts, [title])
        append_row(charts, [subtitle])
        charts["A1"].font = Font(bold=True, size=14)
        for n, (spec, ws, first, last) in enumerate(placed):
            chart = BarChart()
            chart.type = "col"
            chart.title = spec.title
            chart.height, chart.width = 8, 16
            for column in spec.series:
                chart.add_data(Reference(ws, min_col=column + 1, min_row=first, max_row=last), titles_from_data=True)
            chart.set_categories(Reference(ws, min_col=spec.category + 1, min_row=first + 1, max_row=last))
            chart.y_axis.numFmt = "0%" if spec.kind == PCT else "#,##0"
            chart.y_axis.majorGridlines = None
            chart.x_axis.delete = False
            chart.y_axis.delete = False
            charts.add_chart(chart, f"{'A' if n % 2 == 0 else 'K'}{4 + (n // 2) * 17}")
    out = BytesIO()
    book.save(out)
    return out.getvalue()


# --- PDF ----------------------------------------------------------------------------------------------------

CHART_COLOURS = ("#0d6efd", "#adb5bd", "#dc3545", "#198754")


def _column_widths(sheet: Sheet, total: float) -> list[float]:
    weights = [1.0 if sheet.kind(i) in NUMERIC_KINDS else (1.4 if sheet.kind(i) == DATETIME else 2.2)
               for i in range(len(sheet.header))]
    return [total * w / sum(weights) for w in weights]


def _chart_drawing(sheet: Sheet, spec: ChartSpec, font: str, width: float, height: float):
    """A bar chart of one sheet with reportlab graphics: the category labels and a bar per series."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    scale = 100 if spec.kind == PCT else 1
    labels = [display(cell_value(row[spec.category]), TEXT)[:14] for row in sheet.rows]
    data = [[float(cell_value(row[c]) or 0) * scale for row in sheet.rows] for c in spec.series]
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 12, spec.title, fontName=font, fontSize=10))
    chart = VerticalBarChart()
    chart.x, chart.y = 36, 34
    chart.width, chart.height = width - 50, height - 80
    chart.data = data
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.angle = 20 if len(labels) > 6 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(labels) > 6 else "n"
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labelTextFormat = "%d%%" if spec.kind == PCT else (lambda v: f"{v:,.0f}")
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 6
    chart.barLabelFormat = "%.1f%%" if spec.kind == PCT else (lambda v: f"{v:,.0f}")
    chart.barLabels.nudge = 6
    for i in range(len(data)):
        chart.bars[i].fillColor = colors.HexColor(CHART_COLOURS[i % len(CHART_COLOURS)])
        chart.bars[i].strokeColor = None
    drawing.add(chart)
    if len(spec.series) > 1:
        legend = Legend()
        legend.fontName, legend.fontSize = font, 7
        legend.x, legend.y = width - 150, height - 8
        legend.alignment = "right"
        legend.columnMaximum = 1
        legend.colorNamePairs = [(colors.HexColor(CHART_COLOURS[i % len(CHART_COLOURS)]),
                                  str(sheet.header[c])) for i, c in enumerate(spec.series)]
        drawing.add(legend)
    return drawing


def _story(sheets: list[Sheet], *, title: str, subtitle: str, font: str, width: float) -> list:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

    h1 = ParagraphStyle("h1", fontName=font, fontSize=16, leading=22, spaceAfter=4)
    h2 = ParagraphStyle("h2", fontName=font, fontSize=12, leading=16, spaceBefore=10, spaceAfter=4)
    body = ParagraphStyle("body", fontName=font, fontSize=8, leading=10.5)
    number = ParagraphStyle("number", parent=body, alignment=TA_RIGHT)
    head = ParagraphStyle("head", parent=body, textColor=colors.HexColor("#212529"))
    story: list = [Paragraph(escape(title), h1), Paragraph(escape(subtitle), body)]
    for sheet in sheets:
        block: list = [Paragraph(escape(sheet.title), h2)]
        if sheet.note:
            block += [Paragraph(escape(sheet.note), body), Spacer(1, 2 * mm)]
        charts = [_chart_drawing(sheet, spec, font, width / 2 - 4 * mm, 50 * mm) for spec in sheet.charts
                  if sheet.rows]
        if charts:
            cells = charts + [""] * (len(charts) % 2)
            block.append(Table([cells[i:i + 2] for i in range(0, len(cells), 2)], colWidths=[width / 2] * 2))
        data = [[Paragraph(escape(str(h)), head) for h in sheet.header]]
        for row in sheet.rows:
            data.append([Paragraph(escape(display(cell_value(v), cell_kind(sheet, i, v))),
                                   number if cell_kind(sheet, i, v) in NUMERIC_KINDS else body)
                         for i, v in enumerate(row)])
        if not sheet.rows:
            data.append([Paragraph(escape(_("none")), body)] + [""] * (len(sheet.header) - 1))
        table = Table(data, repeatRows=1, colWidths=_column_widths(sheet, width))
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#adb5bd")),
                                   ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
                                   ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f8f9fa")]),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story.append(KeepTogether(block))
        story.append(table)
    return story


def document(sheets: list[Sheet], *, title: str, subtitle: str) -> bytes:
    """The report as a PDF (A4 landscape) in the embedded CJK font: per sheet its note, its charts and its
    table; "Page n of m" at the foot of every page (the document is laid out once to count the pages)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    from lendpilot.core.pdf_fonts import cjk_font

    font = cjk_font()
    page_w, page_h = landscape(A4)
    margin = 12 * mm
    width = page_w - 2 * margin

    def build(total: int | None) -> tuple[bytes, int]:
        out = BytesIO()
        doc = SimpleDocTemplate(out, pagesize=(page_w, page_h), leftMargin=margin, rightMargin=margin,
                                topMargin=margin, bottomMargin=margin + 4 * mm, title=title, author="LendPilot")

        def footer(canvas, _doc) -> None:
            canvas.saveState()
            canvas.setFont(font, 8)
            canvas.setFillColor(colors.HexColor("#6c757d"))
            canvas.drawString(margin, margin - 2 * mm, subtitle)
            if total is not None:
                canvas.drawRightString(page_w - margin, margin - 2 * mm, _("Page %(page)s of %(pages)s") % {
                    "page": canvas.getPageNumber(), "pages": total})
            canvas.restoreState()

        doc.build(_story(sheets, title=title, subtitle=subtitle, font=font, width=width),
                  onFirstPage=footer, onLaterPages=footer)
        return out.getvalue(), doc.page

    _first, pages = build(None)
    content, _pages = build(pages)
    return content
