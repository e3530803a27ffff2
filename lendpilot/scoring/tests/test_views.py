"""The scoring pages render for the roles that may see them."""

from datetime import date

from django.test import Client

from lendpilot.scoring import services
from lendpilot.scoring.models import PrescreenLog
from lendpilot.scoring.tests.conftest import store_version


def client_for(world, key):
    client = Client()
    client.force_login(world.user(key))
    return client


def test_overview_and_maker_checker_buttons(world, synthetic_result):
    version = store_version(synthetic_result, trained_by=world.user("risk_l1"))
    own = client_for(world, "risk_l1").get("/scoring/")
    assert own.status_code == 200 and b"Approve and activate" not in own.content
    other = client_for(world, "risk_l2")
    page = other.get("/scoring/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    response = other.post(f"/scoring/versions/{version.pk}/decide/", {"decision": "activate"})
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == "active"
    assert client_for(world, "am_wang").get("/scoring/").status_code == 403


def test_version_page_with_monitoring(world, active_version):
    PrescreenLog.objects.create(month=date(2025, 3, 1), scorecard_version=active_version, score=560, pd=0.05,
                                grade="B", decision="pass", bins=[0] * len(active_version.table["characteristics"]))
    services.monitoring_run(actor=world.user("risk_l1"), version=active_version, month=date(2025, 3, 1))
    page = client_for(world, "risk_l1").get(f"/scoring/versions/{active_version.pk}/")
    assert page.status_code == 200
    assert b"chart-psi" in page.content and b"echarts.min.js" in page.content and b"2025-03" in page.content


def test_prescreen_page(world):
    assert client_for(world, "am_wang").get("/scoring/prescreen/").status_code == 200
    assert client_for(world, "partner").get("/scoring/prescreen/").status_code == 403
