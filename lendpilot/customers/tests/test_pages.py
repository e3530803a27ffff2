"""Customer pages through the Django test client: every role sees exactly its scope, out-of-scope
objects are 404, a role without the permission gets 403, and bad input changes nothing."""

import pytest
from django.urls import reverse

from lendpilot.compliance.models import PiiAccessLog
from lendpilot.core.reference import Industry
from lendpilot.customers.models import Customer
from lendpilot.customers.synthetic import make_credit_code, make_id_number, make_mobile
from lendpilot.org.roles import Role

ROLES = ["director", "east_head", "south_head", "east_a_lead", "am_wang", "am_zhao", "am_sun", "am_chen",
         "risk_l1", "compliance", "operations"]


def expected_customers(world, key) -> set[int]:
    staff = world.staff[key]
    match staff.role:
        case Role.DIRECTOR | Role.RISK_OFFICER | Role.COMPLIANCE_OFFICER | Role.OPERATIONS:
            return {c.pk for c in world.customers.values()}
        case Role.REGIONAL_HEAD:
            return {c.pk for c in world.customers.values() if c.manager.region_id == staff.region_id}
        case Role.TEAM_LEAD:
            return {c.pk for c in world.customers.values() if c.manager.team_id == staff.team_id}
        case Role.ACCOUNT_MANAGER:
            return {c.pk for c in world.customers_of(key)}
    return set()


def signed_in(client, world, key):
    client.force_login(world.user(key))
    return client


def detail_url(customer) -> str:
    return reverse("customers:detail", args=[customer.pk])


@pytest.mark.parametrize("key", ROLES)
def test_customer_list_shows_exactly_the_scope(client, world, key):
    signed_in(client, world, key)
    response = client.get(reverse("customers:list"))
    assert response.status_code == 200
    listed = {c.pk for c in response.context["page_obj"].paginator.object_list}
    expected = expected_customers(world, key)
    assert listed == expected and expected
    html = response.content.decode()
    for customer in world.customers.values():
        assert (f'href="{detail_url(customer)}"' in html) == (customer.pk in expected)


@pytest.mark.parametrize("key", ROLES)
def test_customer_detail_outside_scope_is_404(client, world, key):
    signed_in(client, world, key)
    expected = expected_customers(world, key)
    for customer in world.customers.values():
        status = client.get(detail_url(customer)).status_code
        assert status == (200 if customer.pk in expected else 404), customer.name
        if customer.pk not in expected:
            assert client.get(reverse("customers:edit", args=[customer.pk])).status_code == 404


