"""The customer API: every role sees exactly its scope, an out-of-scope customer is a 404, writes go
through the services (validation names the field and writes nothing), identifiers stay masked
unless revealed, and a reveal is logged."""

import random

import pytest
from django.test import Client

from lendpilot.compliance.models import AuditEvent, PiiAccessLog
from lendpilot.customers.models import Customer
from lendpilot.customers.synthetic import make_bank_card, make_credit_code, make_id_number, make_mobile

EAST_AMS = ("am_wang", "am_zhao", "am_sun")
ALL_AMS = (*EAST_AMS, "am_chen")

# Which account managers' customers each role sees.
CUSTOMER_SCOPE = {
    "director": ALL_AMS,
    "risk_l2": ALL_AMS,
    "compliance": ALL_AMS,
    "operations": ALL_AMS,
    "east_head": EAST_AMS,
    "south_head": ("am_chen",),
    "east_a_lead": ("am_wang", "am_zhao"),
    "am_wang": ("am_wang",),
    "am_sun": ("am_sun",),
    "am_chen": ("am_chen",),
}


def login(client: Client, world, key: str) -> Client:
    client.force_login(world.user(key))
    return client


def expected_ids(world, key) -> set[int]:
    return {c.pk for am in CUSTOMER_SCOPE[key] for c in world.customers_of(am)}


def post(client, url, payload):
    return client.post(url, payload, content_type="application/json")


def patch(client, url, payload):
    return client.patch(url, payload, content_type="application/json")


def named(response, field: str) -> bool:
    return any(error["loc"][-1] == field for error in response.json()["detail"])


def person_payload(world, **overrides):
    rng = random.Random(99)
    payload = {
        "kind": "person", "name": "新客户", "industry": "F", "region_id": world.regions["east"].pk,
        "id_number": make_id_number(rng), "phone": make_mobile(rng), "bank_account": make_bank_card(rng),
    }
    payload.update(overrides)
    return payload


@pytest.mark.parametrize("key", sorted(CUSTOMER_SCOPE))
def test_customer_list_shows_exactly_the_scope(world, client, key):
    body = login(client, world, key).get("/api/v1/customers", {"limit": 500}).json()
    assert {item["id"] for item in body["items"]} == expected_ids(world, key)
    assert body["count"] == len(expected_ids(world, key))


@pytest.mark.parametrize("key", sorted(CUSTOMER_SCOPE))
def test_customer_outside_scope_is_404(world, client, key):
    login(client, world, key)
    visible = expected_ids(world, key)
    for customer in world.customers.values():
        response = client.get(f"/api/v1/customers/{customer.pk}")
        assert response.status_code == (200 if customer.pk in visible else 404)
        if customer.pk not in visible:
            assert post(client, f"/api/v1/customers/{customer.pk}/reveal",
                        {"field": "phone", "purpose": "identity_check"}).status_code == 404
            assert patch(client, f"/api/v1/customers/{customer.pk}", {"city": "x"}).status_code == 404


def test_channel_partner_gets_403(world, client):
    login(client, world, "partner")
    customer = world.customers["am_wang_person"]
    assert client.get("/api/v1/customers").status_code == 403
    assert client.get(f"/api/v1/customers/{customer.pk}").status_code == 403
    before = Customer.objects.count()
    assert post(client, "/api/v1/customers", person_payload(world)).status_code == 403
    assert Customer.objects.count() == before


def test_unknown_and_absurd_ids(world, client):
    login(client, world, "director")
    assert client.get("/api/v1/customers/999999").status_code == 404
    for bad in (10**20, -5, 0):
        assert client.get(f"/api/v1/customers/{bad}").status_code == 422
    assert client.get("/api/v1/customers", {"manager_id": 10**20}).status_code == 422
    assert client.get("/api/v1/customers", {"region_id": -1}).status_code == 422


def test_filters_and_search(world, client):
    login(client, world, "director")
    wang = world.staff["am_wang"]
    body = client.get("/api/v1/customers", {"manager_id": wang.pk}).json()
    assert {i["id"] for i in body["items"]} == {c.pk for c in world.customers_of("am_wang")}
    body = client.get("/api/v1/customers", {"kind": "enterprise", "region_id": world.regions["south"].pk}).json()
    assert [i["id"] for i in body["items"]] == [world.customers["am_chen_company"].pk]
    body = client.get("/api/v1/customers", {"search": "赵敏的个人"}).json()
    assert [i["id"] for i in body["items"]] == [world.customers["am_zhao_person"].pk]
    assert client.get("/api/v1/customers", {"kind": "alien"}).status_code == 422
    page = client.get("/api/v1/customers", {"limit": 3, "offset": 6}).json()
    assert page["count"] == 8 and len(page["items"]) == 2


