"""Customer services: identifier validation (X3), PII at rest (C8), scoping of ownership (X5)."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection

from lendpilot.compliance import crypto
from lendpilot.compliance.models import AuditEvent, PiiAccessLog
from lendpilot.core.reference import Industry
from lendpilot.customers.models import Customer
from lendpilot.customers.selectors import customers_visible
from lendpilot.customers.services import customer_create, customer_reassign, customer_reveal_pii, customer_update
from lendpilot.customers.synthetic import make_credit_code, make_id_number, make_mobile
from lendpilot.org.access import actor_of


def new_person(world, manager_key="am_wang", **overrides):
    manager = world.staff[manager_key]
    fields = dict(
        kind=Customer.Kind.PERSON, name="新客户", id_number=make_id_number(world.rng), phone=make_mobile(world.rng),
        industry=Industry.MANUFACTURING, region=manager.region, manager=manager,
    )
    fields.update(overrides)
    return customer_create(actor=world.user(manager_key), **fields)


def assert_nothing_written(before_customers, before_audit):
    assert Customer.objects.count() == before_customers
    assert AuditEvent.objects.count() == before_audit


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id_number", "110101199003071234"),  # wrong check digit
        ("id_number", "999999199003071233"),  # unknown area code
        ("id_number", "11010119900307"),  # too short
        ("phone", "12345678901"),  # not a mainland mobile prefix
        ("phone", "1381234567"),  # ten digits
        ("bank_account", "6222021234567890123"),  # fails Luhn
    ],
)
def test_invalid_person_identifier_is_rejected_by_field_and_nothing_is_written(world, field, value):
    counts = Customer.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        new_person(world, **{field: value})
    assert field in exc.value.message_dict
    assert_nothing_written(*counts)


def test_invalid_credit_code_is_rejected(world):
    manager = world.staff["am_wang"]
    counts = Customer.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        customer_create(actor=world.user("am_wang"), kind=Customer.Kind.ENTERPRISE, name="坏代码公司",
                        credit_code="91310000MA1FL8XX0X", industry=Industry.TRADE, region=manager.region,
                        manager=manager)
    assert "credit_code" in exc.value.message_dict
    assert_nothing_written(*counts)


def test_person_without_id_number_and_enterprise_without_credit_code_are_rejected(world):
    with pytest.raises(ValidationError) as exc:
        new_person(world, id_number="")
    assert "id_number" in exc.value.message_dict
    manager = world.staff["am_wang"]
    with pytest.raises(ValidationError) as exc:
        customer_create(actor=world.user("am_wang"), kind=Customer.Kind.ENTERPRISE, name="无码公司",
                        industry=Industry.TRADE, region=manager.region, manager=manager)
    assert "credit_code" in exc.value.message_dict


def test_unknown_industry_is_rejected(world):
    with pytest.raises(ValidationError) as exc:
        new_person(world, industry="Z")
    assert "industry" in exc.value.message_dict


def test_duplicate_id_number_is_rejected(world):
    id_number = make_id_number(world.rng)
    new_person(world, id_number=id_number)
    with pytest.raises(ValidationError) as exc:
        new_person(world, manager_key="am_zhao", id_number=id_number)
    assert "id_number" in exc.value.message_dict


def test_duplicate_credit_code_is_rejected(world):
    existing = world.customers["am_wang_company"]
    manager = world.staff["am_zhao"]
    with pytest.raises(ValidationError) as exc:
        customer_create(actor=world.user("am_zhao"), kind=Customer.Kind.ENTERPRISE, name="重复公司",
                        credit_code=existing.credit_code, industry=Industry.TRADE, region=manager.region,
                        manager=manager)
    assert "credit_code" in exc.value.message_dict


def test_id_number_and_phone_are_not_stored_in_plaintext(world):
    id_number, phone = make_id_number(world.rng), make_mobile(world.rng)
    customer = new_person(world, id_number=id_number, phone=phone)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Customer._meta.db_table} WHERE id = %s", [customer.pk])
        raw_row = " ".join(str(value) for value in cursor.fetchone())
    assert id_number not in raw_row
    assert phone not in raw_row
    assert id_number[6:14] not in raw_row  # not even the birth date run of the ID number
    assert customer.id_number_masked == id_number[:3] + "*" * 11 + id_number[-4:]
    assert customer.phone_masked == phone[:3] + "****" + phone[-4:]


def test_audit_log_holds_no_plaintext_identifier(world):
    id_number = make_id_number(world.rng)
    customer = new_person(world, id_number=id_number)
    event = AuditEvent.objects.get(event_code="customers.customer_created", object_id=str(customer.pk))
    assert id_number not in str(event.after)


def test_exact_id_number_search_finds_the_customer_through_the_keyed_hash(world):
    id_number = make_id_number(world.rng)
    customer = new_person(world, id_number=id_number)
    found = customers_visible(actor_of(world.user("director")), search=id_number)
    assert list(found) == [customer]


def test_reveal_returns_plaintext_and_logs_the_access(world):
    id_number = make_id_number(world.rng)
    customer = new_person(world, id_number=id_number)
    value = customer_reveal_pii(actor=world.user("am_wang"), customer=customer, field="id_number",
                                purpose="contract_signing", note="核对签约人身份")
    assert value == id_number
    log = PiiAccessLog.objects.get()
    assert (log.actor_id, log.object_id, log.field) == (world.user("am_wang").pk, str(customer.pk), "id_number")
    assert AuditEvent.objects.filter(event_code="customers.pii_revealed").count() == 1


def test_reveal_needs_the_permission_and_a_purpose(world):
    customer = world.customers["am_wang_person"]
    with pytest.raises(PermissionDenied):
        customer_reveal_pii(actor=world.user("compliance"), customer=customer, field="id_number",
                            purpose="regulatory_report")
    with pytest.raises(ValidationError) as exc:
        customer_reveal_pii(actor=world.user("am_wang"), customer=customer, field="id_number", purpose=" ")
    assert "purpose" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        customer_reveal_pii(actor=world.user("am_wang"), customer=customer, field="id_number", purpose="核对身份")
    assert "purpose" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        customer_reveal_pii(actor=world.user("am_wang"), customer=customer, field="id_number", purpose="other")
    assert "note" in exc.value.message_dict
    assert PiiAccessLog.objects.count() == 0


def test_manager_outside_the_actors_scope_cannot_own_a_new_customer(world):
    counts = Customer.objects.count(), AuditEvent.objects.count()
    outsider = world.staff["am_chen"]  # South China
    with pytest.raises(ValidationError) as exc:
        customer_create(actor=world.user("east_a_lead"), kind=Customer.Kind.PERSON, name="越权客户",
                        id_number=make_id_number(world.rng), industry=Industry.TRADE, region=outsider.region,
                        manager=outsider)
    assert "manager" in exc.value.message_dict
    assert_nothing_written(*counts)


def test_account_manager_cannot_reassign(world):
    customer = world.customers["am_wang_person"]
    with pytest.raises(PermissionDenied):
        customer_reassign(actor=world.user("am_wang"), customer=customer, manager=world.staff["am_zhao"],
                          reason="休假")
    customer.refresh_from_db()
    assert customer.manager == world.staff["am_wang"]


def test_team_lead_reassigns_within_the_team_with_a_reason(world):
    customer = world.customers["am_wang_person"]
    customer_reassign(actor=world.user("east_a_lead"), customer=customer, manager=world.staff["am_zhao"],
                      reason="客户经理调岗")
    customer.refresh_from_db()
    assert customer.manager == world.staff["am_zhao"]
    event = AuditEvent.objects.get(event_code="customers.customer_reassigned")
    assert event.before == {"manager_id": world.staff["am_wang"].pk}


def test_update_rejects_identity_fields_and_bad_phone(world):
    customer = world.customers["am_wang_person"]
    with pytest.raises(ValidationError) as exc:
        customer_update(actor=world.user("am_wang"), customer=customer, kind="enterprise")
    assert "kind" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        customer_update(actor=world.user("am_wang"), customer=customer, phone="000")
    assert "phone" in exc.value.message_dict


def test_mobile_with_country_code_is_normalised(world):
    phone = make_mobile(world.rng)
    customer = new_person(world, phone=f"+86 {phone[:3]}-{phone[3:7]}-{phone[7:]}")
    assert customer_reveal_pii(actor=world.user("am_wang"), customer=customer, field="phone",
                               purpose="customer_request", note="回访") == phone


def test_key_rotation_re_encrypts_and_old_values_still_read(world, settings):
    world_key = crypto._derived_key("lendpilot-field-key").decode()  # what the world was sealed with
    old_key = Fernet.generate_key().decode()
    settings.LENDPILOT_FIELD_KEYS = [old_key, world_key]
    crypto.reset_key_cache()
    try:
        id_number = make_id_number(world.rng)
        customer = new_person(world, id_number=id_number)
        old_token = Customer.objects.get(pk=customer.pk).id_number_cipher
        new_key = Fernet.generate_key().decode()
        settings.LENDPILOT_FIELD_KEYS = [new_key, old_key, world_key]
        crypto.reset_key_cache()
        call_command("rotate_pii_keys", stdout=StringIO())
        new_token = Customer.objects.get(pk=customer.pk).id_number_cipher
        assert new_token != old_token
        settings.LENDPILOT_FIELD_KEYS = [new_key]  # the old key is gone
        crypto.reset_key_cache()
        assert crypto.decrypt(new_token) == id_number
        call_command("rotate_pii_keys", stdout=StringIO())  # a second run finds nothing to do
        assert Customer.objects.get(pk=customer.pk).id_number_cipher == new_token
    finally:
        crypto.reset_key_cache()


def test_enterprise_credit_code_is_normalised_to_upper_case(world):
    code = make_credit_code(world.rng)
    manager = world.staff["am_wang"]
    customer = customer_create(actor=world.user("am_wang"), kind=Customer.Kind.ENTERPRISE, name="小写代码公司",
                               credit_code=code.lower(), industry=Industry.TRADE, region=manager.region,
                               manager=manager)
    assert customer.credit_code == code