def test_channel_partner_is_refused_customers(client, world):
    signed_in(client, world, "partner")
    customer = world.customers["am_wang_person"]
    before = Customer.objects.count()
    assert client.get(reverse("customers:list")).status_code == 403
    assert client.get(detail_url(customer)).status_code == 403
    assert client.get(reverse("customers:create")).status_code == 403
    response = client.post(reverse("customers:reveal", args=[customer.pk]),
                           {"field": "id_number", "purpose": "identity_check"})
    assert response.status_code == 403
    assert Customer.objects.count() == before
    assert not PiiAccessLog.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(reverse("customers:list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_detail_shows_identifiers_masked(client, world):
    signed_in(client, world, "am_wang")
    customer = world.customers["am_wang_person"]
    html = client.get(detail_url(customer)).content.decode()
    assert customer.id_number_masked in html and customer.phone_masked in html
    assert 'data-reveal="id_number"' in html


def test_search_finds_by_exact_id_number_and_keeps_scope(client, world):
    from lendpilot.compliance.crypto import decrypt

    customer = world.customers["am_wang_person"]
    id_number = decrypt(customer.id_number_cipher)
    signed_in(client, world, "am_wang")
    response = client.get(reverse("customers:list"), {"q": id_number})
    assert [c.pk for c in response.context["page_obj"]] == [customer.pk]
    client.force_login(world.user("am_zhao"))
    response = client.get(reverse("customers:list"), {"q": id_number})
    assert list(response.context["page_obj"]) == []


def test_filters_narrow_the_list(client, world):
    signed_in(client, world, "director")
    response = client.get(reverse("customers:list"), {"kind": "enterprise", "region": world.regions["south"].pk})
    assert {c.pk for c in response.context["page_obj"]} == {world.customers["am_chen_company"].pk}
    # A filter value that is not a choice is ignored rather than an error.
    assert client.get(reverse("customers:list"), {"kind": "martian", "page": "x"}).status_code == 200


def test_reveal_returns_the_plain_value_and_logs_it(client, world):
    from lendpilot.compliance.crypto import decrypt

    customer = world.customers["am_wang_person"]
    signed_in(client, world, "am_wang")
    response = client.post(reverse("customers:reveal", args=[customer.pk]),
                           {"field": "id_number", "purpose": "identity_check"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert decrypt(customer.id_number_cipher) in response.content.decode()
    log = PiiAccessLog.objects.get()
    assert (log.actor_id, log.object_id, log.field, log.purpose) == (
        world.user("am_wang").pk, str(customer.pk), "id_number", "identity_check")


def test_reveal_without_purpose_shows_the_form_again_and_logs_nothing(client, world):
    customer = world.customers["am_wang_person"]
    signed_in(client, world, "am_wang")
    response = client.post(reverse("customers:reveal", args=[customer.pk]), {"field": "id_number", "purpose": " "})
    assert response.status_code == 200
    assert 'data-reveal="id_number"' in response.content.decode()
    free_text = client.post(reverse("customers:reveal", args=[customer.pk]),
                            {"field": "id_number", "purpose": "just looking"})
    assert 'data-reveal="id_number"' in free_text.content.decode()
    unexplained = client.post(reverse("customers:reveal", args=[customer.pk]),
                              {"field": "id_number", "purpose": "other", "note": ""})
    assert 'data-reveal="id_number"' in unexplained.content.decode()
    assert not PiiAccessLog.objects.exists()


def test_reveal_outside_scope_is_404_and_logs_nothing(client, world):
    signed_in(client, world, "am_zhao")
    response = client.post(reverse("customers:reveal", args=[world.customers["am_wang_person"].pk]),
                           {"field": "id_number", "purpose": "identity_check"})
    assert response.status_code == 404
    assert not PiiAccessLog.objects.exists()


def test_reveal_needs_the_permission(client, world):
    # Compliance sees customers but may not unmask identifiers.
    signed_in(client, world, "compliance")
    customer = world.customers["am_wang_person"]
    assert 'data-reveal="id_number"' not in client.get(detail_url(customer)).content.decode()
    response = client.post(reverse("customers:reveal", args=[customer.pk]),
                           {"field": "id_number", "purpose": "audit"})
    assert response.status_code == 403
    assert not PiiAccessLog.objects.exists()


def test_reveal_is_post_only(client, world):
    signed_in(client, world, "am_wang")
    assert client.get(reverse("customers:reveal", args=[world.customers["am_wang_person"].pk])).status_code == 405


def person_form(world, **overrides):
    data = {
        "kind": Customer.Kind.PERSON,
        "name": "新客户张三",
        "id_number": make_id_number(world.rng),
        "credit_code": "",
        "phone": make_mobile(world.rng),
        "bank_account": "",
        "legal_representative": "",
        "industry": Industry.TRADE,
        "region": world.regions["east"].pk,
        "city": "上海",
        "address": "",
        "manager": world.staff["am_wang"].pk,
        "lifecycle_status": Customer.Lifecycle.PROSPECT,
    }
    data.update(overrides)
    return data


def test_create_registers_a_customer(client, world):
    signed_in(client, world, "am_wang")
    form = client.get(reverse("customers:create")).context["form"]
    assert list(form.fields["manager"].queryset) == [world.staff["am_wang"]]
    response = client.post(reverse("customers:create"), person_form(world))
    customer = Customer.objects.get(name="新客户张三")
    assert response.status_code == 302 and response["Location"] == detail_url(customer)
    assert customer.manager == world.staff["am_wang"]


@pytest.mark.parametrize(("field", "overrides"), [
    ("id_number", {"id_number": "110101199003071234"}),  # wrong check digit
    ("id_number", {"id_number": ""}),  # a person needs one
    ("phone", {"phone": "12345"}),
    ("credit_code", {"kind": Customer.Kind.ENTERPRISE, "id_number": "", "credit_code": "91310000MA1FL0000X"}),
    ("bank_account", {"bank_account": "6222021234567890124"}),  # fails Luhn
    ("manager", {"manager": "__other__"}),  # someone outside the account manager's scope
])
def test_bad_input_is_named_on_its_field_and_writes_nothing(client, world, field, overrides):
    signed_in(client, world, "am_wang")
    if overrides.get("manager") == "__other__":
        overrides = {"manager": world.staff["am_chen"].pk}
    before = Customer.objects.count()
    response = client.post(reverse("customers:create"), person_form(world, **overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert f'data-field="{field}"' in response.content.decode()
    assert Customer.objects.count() == before


def test_duplicate_credit_code_is_a_form_error(client, world):
    signed_in(client, world, "director")
    existing = world.customers["am_chen_company"]
    before = Customer.objects.count()
    response = client.post(reverse("customers:create"), person_form(
        world, kind=Customer.Kind.ENTERPRISE, id_number="", credit_code=existing.credit_code,
        manager=world.staff["am_chen"].pk))
    assert "credit_code" in response.context["form"].errors
    assert Customer.objects.count() == before


def test_enterprise_is_registered_by_a_director(client, world):
    signed_in(client, world, "director")
    code = make_credit_code(world.rng)
    response = client.post(reverse("customers:create"), person_form(
        world, kind=Customer.Kind.ENTERPRISE, name="新企业有限公司", id_number="", credit_code=code,
        manager=world.staff["am_chen"].pk, region=world.regions["south"].pk))
    assert response.status_code == 302
    assert Customer.objects.get(credit_code=code).manager == world.staff["am_chen"]


def edit_form(customer, **overrides):
    data = {"name": customer.name, "phone": "", "bank_account": "", "legal_representative": "",
            "industry": customer.industry, "region": customer.region_id, "city": customer.city,
            "address": customer.address, "lifecycle_status": customer.lifecycle_status}
    data.update(overrides)
    return data


def test_edit_changes_only_what_was_changed(client, world):
    customer = world.customers["am_wang_person"]
    phone_cipher = customer.phone_cipher
    signed_in(client, world, "am_wang")
    response = client.post(reverse("customers:edit", args=[customer.pk]),
                           edit_form(customer, city="苏州", lifecycle_status=Customer.Lifecycle.ACTIVE))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.city, customer.lifecycle_status) == ("苏州", Customer.Lifecycle.ACTIVE)
    assert customer.phone_cipher == phone_cipher  # an empty phone field keeps the number on file


def test_edit_with_a_bad_phone_changes_nothing(client, world):
    customer = world.customers["am_wang_person"]
    signed_in(client, world, "am_wang")
    response = client.post(reverse("customers:edit", args=[customer.pk]),
                           edit_form(customer, phone="999", city="苏州"))
    assert response.status_code == 200
    assert "phone" in response.context["form"].errors
    fresh = Customer.objects.get(pk=customer.pk)
    assert (fresh.city, fresh.phone_cipher) == (customer.city, customer.phone_cipher)


def test_edit_needs_the_permission(client, world):
    customer = world.customers["am_wang_person"]
    signed_in(client, world, "risk_l1")
    assert client.get(reverse("customers:edit", args=[customer.pk])).status_code == 403
    response = client.post(reverse("customers:edit", args=[customer.pk]), edit_form(customer, city="苏州"))
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.city != "苏州"


def test_all_mistakes_are_reported_at_once(client, world):
    signed_in(client, world, "director")
    before = Customer.objects.count()
    response = client.post(reverse("customers:create"), person_form(
        world, id_number="110101199003071234", phone="123", region="", manager=""))
    assert {"id_number", "phone", "region", "manager"} <= set(response.context["form"].errors)
    assert Customer.objects.count() == before
