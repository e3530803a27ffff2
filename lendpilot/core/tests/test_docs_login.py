"""Outside development the OpenAPI document and the interactive docs need a signed-in user (session or
bearer token); in development (DEBUG on) they stay open."""

import pytest
from django.test import override_settings

from lendpilot.org.services import api_token_issue

pytestmark = pytest.mark.django_db
DOCUMENT, DOCS = "/api/v1/openapi.json", "/api/v1/docs"


@override_settings(DEBUG=False)
def test_document_and_docs_refuse_an_anonymous_reader(client):
    document = client.get(DOCUMENT)
    assert document.status_code == 401 and "paths" not in document.content.decode()
    docs = client.get(DOCS)
    assert docs.status_code == 302 and "/login" in docs["Location"]


@override_settings(DEBUG=False)
def test_document_and_docs_serve_a_signed_in_user_or_a_token(client, world):
    client.force_login(world.user("am_wang"))
    assert "paths" in client.get(DOCUMENT).json()
    assert client.get(DOCS).status_code == 200
    client.logout()
    _token, secret = api_token_issue(actor=world.user("director"), user=world.user("director"), name="docs")
    assert "paths" in client.get(DOCUMENT, HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    assert client.get(DOCUMENT, HTTP_AUTHORIZATION="Bearer lp_not_a_token").status_code == 401


@override_settings(DEBUG=True)
def test_development_keeps_the_docs_open(client):
    assert client.get(DOCUMENT).status_code == 200
