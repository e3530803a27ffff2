"""The bank's business calendar kept by operations: CSV import with a preview, day edits, the
provisional banner, and who may do it."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from lendpilot.compliance.models import AuditEvent
from lendpilot.core.business_calendar import is_business_day, is_provisional
from lendpilot.core.models import CalendarDay, CalendarYear
from lendpilot.org.calendar import csv_format, services

# The arrangement published for 2027 (国办发明电〔2026〕 style): a few days are enough to move answers.
ARRANGEMENT_2027 = """日期,类型,名称
2027-01-01,休,元旦
2027-02-06,休,春节
2027-02-07,班,春节
2027-02-08,休,春节
2027-02-09,休,春节
2027-02-10,休,春节
2027-02-11,休,春节
2027-02-12,休,春节
2027-02-20,班,春节
2027-10-01,休,国庆节
2027-10-07,休,国庆节
2027-10-09,班,国庆节
"""


def test_the_csv_is_read_in_utf8_and_gbk_with_chinese_headers_and_kinds():
    for encoding in ("utf-8-sig", "gbk"):
        text = csv_format.decode(ARRANGEMENT_2027.encode(encoding))
        rows, errors = csv_format.parse_arrangement(text, year=2027)
        assert errors == []
        assert len(rows) == 12
        assert rows[2] == csv_format.ArrangementRow(date(2027, 2, 7), csv_format.WORKDAY, "春节")


def test_bad_rows_are_named_and_nothing_is_taken():
    text = "date,kind,name\n2027-01-01,holiday,元旦\n2027-13-01,holiday,x\n2026-10-01,holiday,y\n" \
           "2027-02-01,maybe,z\n2027-01-01,workday,dup\n"
    rows, errors = csv_format.parse_arrangement(text, year=2027)
    assert [(e.row, e.field) for e in errors] == [(3, "date"), (4, "date"), (5, "kind"), (6, "date")]


def test_a_file_without_the_date_column_is_refused():
    rows, errors = csv_format.parse_arrangement("day,kind\n2027-01-01,休\n", year=2027)
    assert rows == [] and errors[0].field == "date"


@pytest.mark.django_db
def test_importing_the_official_arrangement_ends_the_provisional_year(world):
    assert is_provisional(date(2027, 2, 8))
    assert is_business_day(date(2027, 2, 8))  # a Monday, provisionally worked
    rows, _errors = csv_format.parse_arrangement(ARRANGEMENT_2027, year=2027)
    before = AuditEvent.objects.count()
    services.calendar_year_import(actor=world.user("operations"), year=2027, rows=rows,
                                  source_document="国务院办公厅关于2027年部分节假日安排的通知")
    assert not is_provisional(date(2027, 2, 8))
    assert not is_business_day(date(2027, 2, 8))  # Spring Festival
    assert is_business_day(date(2027, 2, 20))  # a Saturday worked in exchange
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.latest("seq").event_code == "org.calendar_year_imported"


@pytest.mark.django_db
def test_only_operations_and_the_director_keep_the_calendar(world):
    rows, _errors = csv_format.parse_arrangement(ARRANGEMENT_2027, year=2027)
    with pytest.raises(PermissionDenied):
        services.calendar_year_import(actor=world.user("am_wang"), year=2027, rows=rows, source_document="x")
    with pytest.raises(PermissionDenied):
        services.calendar_day_set(actor=world.user("risk_l1"), day=date(2027, 5, 3), kind="holiday")
    assert not CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.django_db
def test_an_import_needs_its_source_document_and_changes_nothing_without_it(world):
    rows, _errors = csv_format.parse_arrangement(ARRANGEMENT_2027, year=2027)
    with pytest.raises(ValidationError) as exc:
        services.calendar_year_import(actor=world.user("operations"), year=2027, rows=rows, source_document=" ")
    assert "source_document" in exc.value.message_dict
    assert not CalendarDay.objects.filter(day__year=2027).exists()


@pytest.mark.django_db
def test_a_day_set_and_removed_moves_the_answer_at_once(world):
    ops = world.user("operations")
    services.calendar_day_set(actor=ops, day=date(2026, 12, 7), kind="holiday", name="台风停工")
    assert not is_business_day(date(2026, 12, 7))
    services.calendar_day_remove(actor=ops, day=date(2026, 12, 7))
    assert is_business_day(date(2026, 12, 7))


@pytest.mark.django_db
def test_operations_import_through_the_pages_with_a_preview(client, world):
    client.force_login(world.user("operations"))
    home = client.get(reverse("home"))
    assert reverse("org:calendar") in home.content.decode()
    overview = client.get(reverse("org:calendar"))
    assert overview.status_code == 200
    upload = client.post(reverse("org:calendar_import"), {
        "year": 2027, "source_document": "国务院办公厅关于2027年部分节假日安排的通知",
        "file": _upload(ARRANGEMENT_2027.encode("gbk"))})
    assert upload.status_code == 200
    page = upload.content.decode()
    assert "calendar-import-confirm" in page
    assert not CalendarYear.objects.filter(year=2027).exists()  # a preview changes nothing
    confirm = client.post(reverse("org:calendar_import"), {
        "year": 2027, "source_document": "国务院办公厅关于2027年部分节假日安排的通知",
        "content": upload.context["preview"]["content"], "confirm": "1"})
    assert confirm.status_code == 302
    assert CalendarYear.objects.filter(year=2027).exists()
    year_page = client.get(reverse("org:calendar_year", args=[2027]))
    assert "春节" in year_page.content.decode()


@pytest.mark.django_db
def test_a_file_with_errors_is_shown_row_by_row_and_not_imported(client, world):
    client.force_login(world.user("operations"))
    response = client.post(reverse("org:calendar_import"), {
        "year": 2027, "source_document": "通知", "file": _upload(b"date,kind\n2027-02-30,holiday\n")})
    assert response.status_code == 200
    assert "calendar-import-errors" in response.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.django_db
def test_the_provisional_year_ahead_shows_a_banner_to_operations(client, world, settings):
    client.force_login(world.user("operations"))
    page = client.get(reverse("org:calendar")).content.decode()
    # Today is in 2026 or later; the next year is never seeded from the package past 2026.
    assert "calendar-provisional-banner" in page


@pytest.mark.django_db
def test_an_account_manager_cannot_open_the_calendar(client, world):
    client.force_login(world.user("am_wang"))
    assert client.get(reverse("org:calendar")).status_code == 403
    assert client.get(reverse("org:calendar_import")).status_code == 403


def _upload(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("arrangement.csv", content, content_type="text/csv")


@pytest.mark.django_db
def test_the_api_mirrors_the_pages(client, world):
    client.force_login(world.user("operations"))
    years = client.get("/api/v1/org/calendar/years").json()
    assert {"year": 2027, "official": False, "source_document": "", "holidays": 0, "workdays": 0} in years
    body = {"source_document": "国务院办公厅关于2027年部分节假日安排的通知",
            "days": [{"day": "2027-01-01", "kind": "holiday", "name": "元旦"},
                     {"day": "2027-02-07", "kind": "workday", "name": "春节"}]}
    answer = client.put("/api/v1/org/calendar/years/2027/arrangement", body, content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["official"] is True
    days = client.get("/api/v1/org/calendar/years/2027/days").json()
    assert [d["day"] for d in days] == ["2027-01-01", "2027-02-07"]


@pytest.mark.django_db
def test_the_api_refuses_a_day_outside_the_year_naming_it_and_changes_nothing(client, world):
    client.force_login(world.user("operations"))
    body = {"source_document": "通知", "days": [{"day": "2027-01-01", "kind": "holiday"},
                                               {"day": "2028-01-01", "kind": "holiday"}]}
    answer = client.put("/api/v1/org/calendar/years/2027/arrangement", body, content_type="application/json")
    assert answer.status_code == 422
    assert "days.1.day" in str(answer.json())
    assert not CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.django_db
def test_the_api_refuses_an_account_manager(client, world):
    client.force_login(world.user("am_wang"))
    assert client.get("/api/v1/org/calendar/years").status_code == 403


@pytest.mark.django_db
def test_an_emptied_table_gets_the_packaged_arrangements_back_once():
    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()
    assert services.calendar_seed_packaged(actor=None) > 600
    assert CalendarDay.objects.get(day=date(2025, 10, 11)).kind == CalendarDay.Kind.WORKDAY
    assert CalendarYear.objects.get(year=2026).recomputed_at is not None
    assert services.calendar_seed_packaged(actor=None) == 0
