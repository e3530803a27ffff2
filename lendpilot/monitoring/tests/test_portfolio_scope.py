"""Portfolio figures reach a scoped reader only as computed inside its scope: snapshot rows of its own
managers, teams and region, its "all" summed over its own book, the charts and top borrowers of its own
loans; the bank-wide dimensions, portfolio alerts and industry proposals are refused (403)."""

import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from lendpilot.monitoring import services
from lendpilot.monitoring.models import IndustryProposal, PortfolioAlert
from lendpilot.monitoring.tests.conftest import make_loan

pytestmark = pytest.mark.django_db
API = "/api/v1/monitoring"
DAY = date(2025, 2, 28)


def client_for(world, key) -> Client:
    client = Client()
    client.force_login(world.user(key))
    return client


@pytest.fixture
def book(world):
    make_loan(world, customer="am_wang_person", principal="120000")
    make_loan(world, customer="am_chen_company", principal="480000", disbursed_on=date(2024, 12, 10))
    make_loan(world, customer="am_sun_person", principal="60000")
    services.eod_run(actor=None, business_date=DAY)
    PortfolioAlert.objects.create(business_date=DAY, segment="all:all", metric="npl_rate", value=0.2, centre=0.01,
                                  upper=0.02)
    IndustryProposal.objects.create(month=date(2025, 2, 1), industry="C", default_rate=0.05, admission="tighten")
    return world


def snapshot(client, dimension):
    response = client.get(f"{API}/snapshots", {"dimension": dimension})
    return response.status_code, response.json().get("items")


def test_account_manager_reads_only_own_book_in_snapshots(book):
    wang = client_for(book, "am_wang")
    status, rows = snapshot(wang, "manager")
    assert status == 200 and {r["key"] for r in rows} == {str(book.staff["am_wang"].pk)}
    status, rows = snapshot(wang, "all")
    assert status == 200 and len(rows) == 1
    assert rows[0]["key"] == "all" and rows[0]["loans"] == 1 and Decimal(rows[0]["balance"]) <= Decimal("120000")
    assert snapshot(wang, "team") == (200, [])
    assert snapshot(wang, "region") == (200, [])
    for dimension in ("product", "industry", "tier", "class"):
        assert snapshot(wang, dimension)[0] == 403, dimension


def test_regional_head_and_team_lead_read_their_own_slices(book):
    status, rows = snapshot(client_for(book, "east_head"), "region")
    assert status == 200 and {r["key"] for r in rows} == {str(book.regions["east"].pk)} and rows[0]["loans"] == 2
    status, rows = snapshot(client_for(book, "east_head"), "manager")
    assert {r["key"] for r in rows} == {str(book.staff["am_wang"].pk), str(book.staff["am_sun"].pk)}
    status, rows = snapshot(client_for(book, "east_a_lead"), "team")
    assert {r["key"] for r in rows} == {str(book.teams["east-a"].pk)}
    status, rows = snapshot(client_for(book, "east_a_lead"), "all")
    assert rows[0]["loans"] == 1
    status, rows = snapshot(client_for(book, "risk_l1"), "all")
    assert rows[0]["loans"] == 3
    assert snapshot(client_for(book, "risk_l1"), "product")[0] == 200


@pytest.mark.parametrize("path", ["portfolio-alerts", "industry-proposals", "eod-runs"])
def test_bank_wide_lists_are_refused_to_scoped_readers(book, path):
    for key in ("am_wang", "east_a_lead", "east_head"):
        assert client_for(book, key).get(f"{API}/{path}").status_code == 403, key
    assert client_for(book, "risk_l1").get(f"{API}/{path}").json()["count"] == 1
    assert client_for(book, "am_wang").get(f"{API}/rules").status_code == 200


def test_eod_run_log_page_is_for_whole_bank_readers(book):
    assert client_for(book, "east_head").get("/monitoring/eod/").status_code == 403
    assert client_for(book, "operations").get("/monitoring/eod/").status_code == 200


def test_the_tabs_link_the_whole_bank_pages_only_for_whole_bank_readers(book):
    for key in ("am_wang", "east_head"):
        page = client_for(book, key).get("/monitoring/").content.decode()
        assert "/monitoring/eod/" not in page and "/monitoring/industries/" not in page, key
    page = client_for(book, "risk_l1").get("/monitoring/").content.decode()
    assert "/monitoring/eod/" in page and "/monitoring/industries/" in page


def test_the_eod_log_names_every_stage_and_count(book):
    page = client_for(book, "risk_l1").get("/monitoring/eod/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Days past due and risk class" in page and re.search(r"Loans updated: \d+", page)
    assert "Month end: Yes" in page and "{'" not in page and "month_end" not in page


def test_a_threshold_breach_reads_with_its_labels(book):
    page = client_for(book, "risk_l1").get("/monitoring/portfolio/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r"Whole bank NPL ratio: 20(\.00)?% &gt; 2(\.00)?%", page)


def shows(page: str, customer) -> bool:
    # The chart data travel as JSON, where Chinese names are \u escapes.
    return customer.name in page or json.dumps(customer.name)[1:-1] in page


def test_portfolio_page_shows_only_the_readers_borrowers(book):
    page = client_for(book, "am_wang").get("/monitoring/portfolio/").content.decode()
    assert shows(page, book.customers["am_wang_person"])
    assert not shows(page, book.customers["am_chen_company"]) and not shows(page, book.customers["am_sun_person"])
    assert "all:all" not in page
    whole = client_for(book, "director").get("/monitoring/portfolio/").content.decode()
    assert shows(whole, book.customers["am_chen_company"]) and "all:all" in whole
    assert client_for(book, "east_head").get("/monitoring/industries/").status_code == 403
    assert client_for(book, "risk_l1").get("/monitoring/industries/").status_code == 200
