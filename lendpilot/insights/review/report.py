"""The biweekly review (FEATURES B9): its period, and the report as plain rows for the page, Excel and PDF.

Pure apart from reading its inputs: `review_period` parses the request; `report_rows` turns an assembled
report (see `lendpilot.insights.review.selectors.review_report`) into the sheets that both exports write, so
the Excel file and the PDF hold the same figures as the page.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

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


# Column kinds of a sheet: how the Excel cell is formatted and how the PDF prints it.
TEXT, INT, MONEY, PCT, PP, POINTS, DECIMAL, DATETIME = (
    "text", "int", "money", "pct", "pp", "points", "decimal", "datetime")
NUMERIC_KINDS = frozenset({INT, MONEY, PCT, PP, POINTS, DECIMAL})


@dataclass(frozen=True)
class Figure:
    """A cell whose kind differs from its column's (the metrics sheet mixes amounts, counts and rates)."""

    value: object
    kind: str


@dataclass(frozen=True)
class ChartSpec:
    """A bar chart of a sheet: the labels column and the value columns (by index), drawn in both files."""

    title: str
    category: int
    series: tuple[int, ...]
    kind: str = INT


@dataclass
class Sheet:
    name: str
    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)
    note: str = ""
    kinds: list[str] = field(default_factory=list)
    charts: list[ChartSpec] = field(default_factory=list)

    def kind(self, column: int) -> str:
        return self.kinds[column] if column < len(self.kinds) else TEXT


def cell_value(value) -> object:
    return value.value if isinstance(value, Figure) else value


def cell_kind(sheet: Sheet, column: int, value) -> str:
    return value.kind if isinstance(value, Figure) else sheet.kind(column)


def display(value, kind: str) -> str:
    """A value as a reader of the PDF sees it: 22,556,000.00 for money, 1,234 for a count, 40.0% for a
    ratio kept as a fraction, +2.5 pp for a change of a ratio, a local time to the minute; "—" for none."""
    if value is None or value == "":
        return "—"
    if kind == INT:
        return f"{int(value):,}"
    if kind == MONEY:
        return f"{Decimal(str(value)):,.2f}"
    if kind == PCT:
        return f"{float(value) * 100:,.1f}%"
    if kind == PP:
        return f"{float(value):+.2f} {_('pp')}"
    if kind == POINTS:
        return f"{float(value):+.1f}"
    if kind == DECIMAL:
        return f"{float(value):,.1f}"
    if kind == DATETIME:
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def stage_labels() -> dict[str, str]:
    """The five diagnostic nodes as people name them (never the code)."""
    return {"reach": _("Reach"), "meeting": _("Meeting"), "application": _("Application"),
            "approval": _("Approval"), "disbursement": _("Disbursement")}


def unit_label(unit: str) -> str:
    return {"cny": _("CNY"), "count": pgettext("unit", "count"), "ratio": "%", "days": pgettext("unit", "days"),
            "score": pgettext("unit", "score")}.get(unit, unit)


VALUE_KINDS = {"cny": MONEY, "count": INT, "ratio": PCT, "days": DECIMAL, "score": DECIMAL}


def _change(unit: str, delta) -> Figure:
    """MoM / YoY: a relative change (a fraction) for amounts, counts and days; the difference for ratios (in
    percentage points) and scores."""
    if delta is None:
        return Figure(None, PCT)
    if unit in ("cny", "count", "days"):
        return Figure(delta, PCT)
    if unit == "ratio":
        return Figure(float(delta) * 100, PP)
    return Figure(delta, POINTS)


def metric_texts(metric: dict) -> dict:
    """One metric of the review as the page prints it: value, previous, last year, MoM and YoY formatted the
    same way as in the PDF (thousands separators, money to the fen, ratios as percentages)."""
    kind = VALUE_KINDS.get(metric["unit"], DECIMAL)
    texts = {name: display(metric[name], kind) for name in ("value", "previous", "last_year")}
    for name in ("mom", "yoy"):
        change = _change(metric["unit"], metric[name])
        texts[name] = display(change.value, change.kind)
    return {**metric, "texts": texts, "unit_label": unit_label(metric["unit"])}


def _fraction(value) -> float | None:
    return None if value is None else float(value)


