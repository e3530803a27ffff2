"""Customer portrait pages and API: tag catalogue, segment builder with live count, whitelist export,
needs questionnaire, tiers; API errors name the field and write nothing (B2, B4, D1, D7)."""

import json

import pytest
from django.test import Client

from lendpilot.customers.models import CustomerNeeds, QuestionnaireResponse, Segment
from lendpilot.customers.portrait.demo import SEGMENTS, seed_segments
from lendpilot.testing import portrait_ready


@pytest.fixture
def portrait_world(world):
    return portrait_ready(world)


def client_for(world, key):
    client = Client()
    client.force_login(world.user(key))
    return client


def test_tag_catalogue_lists_and_filters_by_theme(portrait_world):
    client = client_for(portrait_world, "am_wang")
    page = client.get("/customers/tags/?theme=risk")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-tag="risk_overdue"' in body and 'data-tag="industry_c"' not in body
    assert client.get("/customers/tags/?q=制造业").status_code == 200


def test_segment_builder_counts_saves_and_exports_within_scope(portrait_world):
    client = client_for(portrait_world, "am_wang")
    assert client.get("/customers/segments/").status_code == 200
    fragment = client.post("/customers/segments/count/", {"query": "制造业 AND 华东"}).content.decode()
    assert 'data-count="1"' in fragment  # am_wang's own enterprise only
    bad = client.post("/customers/segments/count/", {"query": "制造业 AND 不存在"}).content.decode()
    assert "segment-count-error" in bad
    refused = client.post("/customers/segments/", {"name": "x", "query": "不存在的标签"})
    assert refused.status_code == 200 and Segment.objects.count() == 0
    saved = client.post("/customers/segments/", {"name": "我的制造业", "query": "制造业"})
    assert saved.status_code == 302
    segment = Segment.objects.get()
    csv_text = client.get(f"/customers/segments/{segment.pk}/export.csv").content.decode("utf-8-sig")
    assert str(portrait_world.customers["am_wang_company"].pk) in csv_text
    assert client_for(portrait_world, "am_chen").get(f"/customers/segments/{segment.pk}/export.csv").status_code == 404


def test_needs_questionnaire_page_validates_per_question(portrait_world):
    customer = portrait_world.customers["am_wang_company"]
    client = client_for(portrait_world, "am_wang")
    assert client.get(f"/customers/{customer.pk}/needs/").status_code == 200
    bad = client.post(f"/customers/{customer.pk}/needs/", {"purpose": "expansion", "amount": "abc"})
    assert bad.status_code == 200 and QuestionnaireResponse.objects.count() == 0
    ok = client.post(f"/customers/{customer.pk}/needs/", {
        "purpose": "expansion", "amount": "2000000", "term_months": "36", "cashflow_cycle": "monthly",
        "collateral": "property", "risk_appetite": "balanced"})
    assert ok.status_code == 302
    assert CustomerNeeds.objects.get(customer=customer).purpose == "expansion"
    assert client_for(portrait_world, "am_chen").get(f"/customers/{customer.pk}/needs/").status_code == 404


def test_tier_reference_page(portrait_world):
    page = client_for(portrait_world, "director").get("/customers/tiers/")
    assert page.status_code == 200 and 'data-tier="strategic"' in page.content.decode()


def api(client, method, path, payload=None):
    return getattr(client, method)(f"/api/v1{path}", data=json.dumps(payload) if payload is not None else None,
                                   content_type="application/json")


def test_portrait_api(portrait_world):
    world = portrait_world
    director, am = client_for(world, "director"), client_for(world, "am_wang")
    tags = am.get("/api/v1/portrait/tags", {"theme": "basic", "limit": 100}).json()
    assert tags["count"] >= 30
    assert api(am, "post", "/portrait/segments/count", {"query": "制造业"}).json()["count"] == 1
    assert api(director, "post", "/portrait/segments/count", {"query": "制造业"}).json()["count"] == 4
    refused = api(am, "post", "/portrait/segments", {"name": "x", "query": "制造业 AND 没有"})
    assert refused.status_code == 422 and "query" in json.dumps(refused.json())
    assert Segment.objects.count() == 0
    created = api(am, "post", "/portrait/segments", {"name": "我的", "query": "制造业 OR 华南"})
    assert created.status_code == 201
    members = api(am, "get", f"/portrait/segments/{created.json()['id']}/members").json()
    assert members["customer_ids"] == [world.customers["am_wang_company"].pk]
    bad_rule = api(director, "post", "/portrait/tags", {"code": "x_bad", "name_zh": "坏", "theme": "risk",
                                                        "rule": "loans_count >"})
    assert bad_rule.status_code == 422 and "rule" in json.dumps(bad_rule.json())
    assert api(am, "post", "/portrait/tags", {"code": "x_ok", "name_zh": "好", "theme": "risk",
                                              "rule": "loans_count > 1"}).status_code == 403
    customer = world.customers["am_wang_person"]
    answered = api(am, "post", f"/portrait/customers/{customer.pk}/needs",
                   {"answers": {"purpose": "nope"}})
    assert answered.status_code == 422 and "answers.purpose" in json.dumps(answered.json())
    portrait = api(am, "get", f"/portrait/customers/{customer.pk}").json()
    assert portrait["tier"] == "micro" and "basic" in portrait["tags"]
    assert api(client_for(world, "am_chen"), "get", f"/portrait/customers/{customer.pk}").status_code == 404
    assert api(director, "post", "/portrait/tier-policy", {"strategic_min": "100", "growth_min": "200",
                                                           "high_value_clv": "1"}).status_code == 422


def test_demo_segments_are_saved_by_the_director_within_the_catalogue(portrait_world):
    saved = seed_segments()
    segments = Segment.objects.filter(name__in=[name for name, _query in SEGMENTS])
    assert 0 < saved == segments.count() <= len(SEGMENTS)
    assert {s.owner_id for s in segments} == {portrait_world.staff["director"].pk}