def test_responses_show_masked_identifiers_only(world, client):
    customer = world.customers["am_wang_person"]
    body = login(client, world, "am_wang").get(f"/api/v1/customers/{customer.pk}").json()
    assert "*" in body["id_number_masked"] and "*" in body["phone_masked"]
    text = str(body)
    for column in ("cipher", "hash"):
        assert column not in text
    assert customer.id_number_hash not in text


def test_account_manager_creates_own_customer(world, client):
    login(client, world, "am_wang")
    audit_before = AuditEvent.objects.count()
    response = post(client, "/api/v1/customers", person_payload(world))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["manager_id"] == world.staff["am_wang"].pk
    assert body["id_number_masked"].count("*") == 11
    assert Customer.objects.filter(pk=body["id"], manager=world.staff["am_wang"]).exists()
    assert AuditEvent.objects.count() == audit_before + 1


def test_enterprise_with_explicit_manager(world, client):
    login(client, world, "east_a_lead")
    payload = {"kind": "enterprise", "name": "新企业有限公司", "industry": "C",
               "region_id": world.regions["east"].pk, "credit_code": make_credit_code(random.Random(5)),
               "manager_id": world.staff["am_zhao"].pk}
    response = post(client, "/api/v1/customers", payload)
    assert response.status_code == 201, response.content
    assert response.json()["manager_id"] == world.staff["am_zhao"].pk


@pytest.mark.parametrize("key, overrides, field", [
    ("am_wang", {"id_number": "110101199003070000"}, "id_number"),
    ("am_wang", {"phone": "12345"}, "phone"),
    ("am_wang", {"bank_account": "6222020200112233441"}, "bank_account"),
    ("am_wang", {"kind": "enterprise", "id_number": None}, "credit_code"),
    ("am_wang", {"industry": "Z"}, "industry"),
    ("am_wang", {"name": ""}, "name"),
    ("am_wang", {"name": "   "}, "name"),
    ("am_wang", {"name": "x" * 101}, "name"),
    ("am_wang", {"name": "a\x00b"}, "name"),
    ("am_wang", {"region_id": 999999}, "region_id"),
    ("am_wang", {"region_id": 10**20}, "region_id"),
    ("am_wang", {"manager_id": 999999}, "manager_id"),
    ("am_wang", {"manager_id": "abc"}, "manager_id"),
    ("am_wang", {"lifecycle_status": "zombie"}, "lifecycle_status"),
    ("am_wang", {"favourite_colour": "red"}, "favourite_colour"),
    ("east_a_lead", {"manager_id": "chen"}, "manager_id"),  # replaced below by am_chen's id
    ("director", {}, "manager_id"),  # the director owns no customers: the manager must be named
    ("director", {"manager_id": "director"}, "manager_id"),  # not a relationship manager role
])
def test_bad_create_is_422_naming_the_field_and_writes_nothing(world, client, key, overrides, field):
    if overrides.get("manager_id") == "chen":
        overrides = {"manager_id": world.staff["am_chen"].pk}  # outside the lead's scope
    if overrides.get("manager_id") == "director":
        overrides = {"manager_id": world.staff["director"].pk}
    login(client, world, key)
    customers_before, audit_before = Customer.objects.count(), AuditEvent.objects.count()
    response = post(client, "/api/v1/customers", person_payload(world, **overrides))
    assert response.status_code == 422, response.content
    assert named(response, field), response.json()
    assert Customer.objects.count() == customers_before
    assert AuditEvent.objects.count() == audit_before


def test_duplicate_id_number_is_422(world, client):
    login(client, world, "am_wang")
    payload = person_payload(world)
    assert post(client, "/api/v1/customers", payload).status_code == 201
    response = post(client, "/api/v1/customers", {**payload, "name": "重复"})
    assert response.status_code == 422
    assert named(response, "id_number")


def test_compliance_may_read_but_not_write(world, client):
    login(client, world, "compliance")
    customer = world.customers["am_wang_person"]
    audit_before = AuditEvent.objects.count()
    assert post(client, "/api/v1/customers", person_payload(world, manager_id=world.staff["am_wang"].pk)
                ).status_code == 403
    assert patch(client, f"/api/v1/customers/{customer.pk}", {"city": "苏州"}).status_code == 403
    assert patch(client, f"/api/v1/customers/{customer.pk}", {}).status_code == 403
    # Compliance audits; it does not see identifiers in clear.
    assert post(client, f"/api/v1/customers/{customer.pk}/reveal",
                {"field": "phone", "purpose": "regulatory_report"}).status_code == 403
    assert AuditEvent.objects.count() == audit_before
    assert PiiAccessLog.objects.count() == 0


