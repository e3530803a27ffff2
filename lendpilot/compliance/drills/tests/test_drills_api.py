"""Drills through the API: a reported export with a canary raises one alert, and the answer does not say so."""

from lendpilot.compliance.drills import services
from lendpilot.compliance.drills.models import CanaryAlert


def test_a_reported_export_raises_one_alert_without_telling_the_caller(client, world):
    canary = world.customers["am_sun_person"]
    services.canary_plant(actor=world.user("compliance"), ref=f"customers.customer:{canary.pk}", label="fake")
    client.force_login(world.user("am_sun"))
    body = {"refs": [f"customers.customer:{c.pk}" for c in world.customers.values()], "action": "export",
            "source_key": "segment:1"}
    first = client.post("/api/v1/compliance/drills/touches", body, content_type="application/json")
    again = client.post("/api/v1/compliance/drills/touches", body, content_type="application/json")
    clean = client.post("/api/v1/compliance/drills/touches", {**body, "refs": ["customers.customer:0"]},
                        content_type="application/json")
    assert first.json() == again.json() == {"received": len(world.customers)}
    assert clean.status_code == 202
    assert CanaryAlert.objects.count() == 1
    assert client.get("/api/v1/compliance/drills/alerts").status_code == 403
    client.force_login(world.user("compliance"))
    assert len(client.get("/api/v1/compliance/drills/alerts").json()) == 1
    response = client.post("/api/v1/compliance/drills", {"title": "令牌滥用", "scenario": "token_misuse",
                                                         "scheduled_for": "2026-12-20"},
                           content_type="application/json")
    assert response.status_code == 201
