"""The review files are fit for a management meeting: the workbook names its sheets in the reader's language,
formats every figure, freezes its header rows, keeps local times and carries a chart sheet; the PDF embeds
the project's Chinese font, prints formatted figures and numbers its pages."""

import io
import re
import zipfile
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook
from pypdf import PdfReader

from lendpilot.core.models import ActionItem
from lendpilot.insights.diagnostics import Period
from lendpilot.insights.review import selectors
from lendpilot.insights.review.report import MONEY, PCT, Figure, Sheet, report_rows, to_pdf, to_xlsx
from lendpilot.insights.tests.conftest import TODAY
from lendpilot.insights.tests.review_data import moves

P = Period(date(2026, 11, 2), date(2026, 11, 15))
PERIOD = {"start": "2026-11-02", "end": "2026-11-15"}
NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


def client_for(world, key, language="zh-hans") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(world.user(key))
    return client


def funnel_world(world):
    moves(world, "am_wang", on=P.start, src="first_contact", dst="proposal", count=12, lead_source="referral")
    moves(world, "am_wang", on=P.start, src="first_contact", dst="lost", count=8, tier="premium")
    for k in (1, 2, 3):
        moves(world, "am_wang", on=P.previous(k).start, src="first_contact", dst="proposal", count=16)
        moves(world, "am_wang", on=P.previous(k).start, src="first_contact", dst="lost", count=4)


def chart_parts(content: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/charts/chart")]


def test_the_workbook_speaks_chinese_formats_figures_freezes_headers_and_has_a_chart_sheet(world):
    funnel_world(world)
    response = client_for(world, "director").get("/api/v1/insights/review/report.xlsx", PERIOD)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    with translation.override("zh-hans"):
        charts_name = gettext("Charts")
    assert book.sheetnames == ["核心指标", "漏斗诊断", "表现最好与最差的客群", "行动项", charts_name]
    ws = book["漏斗诊断"]
    header = next(r for r in ws.iter_rows() if r[0].value == "节点")
    assert ws.freeze_panes == f"A{header[0].row + 1}"
    rows = {r[0].value: r for r in ws.iter_rows(min_row=header[0].row + 1)}
    meeting = rows["会谈"]
    assert [c.value for c in meeting[2:4]] == [12, 8]
    assert meeting[2].number_format == "#,##0"
    assert (meeting[5].value, meeting[5].number_format) == (0.4, "0.0%")
    assert "meeting" not in rows
    charts = chart_parts(response.content)
    assert len(charts) >= 2 and all("barChart" in c for c in charts)
    assert any("漏斗诊断" in c for c in charts)


def test_the_workbook_is_english_for_an_english_reader(world):
    funnel_world(world)
    response = client_for(world, "director", "en").get("/api/v1/insights/review/report.xlsx", PERIOD)
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Core metrics", "Funnel diagnosis", "Top and bottom segments", "Action items",
                               "Charts"]


def test_amounts_and_times_are_formatted_and_local(book):
    world = book.world
    director = world.user("director")
    due = datetime(2026, 11, 20, 1, 30, tzinfo=ZoneInfo("UTC"))  # 09:30 in Shanghai
    item = ActionItem.objects.create(title="复盘 · 放款提速", owner=director, created_by=director, due_at=due,
                                     created_at=due - timedelta(days=7))
    with translation.override("zh-hans"):
        report = selectors.review_report(director, selectors.Slice("bank", "", "全行"), NOVEMBER, today=TODAY)
        sheets = report_rows(report)
        workbook = load_workbook(io.BytesIO(to_xlsx(sheets, title="双周复盘", subtitle="全行 · 2026-11")))
        pdf = to_pdf(sheets, title="双周复盘", subtitle="全行 · 2026-11")
    metrics = workbook["核心指标"]
    amount = next(r for r in metrics.iter_rows() if r[1].value == "放款金额")
    assert amount[2].value == 750000 and amount[2].number_format == "#,##0.00"
    approval = next(r for r in metrics.iter_rows() if r[1].value == "审批通过率")
    assert approval[2].value == 0.75 and approval[2].number_format == "0.0%"
    actions = workbook["行动项"]
    row = next(r for r in actions.iter_rows() if r[0].value == item.pk)
    local = datetime(2026, 11, 20, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    assert row[4].value == local and row[4].number_format == "yyyy-mm-dd hh:mm"

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "750,000.00" in text and "75.0%" in text and "2026-11-20 09:30" in text
    assert "复盘 · 放款提速" in text
    assert "750000.0" not in text


def test_the_pdf_embeds_the_chinese_font_and_numbers_its_pages(world):
    funnel_world(world)
    response = client_for(world, "director").get("/api/v1/insights/review/report.pdf", PERIOD)
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descendant = font.get_object()
            descriptor = descendant.get("/FontDescriptor")
            if descriptor is not None:
                fonts.add((str(descendant["/BaseFont"]), "/FontFile2" in descriptor.get_object()))
    assert any("WenQuanYi" in name and embedded for name, embedded in fonts), fonts
    pages = len(reader.pages)
    texts = [page.extract_text() for page in reader.pages]
    with translation.override("zh-hans"):
        label = gettext("Page %(page)s of %(pages)s")
    for n, text in enumerate(texts, start=1):
        assert label % {"page": n, "pages": pages} in text
    assert "会谈" in "".join(texts)
    assert re.search(r"40\.0%", "".join(texts))


def test_a_money_figure_is_never_printed_raw():
    sheet = Sheet("metrics", "核心指标", ["#", "指标", "数值"], rows=[[1, "放款金额", Figure(22556000.0, MONEY)],
                                                                 [2, "审批通过率", Figure(0.868649, PCT)]])
    with translation.override("zh-hans"):
        text = PdfReader(io.BytesIO(to_pdf([sheet], title="双周复盘", subtitle="全行"))).pages[0].extract_text()
    assert "22,556,000.00" in text and "86.9%" in text
    assert "22556000.0" not in text and "0.868649" not in text


def test_the_review_page_prints_the_same_formatted_figures(book):
    response = client_for(book.world, "director").get("/insights/review/", {"start": "2026-11-01",
                                                                           "end": "2026-11-30"})
    assert response.status_code == 200
    page = response.content.decode()
    row = page[page.index('id="metric-disbursed_amount"'):]
    row = row[:row.index("</tr>")]
    assert "750,000.00" in row and "750000" not in row.replace('data-value="750000', "")
    approval = page[page.index('id="metric-approval_rate"'):]
    assert "75.0%" in approval[:approval.index("</tr>")]
