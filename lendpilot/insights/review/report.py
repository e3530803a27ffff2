"""The biweekly review (FEATURES B9): its period, and the report as plain rows for the page, Excel and PDF.

Pure apart from reading its inputs: `review_period` parses the request; `report_rows` turns an assembled
report (see `lendpilot.insights.review.selectors.review_report`) into the sheets that both exports write, so
the Excel file and the PDF hold the same figures as the page.
"""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lendpilot.insights.diagnostics import Period, last_complete_biweek, percent

MAX_PERIOD_DAYS = 400


def review_period(start: date | None, end: date | None, *, today: date) -> Period:
    """[start, end] when both are given, the last complete biweek when neither is. Rejects (422 naming the
    field) only one of the two, an end before the start, a period longer than 400 days or one that starts
    in the future."""
    if start is None and end is None:
        return last_complete_biweek(today)
    if start is None:
        raise ValidationError({"start": _("give the start of the period with its end")})
    if end is None:
        raise ValidationError({"end": _("give the end of the period with its start")})
    if end < start:
        raise ValidationError({"end": _("the period ends before it starts")})
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise ValidationError({"end": _("a period is at most %(n)s days") % {"n": MAX_PERIOD_DAYS}})
    if start > today:
        raise ValidationError({"start": _("the period starts in the future")})
    return Period(start, end)


@dataclass
class Sheet:
    name: str
    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)
    note: str = ""


def _pct(value) -> float | None:
    return percent(value) if value is not None else None


def report_rows(report: dict) -> list[Sheet]:
    """The report as sheets of plain values (str, int, float, None): metrics, funnel, segments, actions."""
    metrics = Sheet("metrics", _("Core metrics"), [_("Code"), _("Metric"), _("Value"), _("Unit"),
                                                    _("Previous month"), _("MoM %"), _("Last year"), _("YoY %"),
                                                    _("Note")], note=report.get("metrics_note", ""))
    for m in report.get("metrics", []):
        metrics.rows.append([m["code"], m["name"], m["value"], m["unit"], m["previous"], m["mom"],
                             m["last_year"], m["yoy"], m["reason"]])
    diagnosis = report["funnel"]
    funnel = Sheet("funnel", _("Funnel diagnosis"), [_("Node"), _("Entered"), _("Advanced"), _("Lost"),
                                                      _("Conversion %"), _("Loss %"), _("Baseline loss %"),
                                                      _("Excess (points)"), _("Flagged"), _("Action item")],
                   note=_("Flag: loss above baseline by more than %(t)s points; baseline = previous %(n)s periods")
                   % {"t": percent(diagnosis.threshold), "n": len(diagnosis.baseline_periods)})
    for node in diagnosis.nodes:
        funnel.rows.append([node.stage, node.entered, node.flow.advanced, node.flow.lost, _pct(node.conversion),
                            _pct(node.loss), _pct(node.baseline_loss), _pct(node.excess),
                            _("yes") if node.flagged else _("no"), node.action_item_id])
    analysis = report["conversion"]
    segments = Sheet("segments", _("Top and bottom segments"),
                     [_("Rank"), _("Segment"), _("Opened"), _("Won"), _("Conversion %"), _("Low %"), _("High %")],
                     note=_("Wilson interval at %(c)s%%; ranked with at least %(v)s opportunities")
                     % {"c": round(analysis.confidence * 100), "v": analysis.min_volume})
    for rank_name, group in ((_("best"), analysis.best), (_("worst"), analysis.worst)):
        for seg in group:
            segments.rows.append([rank_name, " / ".join(seg.labels), seg.opened, seg.won,
                                  _pct_float(seg.rate), _pct_float(seg.low), _pct_float(seg.high)])
    actions = Sheet("actions", _("Action items"), [_("Id"), _("Title"), _("Owner"), _("Status"), _("Due"),
                                                    _("Escalated"), _("Outcome")])
    for item in report["open_items"] + report["closed_items"]:
        actions.rows.append([item.pk, item.title, item_owner(item), item.get_status_display(),
                             item.due_at.strftime("%Y-%m-%d %H:%M"), _("yes") if item.escalated else _("no"),
                             item.outcome])
    return [metrics, funnel, segments, actions]


