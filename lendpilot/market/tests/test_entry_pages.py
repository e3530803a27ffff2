"""Market figures are entered on pages (not only imported), each with its source and date: a bad field is
named on the form and nothing is saved; old figures are flagged stale; the API mirrors the entries."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from lendpilot.market.models import Competitor, CompetitorMove, Indicator, Industry

pytestmark = pytest.mark.django_db


def client_for(world, key) -> Client:
    c = Client()
    c.force_login(world.user(key))
    return c


def test_an_indicator_entered_on_the_page_with_source_and_date(world):
    c = client_for(world, "director")
    assert c.get("/market/enter/indicator/").status_code == 200
    bad = c.post("/market/enter/indicator/", {"code": "PMI", "name": "制造业PMI", "region": "", "value": "abc",
                                              "unit": "", "as_of": "2026-02-28", "source": "", "max_age_days": "40"})
    page = bad.content.decode()
    assert bad.status_code == 200 and 'data-field="value"' in page and 'data-field="source"' in page
    assert not Indicator.objects.exists()
    old = (timezone.localdate() - timedelta(days=90)).isoformat()
    ok = c.post("/market/enter/indicator/", {"code": "PMI", "name": "制造业PMI", "region": "EAST", "value": "50.2",
                                             "unit": "pt", "as_of": old, "source": "国家统计局", "max_age_days": "40"})
    assert ok.status_code == 302
    row = Indicator.objects.get()
    assert (row.region.code, row.source) == ("EAST", "国家统计局")
    data_page = c.get("/market/").content.decode()
    indicators = data_page[data_page.index('id="indicators"'):].split("</table>")[0]
    assert "国家统计局" in indicators and "badge text-bg-warning" in indicators  # 90 days old, stale after 40


def test_a_competitor_profile_and_a_move_entered_on_pages(world):
    c = client_for(world, "director")
    saved = c.post("/market/enter/competitor/", {"name": "城商行甲", "kind": "城商行", "profile": "本地小微",
                                                 "report": "", "as_of": "2026-02-01", "source": "年报"})
    assert saved.status_code == 302
    rival = Competitor.objects.get()
    bad = c.post("/market/enter/move/", {"competitor": rival.pk, "kind": "rate", "product": "credit", "region": "EAST",
                                         "effective": "2026-02-01", "apr_pct": "48", "approval_days": "2",
                                         "documents": "", "source": "客户反馈"})
    assert 'data-field="apr_pct"' in bad.content.decode() and not CompetitorMove.objects.exists()
    ok = c.post("/market/enter/move/", {"competitor": rival.pk, "kind": "rate", "product": "credit", "region": "EAST",
                                        "effective": "2026-02-01", "apr_pct": "4.2", "approval_days": "2",
                                        "documents": "身份证, 流水", "source": "客户反馈"})
    assert ok.status_code == 302 and ok.url == "/market/competition/"
    move = CompetitorMove.objects.get()
    assert str(move.apr) == "0.042000" and move.recorded_by == world.user("director")
    assert "城商行甲 4.2%" in c.get("/market/competition/").content.decode()


def test_an_industry_entered_and_flagged_once_old(world):
    c = client_for(world, "director")
    old = (timezone.localdate() - timedelta(days=500)).isoformat()
    assert c.post("/market/enter/industry/", {"name": "新能源汽车零部件", "region": "", "growth_pct": "18.5",
                                              "financing_need": "设备更新贷款", "as_of": old,
                                              "source": "行业研究"}).status_code == 302
    assert str(Industry.objects.get().growth) == "0.1850"
    industries = c.get("/market/").content.decode().split('id="industries"')[1].split("</table>")[0]
    assert "新能源汽车零部件" in industries and "行业研究" in industries and "text-bg-warning" in industries


def test_entry_pages_refuse_who_cannot_keep_market_data(world):
    assert client_for(world, "am_wang").get("/market/enter/indicator/").status_code == 403
    assert client_for(world, "director").get("/market/enter/nothing/").status_code == 404


def test_the_api_mirrors_the_entries(world):
    c = client_for(world, "director")
    made = c.post("/api/v1/market/competitors", {"name": "Rival", "source": "report", "as_of": "2026-02-01"},
                  content_type="application/json")
    assert made.status_code == 201
    move = c.post("/api/v1/market/moves", {"competitor_id": made.json()["id"], "kind": "rate", "product": "credit",
                                           "region": "EAST", "effective": "2026-02-01", "apr": "0.042",
                                           "approval_days": "2", "source": "sheet"}, content_type="application/json")
    assert move.status_code == 201
    assert c.get("/api/v1/market/moves").json()[0]["apr"] in ("0.042000", "0.042")
    too_big = c.post("/api/v1/market/indicators", {"code": "GDP", "as_of": "2026-01-01", "value": "1e30",
                                                   "source": "NBS"}, content_type="application/json")
    assert too_big.status_code == 422 and not Indicator.objects.exists()
    assert c.post("/api/v1/market/indicators", {"code": "GDP", "as_of": str(date(2026, 1, 1)), "value": "5.2",
                                                "unit": "%", "source": "NBS"},
                  content_type="application/json").status_code == 201
    assert c.get("/api/v1/market/indicators").json()[0]["source"] == "NBS"
    bad_region = c.post("/api/v1/market/industries", {"name": "x", "region": "NOPE", "growth": "0.1",
                                                      "financing_need": "y", "source": "z", "as_of": "2026-01-01"},
                        content_type="application/json")
    assert bad_region.status_code == 422 and not Industry.objects.exists()
    industry = {"name": "x", "growth": "0.1", "financing_need": "y", "source": "z", "as_of": "2026-01-01"}
    assert c.post("/api/v1/market/industries", industry, content_type="application/json").status_code == 201
    assert len(c.get("/api/v1/market/industries").json()) == 1
    assert c.get("/api/v1/market/competitors").json()[0]["name"] == "Rival"
