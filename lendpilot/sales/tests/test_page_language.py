"""Sales pages in the reader's language and with the links the reader may open: assignment reasons stored in
the catalogue's words and read translated, who moved an opportunity by name, trigger codes as code, the lead
inbox's intake buttons only for those who may create leads, the 360 without pipeline links for operations."""

import pytest
from django.test import Client
from django.utils import translation

from lendpilot.sales.selectors import actor_names
from lendpilot.sales.services import reason_shown, reason_stored

pytestmark = pytest.mark.django_db


def client_for(world, key, language="zh-hans"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies["django_language"] = language
    client.force_login(world.user(key))
    return client


def test_assignment_reasons_are_stored_once_and_read_in_each_language():
    stored = reason_stored(["industry", "conversion"])
    assert stored == "industry expertise, existing-customer conversion"
    with translation.override("zh-hans"):
        shown = reason_shown(stored)
        assert "industry" not in shown and shown.count(",") == 1
        assert reason_shown("客户主动来电") == "客户主动来电"
    with translation.override("en"):
        assert reason_shown(stored) == stored


def test_actors_are_named_never_by_login(world):
    names = actor_names(["am_wang", "system", "lending"])
    assert names["am_wang"] == "王芳"
    with translation.override("en"):
        assert actor_names(["system"])["system"] == "System"


def test_lead_inbox_offers_intake_only_to_who_may_create_leads(world):
    own = client_for(world, "am_wang").get("/sales/leads/").content.decode()
    assert 'id="inbox-new-lead"' in own and 'id="inbox-import"' in own
    response = client_for(world, "compliance").get("/sales/leads/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "/sales/leads/new/" not in body and "/sales/leads/import/" not in body


def test_customer_360_links_operations_to_nothing_it_may_not_open(world):
    customer = world.customers["am_wang_company"]
    response = client_for(world, "operations").get(f"/sales/customers/{customer.pk}/360/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'href="/sales/"' not in body and 'href="/sales/offers/' not in body
    assert 'href="/customers/"' in body


def test_lead_import_help_marks_column_names_as_code(world):
    en = client_for(world, "am_wang", "en").get("/sales/leads/import/").content.decode()
    assert '<code lang="zh-Hans">名称</code>' in en and "<code>amount_wanted</code>" in en
    assert "person/个人" not in en