def _pct_float(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def item_owner(item) -> str:
    staff = getattr(item.owner, "staff", None)
    return staff.name if staff else item.owner.get_username()


def period_label(period: Period) -> str:
    return f"{period.start.isoformat()} – {period.end.isoformat()}"




# --- the same payload for the API and the pages ------------------------------------------------------------

def slice_out(sl) -> dict:
    return {"dimension": sl.dimension, "key": sl.key, "label": sl.label}


def period_out(p) -> dict:
    return {"start": p.start, "end": p.end}


def funnel_payload(result, sl) -> dict:
    return {
        "slice": slice_out(sl), "period": period_out(result.period),
        "baseline_periods": [period_out(p) for p in result.baseline_periods],
        "threshold_points": percent(result.threshold, 4), "min_volume": result.min_volume, "created": result.created,
        "flagged": [n.stage for n in result.flagged],
        "nodes": [{"stage": n.stage, "entered": n.entered, "advanced": n.flow.advanced, "lost": n.flow.lost,
                   "decided": n.flow.decided, "conversion_pct": percent(n.conversion), "loss_pct": percent(n.loss),
                   "baseline_advanced": n.baseline.advanced, "baseline_lost": n.baseline.lost,
                   "baseline_loss_pct": percent(n.baseline_loss), "excess_points": percent(n.excess),
                   "judged": n.judged, "flagged": n.flagged, "action_item_id": n.action_item_id}
                  for n in result.nodes],
    }


def _segment(seg) -> dict:
    def pct(v):
        return None if v is None else round(v * 100, 2)

    return {"key": list(seg.key), "labels": list(seg.labels), "opened": seg.opened, "won": seg.won,
            "conversion_pct": pct(seg.rate), "low_pct": pct(seg.low), "high_pct": pct(seg.high),
            "ranked": seg.ranked}


def conversion_payload(result, sl, period) -> dict:
    return {"slice": slice_out(sl), "period": period_out(period), "dimensions": list(result.dimensions),
            "confidence": result.confidence, "min_volume": result.min_volume, "opened": result.opened,
            "won": result.won, "conversion_pct": None if result.rate is None else round(result.rate * 100, 2),
            "segments": [_segment(s) for s in result.segments], "best": [_segment(s) for s in result.best],
            "worst": [_segment(s) for s in result.worst]}


def to_xlsx(sheets: list[Sheet], *, title: str, subtitle: str) -> bytes:
    """The report as an Excel workbook: one worksheet per sheet, numbers as numbers."""
    from io import BytesIO

    from openpyxl import Workbook
    from openpyxl.styles import Font

    from lendpilot.core.exports import append_row

    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        ws = book.create_sheet(sheet.name)
        append_row(ws, [title])
        append_row(ws, [subtitle])
        append_row(ws, [sheet.title])
        if sheet.note:
            append_row(ws, [sheet.note])
        for cell in append_row(ws, sheet.header):
            cell.font = Font(bold=True)
        for row in sheet.rows:
            append_row(ws, ["" if v is None else v for v in row])
        ws["A1"].font = Font(bold=True, size=14)
        for column in ws.columns:
            width = max(len(str(c.value or "")) for c in list(column)[4:] or column)
            ws.column_dimensions[column[0].column_letter].width = min(60, max(8, width + 2))
    out = BytesIO()
    book.save(out)
    return out.getvalue()


PDF_FONT = "STSong-Light"  # a CID font every PDF reader carries: Chinese text without embedding a font file


def to_pdf(sheets: list[Sheet], *, title: str, subtitle: str) -> bytes:
    """The report as a PDF (A4 landscape), one table per sheet."""
    from io import BytesIO
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    h1 = ParagraphStyle("h1", fontName=PDF_FONT, fontSize=16, leading=20, spaceAfter=4)
    h2 = ParagraphStyle("h2", fontName=PDF_FONT, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4)
    body = ParagraphStyle("body", fontName=PDF_FONT, fontSize=8, leading=10)
    out = BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, title=title)
    story = [Paragraph(escape(title), h1), Paragraph(escape(subtitle), body)]
    for sheet in sheets:
        story.append(Paragraph(escape(sheet.title), h2))
        if sheet.note:
            story.append(Paragraph(escape(sheet.note), body))
            story.append(Spacer(1, 2 * mm))
        data = [[Paragraph(escape(str(h)), body) for h in sheet.header]]
        data += [[Paragraph(escape("" if v is None else str(v)), body) for v in row] for row in sheet.rows]
        if not sheet.rows:
            data.append([Paragraph(escape(_("none")), body)] + [""] * (len(sheet.header) - 1))
        table = Table(data, repeatRows=1)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                                   ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story.append(table)
    doc.build(story)
    return out.getvalue()
