"""The market pages answer the director, refuse a manager, and the API mirrors them."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from lendpilot.market import services
from lendpilot.market.models import LprFixing

pytestmark = pytest.mark.django_db


def client_for(world, key) -> Client:
    c = Client()
    c.force_login(world.user(key))
    return c


def test_director_sees_every_market_page(world):
    director = world.user("director")
    services.lpr_record(actor=director, effective=date(2026, 2, 20), tenor="1Y", rate=Decimal("0.03"), source="PBOC")
    pilot = services.pilot_plan(actor=director, name="P", change="c", metric="m", baseline_rate=Decimal("0.10"),
                                target_rate=Decimal("0.12"), icc=Decimal("0.01"), starts=date(2026, 1, 5),
                                ends=date(2026, 2, 27), clusters={f"T{i}": "S" for i in range(6)})
    c = client_for(world, "director")
    for url in ("/market/", "/market/competition/", "/market/feedback/", "/market/pilots/",
                f"/market/pilots/{pilot.pk}/",
                "/market/capacity/?cases=100&interval=30&handle_minutes=3&monthly_cases=2000,12000&roster=15"):
        response = c.get(url)
        assert response.status_code == 200, url
    page = c.get("/market/capacity/?cases=100&monthly_cases=2000,12000&roster=15").content.decode()
    staffing = page[page.index('id="staffing"'):].split("</p>")[0]
    assert "table-danger" in page and " 14 " in staffing and " 20 " in staffing
    assert "4.50%" in c.get("/market/").content.decode()


def test_manager_records_feedback_but_cannot_read_the_market(world):
    c = client_for(world, "am_wang")
    assert c.get("/market/").status_code == 403
    assert c.get("/market/feedback/").status_code == 200
    assert c.post("/api/v1/market/lpr", {"effective": "2026-02-20", "tenor": "1Y", "rate": "0.03", "source": "x"},
                  content_type="application/json").status_code == 403
    assert not LprFixing.objects.exists()


def test_api_lpr_and_staffing(world):
    c = client_for(world, "director")
    bad = c.post("/api/v1/market/lpr", {"effective": "2026-02-20", "tenor": "2Y", "rate": "0.03", "source": "x"},
                 content_type="application/json")
    assert bad.status_code == 422 and not LprFixing.objects.exists()
    ok = c.post("/api/v1/market/lpr", {"effective": "2026-02-20", "tenor": "1Y", "rate": "0.03", "source": "PBOC"},
                content_type="application/json")
    assert ok.status_code == 201 and ok.json()["example_label"] == "4.50%"
    staffing = c.get("/api/v1/market/staffing").json()
    assert (staffing["raw"], staffing["staffed"]) == (14, 20)
    assert c.get("/api/v1/market/benchmark").status_code == 200


def test_api_plans_a_pilot_and_shows_its_power(world):
    c = client_for(world, "director")
    body = {"name": "Forms", "change": "pre-filled forms", "metric": "conversion", "baseline_rate": "0.10",
            "target_rate": "0.12", "starts": "2026-01-05", "ends": "2026-02-27",
            "clusters": {f"T{i}": "EAST" for i in range(8)}}
    created = c.post("/api/v1/market/pilots", body, content_type="application/json")
    assert created.status_code == 201
    report = c.get(f"/api/v1/market/pilots/{created.json()['id']}").json()
    assert report["per_arm_unclustered"] == 3841 and report["design_effect"] >= 1
    bad = c.post("/api/v1/market/pilots", body | {"name": "Other", "ends": "2026-01-01"},
                 content_type="application/json")
    assert bad.status_code == 422