def local_time(moment: datetime) -> datetime:
    """A stored (UTC) moment in the business time zone, without tzinfo (a spreadsheet cell has no zone)."""
    return timezone.localtime(moment).replace(tzinfo=None)


def report_rows(report: dict) -> list[Sheet]:
    """The report as sheets of plain values with their kinds: metrics, funnel, segments, actions."""
    metrics = Sheet(_("Core metrics"), _("Core metrics"), ["#", _("Metric"), pgettext("figure", "Value"), _("Unit"),
                                                          pgettext("period", "Previous"), _("MoM %"), _("Last year"),
                                                          _("YoY %"), _("Note")],
                    note=report.get("metrics_note", ""), kinds=[INT, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT])
    for m in report.get("metrics", []):
        kind = VALUE_KINDS.get(m["unit"], DECIMAL)
        metrics.rows.append([m["number"], m["name"], Figure(m["value"], kind), unit_label(m["unit"]),
                             Figure(m["previous"], kind), _change(m["unit"], m["mom"]),
                             Figure(m["last_year"], kind), _change(m["unit"], m["yoy"]), m["reason"]])
    diagnosis = report["funnel"]
    funnel = Sheet(_("Funnel diagnosis"), _("Funnel diagnosis"),
                   [_("Node"), _("Entered"), _("Advanced"), _("Lost"), _("Conversion %"), _("Loss %"),
                    _("Baseline loss %"), _("Excess (points)"), _("Flagged"), _("Action item")],
                   note=_("Flag: loss above baseline by more than %(t)s points; baseline = previous %(n)s periods")
                   % {"t": percent(diagnosis.threshold), "n": len(diagnosis.baseline_periods)},
                   kinds=[TEXT, INT, INT, INT, PCT, PCT, PCT, POINTS, TEXT, INT],
                   charts=[ChartSpec(_("Entered"), 0, (1,), INT),
                           ChartSpec(_("Loss against baseline"), 0, (5, 6), PCT)])
    names = stage_labels()
    for node in diagnosis.nodes:
        funnel.rows.append([names.get(node.stage, node.stage), node.entered, node.flow.advanced, node.flow.lost,
                            _fraction(node.conversion), _fraction(node.loss), _fraction(node.baseline_loss),
                            percent(node.excess), _("yes") if node.flagged else _("no"), node.action_item_id])
    analysis = report["conversion"]
    segments = Sheet(_("Top and bottom segments"), _("Top and bottom segments"),
                     [_("Rank"), _("Segment"), _("Opportunities opened"), _("Won"), _("Conversion %"), _("Low %"),
                      _("High %")],
                     note=_("Wilson interval at %(c)s%%; ranked with at least %(v)s opportunities")
                     % {"c": round(analysis.confidence * 100), "v": analysis.min_volume},
                     kinds=[TEXT, TEXT, INT, INT, PCT, PCT, PCT],
                     charts=[ChartSpec(_("Conversion %"), 1, (4,), PCT)])
    for rank_name, group in ((_("best"), analysis.best), (_("worst"), analysis.worst)):
        for seg in group:
            segments.rows.append([rank_name, " · ".join(seg.labels), seg.opened, seg.won,
                                  seg.rate, seg.low, seg.high])
    actions = Sheet(_("Action items"), _("Action items"), [_("Id"), _("Title"), _("Owner"), _("Status"), _("Due"),
                                                            _("Escalated"), _("Outcome")],
                    kinds=[INT, TEXT, TEXT, TEXT, DATETIME, TEXT, TEXT])
    for item in report["open_items"] + report["closed_items"]:
        actions.rows.append([item.pk, item.title, item_owner(item), item.get_status_display(),
                             local_time(item.due_at), _("yes") if item.escalated else _("no"), item.outcome])
    return [metrics, funnel, segments, actions]


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
    """The report as an Excel workbook (see `lendpilot.insights.review.exports.workbook`)."""
    from lendpilot.insights.review.exports import workbook

    return workbook(sheets, title=title, subtitle=subtitle)


def to_pdf(sheets: list[Sheet], *, title: str, subtitle: str) -> bytes:
    """The report as a PDF (see `lendpilot.insights.review.exports.document`)."""
    from lendpilot.insights.review.exports import document

    return document(sheets, title=title, subtitle=subtitle)
