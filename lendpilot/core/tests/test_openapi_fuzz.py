"""Fuzz every operation of the real OpenAPI document with schemathesis: whatever a client sends, the
API answers without a server error, and its answers match the documented shapes.

The schema is loaded from the WSGI application itself inside a database test; requests carry the
director's bearer token (the widest reach). One test per operation, so a failure names it.

`make test` runs 15 examples per operation; `make fuzz` sets LENDPILOT_FUZZ_EXAMPLES=100 and
LENDPILOT_FUZZ_STRICT=1 (every operation must also give only the status codes it documents).
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lendpilot.api import api
from lendpilot.org.models import ApiToken
from lendpilot.org.services import api_token_issue
from lendpilot.wsgi import application

OPENAPI_URL = "/api/v1/openapi.json"
DOCUMENT = api.get_openapi_schema(path_prefix="/api/v1/")
OPERATIONS = sorted((path, method.upper()) for path, methods in DOCUMENT["paths"].items() for method in methods)
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]


# Routers that document every error answer they give (the shared `ERRORS` of lendpilot.core.schemas).
STRICT_TAGS = {"org", "customers", "products", "scoring", "lending"}


def checks_for(path: str, method: str) -> list:
    """Every operation must answer without a server error, with the documented content type and body
    shape; the operations of the strict routers must also give no status code they do not list."""
    tags = set(DOCUMENT["paths"][path][method.lower()].get("tags", []))
    strict = tags & STRICT_TAGS or os.environ.get("LENDPILOT_FUZZ_STRICT") == "1"
    return [*CHECKS, status_code_conformance] if strict else CHECKS


FUZZ = settings(
    max_examples=int(os.environ.get("LENDPILOT_FUZZ_EXAMPLES", "15")),
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


class DirectorToken:
    """The director's bearer header; issued again whenever the fuzzer revokes the token in use."""

    def __init__(self, user):
        self.user = user
        self.token = None
        self.secret = ""

    def header(self) -> dict:
        if self.token is None or ApiToken.objects.filter(pk=self.token.pk, revoked_at__isnull=False).exists():
            self.token, self.secret = api_token_issue(actor=None, user=self.user, name="fuzz")
        return {"Authorization": f"Bearer {self.secret}"}


@pytest.fixture
def director_token(world) -> DirectorToken:
    return DirectorToken(world.user("director"))


@pytest.fixture
def wsgi_in_test_transaction():
    """Keep the test's database connection across WSGI requests, as Django's own test client does: a
    finished request would otherwise close it (the test transaction is not in autocommit mode)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def known_ids(world, director_token) -> dict[str, list[int]]:
    director_token.header()
    return {
        "customer_id": [c.pk for c in world.customers.values()],
        "staff_id": [s.pk for s in world.staff.values()],
        "product_id": [p.pk for p in world.products.values()],
        "token_id": [director_token.token.pk],
    }


def test_the_document_lists_the_foundation_operations():
    listed = set(OPERATIONS)
    for expected in [
        ("/api/v1/org/staff", "GET"), ("/api/v1/org/me", "GET"), ("/api/v1/org/tokens", "POST"),
        ("/api/v1/customers", "POST"), ("/api/v1/customers/{customer_id}/reveal", "POST"),
        ("/api/v1/products/{product_id}/check-offer", "POST"),
    ]:
        assert expected in listed
    assert len(OPERATIONS) >= 19


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_operation_answers_without_server_error(world, director_token, wsgi_in_test_transaction, path, method):
    # Outside development the document is served to signed-in callers only.
    schema = schemathesis.openapi.from_wsgi(OPENAPI_URL, application, headers=director_token.header())
    operation = schema[path][method]
    strategies = [
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    ]
    # Random ids mostly name nothing (404); aim some of the examples at objects that exist.
    known = known_ids(world, director_token)
    names = [parameter["name"] for parameter in DOCUMENT["paths"][path][method.lower()].get("parameters", [])
             if parameter["in"] == "path"]
    if names and all(name in known for name in names):
        combos = [dict(zip(names, values, strict=True)) for values in zip(*(known[n] for n in names), strict=False)]
        strategies.append(st.sampled_from(combos).flatmap(lambda ids: operation.as_strategy(path_parameters=ids)))
    strategy = st.one_of(*strategies)
    checks = checks_for(path, method)
    calls = []

    @FUZZ
    @given(case=strategy)
    def fuzz(case):
        headers = director_token.header()
        response = case.call(headers=headers)
        calls.append(response.status_code)
        case.validate_response(response, checks=checks, headers=headers)

    fuzz()
    assert calls, "no request was made"


def test_document_and_docs_are_served(client, world):
    client.force_login(world.user("director"))
    document = client.get(OPENAPI_URL)
    assert document.status_code == 200
    schemes = document.json()["components"]["securitySchemes"]
    assert {scheme["type"] for scheme in schemes.values()} >= {"http", "apiKey"}
    assert client.get("/api/v1/docs").status_code == 200