def test_update(world, client):
    customer = world.customers["am_wang_person"]
    login(client, world, "am_wang")
    phone = make_mobile(random.Random(3))
    response = patch(client, f"/api/v1/customers/{customer.pk}",
                     {"city": "苏州", "phone": phone, "lifecycle_status": "active"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["city"] == "苏州" and body["lifecycle_status"] == "active"
    assert body["phone_masked"] == phone[:3] + "****" + phone[-4:]
    response = patch(client, f"/api/v1/customers/{customer.pk}", {"bank_account": ""})
    assert response.status_code == 200
    assert response.json()["bank_account_masked"] == ""


@pytest.mark.parametrize("payload, field", [
    ({"name": ""}, "name"),
    ({"name": None}, "name"),
    ({"phone": "999"}, "phone"),
    ({"industry": "Z"}, "industry"),
    ({"region_id": 999999}, "region_id"),
    ({"kind": "enterprise"}, "kind"),
    ({"id_number": "110101199003074477"}, "id_number"),
    ({"manager_id": 1}, "manager_id"),
])
def test_bad_update_is_422_naming_the_field_and_changes_nothing(world, client, payload, field):
    customer = world.customers["am_wang_person"]
    login(client, world, "am_wang")
    audit_before = AuditEvent.objects.count()
    before = Customer.objects.values().get(pk=customer.pk)
    response = patch(client, f"/api/v1/customers/{customer.pk}", {"city": "苏州", **payload})
    assert response.status_code == 422, response.content
    assert named(response, field), response.json()
    assert Customer.objects.values().get(pk=customer.pk) == before
    assert AuditEvent.objects.count() == audit_before


def test_reassign_within_scope(world, client):
    customer = world.customers["am_wang_company"]
    login(client, world, "east_a_lead")
    url = f"/api/v1/customers/{customer.pk}/reassign"
    response = post(client, url, {"manager_id": world.staff["am_zhao"].pk, "reason": "workload"})
    assert response.status_code == 200, response.content
    assert response.json()["manager_id"] == world.staff["am_zhao"].pk
    # Outside the lead's scope: the new manager is unknown to the lead.
    response = post(client, url, {"manager_id": world.staff["am_chen"].pk, "reason": "x"})
    assert response.status_code == 422 and named(response, "manager_id")
    response = post(client, url, {"manager_id": world.staff["am_wang"].pk, "reason": ""})
    assert response.status_code == 422 and named(response, "reason")
    customer.refresh_from_db()
    assert customer.manager == world.staff["am_zhao"]


def test_account_manager_may_not_reassign(world, client):
    customer = world.customers["am_wang_company"]
    login(client, world, "am_wang")
    response = post(client, f"/api/v1/customers/{customer.pk}/reassign",
                    {"manager_id": world.staff["am_zhao"].pk, "reason": "holiday"})
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.manager == world.staff["am_wang"]


def test_reveal_returns_the_clear_value_and_logs_it(world, client):
    customer = world.customers["am_wang_person"]
    login(client, world, "am_wang")
    response = post(client, f"/api/v1/customers/{customer.pk}/reveal",
                    {"field": "id_number", "purpose": "contract_signing", "note": "签约前核对"})
    assert response.status_code == 200
    value = response.json()["value"]
    assert len(value) == 18 and "*" not in value
    assert value[:3] == customer.id_number_masked[:3] and value[-4:] == customer.id_number_masked[-4:]
    log = PiiAccessLog.objects.get()
    assert (log.field, log.purpose, log.channel, log.actor) == (
        "id_number", "contract_signing: 签约前核对", "api", world.user("am_wang"))


@pytest.mark.parametrize("payload, field", [
    ({"field": "password", "purpose": "x"}, "field"),
    ({"field": "phone", "purpose": ""}, "purpose"),
    ({"field": "phone", "purpose": "   "}, "purpose"),
    ({"field": "phone"}, "purpose"),
    ({"field": "phone", "purpose": "curiosity"}, "purpose"),
    ({"field": "phone", "purpose": "other"}, "note"),
    ({"field": "phone", "purpose": "other", "note": "  "}, "note"),
])
def test_bad_reveal_is_422_and_not_logged(world, client, payload, field):
    customer = world.customers["am_wang_person"]
    login(client, world, "am_wang")
    response = post(client, f"/api/v1/customers/{customer.pk}/reveal", payload)
    assert response.status_code == 422
    assert named(response, field)
    assert PiiAccessLog.objects.count() == 0


def test_reveal_of_a_missing_identifier_is_422(world, client):
    company = world.customers["am_wang_company"]  # no bank account on file
    login(client, world, "am_wang")
    response = post(client, f"/api/v1/customers/{company.pk}/reveal",
                    {"field": "bank_account", "purpose": "identity_check"})
    assert response.status_code == 422
    assert named(response, "field")
    assert PiiAccessLog.objects.count() == 0
