"""The segment builder's point-and-click tag picker and live preview: a GET that counts the actor's matching
customers and lists the first 20, writes nothing, and explains a query that does not parse."""

import datetime

import pytest
from django.test import Client

from lendpilot.compliance.models import AuditEvent
from lendpilot.customers import services
from lendpilot.customers.models import Segment
from lendpilot.customers.portrait.demo import seed_reference
from lendpilot.customers.views import PREVIEW_ROWS


@pytest.fixture
def portrait_world(world):
    seed_reference()
    services.portrait_recompute(actor=world.user("director"), as_of=datetime.date(2025, 6, 30))
    return world


def client_for(world, key):
    client = Client()
    client.force_login(world.user(key))
    return client


def test_the_preview_lists_the_actors_matching_customers_and_writes_nothing(portrait_world):
    w = portrait_world
    events, segments = AuditEvent.objects.count(), Segment.objects.count()
    fragment = client_for(w, "am_wang").get("/customers/segments/preview/", {"query": "制造业 AND 华东"})
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert 'data-count="1"' in html and 'id="segment-preview-table"' in html
    assert f'data-customer="{w.customers["am_wang_company"].pk}"' in html
    assert f'data-customer="{w.customers["am_zhao_company"].pk}"' not in html  # another manager's customer
    wide = client_for(w, "director").get("/customers/segments/preview/", {"query": "企业客户"}).content.decode()
    assert 'data-count="4"' in wide and wide.count("data-customer=") == min(4, PREVIEW_ROWS)
    assert AuditEvent.objects.count() == events and Segment.objects.count() == segments


def test_the_preview_explains_a_bad_query_and_refuses_a_post(portrait_world):
    client = client_for(portrait_world, "am_wang")
    bad = client.get("/customers/segments/preview/", {"query": "制造业 AND 不存在"}).content.decode()
    assert "segment-count-error" in bad and "segment-preview-table" not in bad
    assert client.post("/customers/segments/preview/", {"query": "制造业"}).status_code == 405
    assert client_for(portrait_world, "risk_l1").get("/customers/segments/preview/",
                                                     {"query": "制造业"}).status_code == 403


def test_the_builder_offers_a_tag_picker_beside_the_query(portrait_world):
    page = client_for(portrait_world, "am_wang").get("/customers/segments/").content.decode()
    assert 'id="tag-picker"' in page and 'data-term="华东"' in page and 'data-term="潜在客户"' in page
    assert 'hx-get="/customers/segments/preview/"' in page
