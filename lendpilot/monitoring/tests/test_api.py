from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from lendpilot.monitoring import services
from lendpilot.monitoring.models import AccountTransaction, Alert
from lendpilot.monitoring.tests.conftest import make_loan

API = "/api/v1/monitoring"
DAY = date(2025, 2, 15)


def client_for(world, key) -> Client:
    client = Client()
    client.force_login(world.user(key))
    return client


def fields(response):
    return {e["loc"][-1] for e in response.json()["detail"]}


def test_work_an_alert_to_closure_over_the_api(world):
    loan = make_loan(world)
    services.eod_run(actor=None, business_date=DAY)
    c = client_for(world, "risk_l1")
    queue = c.get(f"{API}/alerts").json()
    assert queue["count"] == 1 and queue["items"][0]["loan_number"] == loan.number
    alert_id = queue["items"][0]["id"]
    detail = c.get(f"{API}/alerts/{alert_id}").json()
    assert detail["signals"][0]["code"] == "first_missed"
    step = next(s for s in detail["interventions"] if s["kind"] == "manager_call")
    r = c.post(f"{API}/interventions/{step['id']}/complete", {"outcome": ""}, content_type="application/json")
    assert r.status_code == 422 and fields(r) == {"outcome"}
    r = c.post(f"{API}/interventions/{step['id']}/complete", {"outcome": "已联系"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "done"
    r = c.post(f"{API}/alerts/{alert_id}/close", {"reason": "已还款"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert c.post(f"{API}/alerts/{alert_id}/close", {"reason": "x"}, content_type="application/json").status_code \
        == 409


def test_scope_and_permissions(world):
    make_loan(world, customer="am_chen_person")
    services.eod_run(actor=None, business_date=DAY)
    assert client_for(world, "am_wang").get(f"{API}/alerts").json()["count"] == 0
    assert client_for(world, "am_chen").get(f"{API}/alerts").json()["count"] == 1
    assert client_for(world, "partner").get(f"{API}/alerts").status_code == 403
    alert = Alert.objects.get()
    assert client_for(world, "am_wang").get(f"{API}/alerts/{alert.pk}").status_code == 404
    assert client_for(world, "risk_l1").get(f"{API}/alerts/0").status_code == 422


def test_eod_runs_and_snapshots(world):
    make_loan(world)
    c = client_for(world, "operations")
    r = c.post(f"{API}/eod-runs", {"business_date": DAY.isoformat()}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "completed"
    assert len(r.json()["stages"]) == len(services.STAGES)
    r = c.post(f"{API}/eod-runs", {"business_date": "2025-01-01"}, content_type="application/json")
    assert r.status_code == 422 and fields(r) == {"business_date"}
    r = c.post(f"{API}/eod-runs", {"business_date": "yesterday"}, content_type="application/json")
    assert r.status_code == 422
    snaps = c.get(f"{API}/snapshots?dimension=product").json()
    assert snaps["count"] == 1 and snaps["items"][0]["overdue_loans"] == 1
    assert c.get(f"{API}/snapshots?dimension=nope").status_code == 422
    assert c.get(f"{API}/eod-runs").json()["count"] == 1
    assert client_for(world, "am_wang").post(f"{API}/eod-runs", {"business_date": DAY.isoformat()},
                                             content_type="application/json").status_code == 403


def test_feed_over_the_api(world):
    cid = world.customers["am_wang_person"].pk
    c = client_for(world, "operations")
    row = {"txn_id": "T1", "customer_id": cid, "booked_on": "2025-02-01", "direction": "out", "amount": "12.50"}
    r = c.post(f"{API}/transactions", {"rows": [row, {**row, "txn_id": "T2", "amount": "-1"}]},
               content_type="application/json")
    assert r.status_code == 422 and "rows" in fields(r)
    assert not AccountTransaction.objects.exists()
    r = c.post(f"{API}/transactions", {"rows": [row]}, content_type="application/json")
    assert r.status_code == 200 and r.json()["imported"] == 1
    r = c.post(f"{API}/transactions", {"rows": []}, content_type="application/json")
    assert r.status_code == 422


def test_run_eod_command(world):
    make_loan(world)
    out = StringIO()
    call_command("run_eod", "--date", DAY.isoformat(), stdout=out)
    text = out.getvalue()
    assert "[1/" in text and "snapshot" in text and "completed" in text
    with pytest.raises(CommandError):
        call_command("run_eod", "--date", (DAY - timedelta(days=3)).isoformat(), stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("run_eod", "--date", "2025-99-01", stdout=StringIO())


def test_rules_events_and_proposals_over_the_api(world):
    c = client_for(world, "risk_l1")
    assert c.get(f"{API}/rules").json()["version"] == 1
    r = c.post(f"{API}/rules", {"thresholds": {"score_drop": {"points": "x"}}}, content_type="application/json")
    assert r.status_code == 422 and fields(r) == {"thresholds.score_drop.points"}
    r = c.post(f"{API}/rules", {"thresholds": {"score_drop": {"points": 20}}}, content_type="application/json")
    assert r.status_code == 200 and r.json()["version"] == 2
    assert client_for(world, "am_wang").post(f"{API}/rules", {"thresholds": {}},
                                             content_type="application/json").status_code == 403
    cid = world.customers["am_wang_person"].pk
    body = {"customer_id": cid, "kind": "court_judgement", "occurred_on": "2025-02-01", "reference": "J-9"}
    assert c.post(f"{API}/external-events", body, content_type="application/json").status_code == 200
    assert c.post(f"{API}/external-events", body, content_type="application/json").status_code == 409
    r = c.post(f"{API}/external-events", {**body, "reference": "J-10", "kind": "rumour"},
               content_type="application/json")
    assert r.status_code == 422 and fields(r) == {"kind"}
    assert c.post(f"{API}/external-events", {**body, "customer_id": 2**62}, content_type="application/json") \
        .status_code == 404
    assert c.get(f"{API}/industry-proposals").json()["count"] == 0
    assert c.get(f"{API}/portfolio-alerts").json()["count"] == 0
    assert c.post(f"{API}/industry-proposals/1/decide", {"accept": True}, content_type="application/json") \
        .status_code == 404
