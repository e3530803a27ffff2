"""The scenario API (B3, D3, D7): rule writes with 422s naming the field and nothing saved, a run, the
offer list scoped to own customers, decisions with 409 once decided, tasks and the Customer 360."""

from decimal import Decimal

import pytest

from lendpilot.sales.models import PreApprovedOffer, TriggerRule
from lendpilot.sales.tests.conftest import signals
from lendpilot.sales.tests.test_api import login, named, post

pytestmark = pytest.mark.django_db
BASE = "/api/v1/sales"


def rule_payload(world, **overrides):
    payload = {"code": "EQUIP", "name": "设备采购", "node": "equipment_purchase",
               "product_ids": [world.products["leasing"].pk], "condition": "equipment_purchases_12m >= 1",
               "amount_basis": "equipment_amount_12m", "low_ratio": "0.5", "high_ratio": "0.8"}
    payload.update(overrides)
    return payload


def test_rule_crud_and_bad_input(leasing, client):
    w = leasing
    login(client, w, "director")
    empty = post(client, f"{BASE}/trigger-rules", rule_payload(w, product_ids=[]))
    assert empty.status_code == 422 and named(empty, "product_ids")
    bad = post(client, f"{BASE}/trigger-rules", rule_payload(w, condition="equipment_purchases_12m >"))
    assert bad.status_code == 422 and named(bad, "condition")
    assert TriggerRule.objects.count() == 0
    created = post(client, f"{BASE}/trigger-rules", rule_payload(w))
    assert created.status_code == 201 and created.json()["product_ids"] == [w.products["leasing"].pk]
    rid = created.json()["id"]
    changed = client.put(f"{BASE}/trigger-rules/{rid}", rule_payload(w, high_ratio="0.9"),
                         content_type="application/json")
    assert changed.status_code == 200 and changed.json()["version"] == 2
    assert client.get(f"{BASE}/trigger-rules").json()["count"] == 1
    login(client, w, "am_wang")
    assert post(client, f"{BASE}/trigger-rules", rule_payload(w, code="X")).status_code == 403


def test_run_offers_decisions_tasks_and_360(leasing, client):
    w = leasing
    for key in ("am_wang_company", "am_chen_company"):
        signals(w.customers[key], equipment_purchases_12m=1, equipment_amount_12m=Decimal("2000000"))
    login(client, w, "director")
    post(client, f"{BASE}/trigger-rules", rule_payload(w))
    run = post(client, f"{BASE}/trigger-runs", {})
    assert run.status_code == 201 and run.json()["offers"] == 2
    assert post(client, f"{BASE}/trigger-runs", {}).json()["offers"] == 0
    login(client, w, "am_wang")
    offers = client.get(f"{BASE}/offers").json()
    assert [o["customer_id"] for o in offers["items"]] == [w.customers["am_wang_company"].pk]
    other = PreApprovedOffer.objects.get(customer=w.customers["am_chen_company"])
    assert client.get(f"{BASE}/offers/{other.pk}").status_code == 404
    assert post(client, f"{BASE}/offers/{other.pk}/accept", {}).status_code == 404
    mine = offers["items"][0]["id"]
    tasks = client.get(f"{BASE}/tasks?mine=true").json()
    assert [t["offer_id"] for t in tasks["items"]] == [mine]
    view = client.get(f"{BASE}/customers/{w.customers['am_wang_company'].pk}/360").json()
    assert view["next_action"]["code"] == "call_about_offer" and [o["id"] for o in view["offers"]] == [mine]
    assert client.get(f"{BASE}/customers/{w.customers['am_chen_company'].pk}/360").status_code == 404
    outside = post(client, f"{BASE}/offers/{mine}/accept", {"amount": "99999999"})
    assert outside.status_code == 422 and named(outside, "amount")
    accepted = post(client, f"{BASE}/offers/{mine}/accept", {"amount": "1000000"})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert post(client, f"{BASE}/offers/{mine}/decline", {"reason": "x"}).status_code == 409
    assert client.get(f"{BASE}/tasks?mine=true").json()["count"] == 0
