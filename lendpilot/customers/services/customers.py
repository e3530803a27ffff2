"""Registering and changing customers (FEATURES X3, C8): create, update, reassign, and reveal a
personal identifier.

Identifiers are validated with python-stdnum, then sealed (encrypted, hashed, masked) before they
reach the database. Audit records carry only masked identifiers, never the plaintext.
"""

from typing import cast

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event, snapshot
from lendpilot.compliance.crypto import decrypt, keyed_hash
from lendpilot.compliance.drills.services import pii_access_record
from lendpilot.compliance.screening.names import Subject
from lendpilot.compliance.screening.selectors import customer_ref
from lendpilot.compliance.screening.services import onboarding_screen
from lendpilot.compliance.screening.sources import subject_source
from lendpilot.core.reference import Industry
from lendpilot.customers.identifiers import (
    IdentifierError,
    birth_date_from_id,
    gender_from_id,
    normalise_bank_account,
    normalise_credit_code,
    normalise_id_number,
    normalise_mobile,
)
from lendpilot.customers.models import (
    Customer,
)
from lendpilot.customers.pii import PII_FIELDS, RevealPurpose, sealed_columns
from lendpilot.customers.services.tags import tags_refresh_customers
from lendpilot.org.access import actor_of, require, staff_in_scope
from lendpilot.org.models import Region, Staff
from lendpilot.org.roles import Perm, Role

AUDITED_FIELDS = [
    "kind",
    "name",
    "id_number_masked",
    "credit_code",
    "phone_masked",
    "bank_account_masked",
    "legal_representative",
    "industry",
    "region_id",
    "city",
    "address",
    "manager_id",
    "lifecycle_status",
]


OWNER_ROLES = (Role.ACCOUNT_MANAGER, Role.TEAM_LEAD, Role.REGIONAL_HEAD)


def _validated_identifiers(
    *,
    kind: str,
    id_number: str | None,
    credit_code: str | None,
    phone: str | None,
    bank_account: str | None,
    errors: dict,
) -> dict:
    """Normalise the identifiers, collecting a message per bad field into `errors`."""
    values = {}
    for field, raw, normalise in (
        ("id_number", id_number, normalise_id_number),
        ("credit_code", credit_code, normalise_credit_code),
        ("phone", phone, normalise_mobile),
        ("bank_account", bank_account, normalise_bank_account),
    ):
        if raw is None or str(raw).strip() == "":
            values[field] = ""
            continue
        try:
            values[field] = normalise(str(raw))
        except IdentifierError as exc:
            errors[field] = str(exc)
    if kind == Customer.Kind.PERSON and not values.get("id_number") and "id_number" not in errors:
        errors["id_number"] = _("a person needs a resident ID number")
    if kind == Customer.Kind.ENTERPRISE and not values.get("credit_code") and "credit_code" not in errors:
        errors["credit_code"] = _("an enterprise needs a unified social credit code")
    return values


def _check_manager(acting, manager: Staff, errors: dict) -> None:
    if manager.role not in OWNER_ROLES or not manager.is_active:
        errors["manager"] = _("the relationship manager must be an active account manager, team lead or regional head")
    elif not staff_in_scope(acting, manager):
        errors["manager"] = _("the relationship manager is outside your data scope")


def _check_region(manager: Staff, region: Region, errors: dict, *, field: str = "region") -> None:
    # A customer lives in a region its manager serves: region scopes and regional figures follow the
    # manager, so a customer booked elsewhere would show in one region's figures and another's slices.
    if manager.region_id and region.pk != manager.region_id and "manager" not in errors:
        errors[field] = _("the region is not served by the customer's relationship manager")


def _check_duplicates(values: dict, *, exclude_pk: int | None, errors: dict) -> None:
    others = Customer.objects.exclude(pk=exclude_pk) if exclude_pk else Customer.objects.all()
    if (
        values.get("id_number")
        and others.filter(kind=Customer.Kind.PERSON, id_number_hash=keyed_hash(values["id_number"])).exists()
    ):
        errors["id_number"] = _("a customer with this ID number already exists")
    if (
        values.get("credit_code")
        and others.filter(kind=Customer.Kind.ENTERPRISE, credit_code=values["credit_code"]).exists()
    ):
        errors["credit_code"] = _("a customer with this credit code already exists")


@transaction.atomic
def customer_create(
    *,
    actor,
    kind: str,
    name: str,
    industry: str,
    region: Region,
    manager: Staff,
    id_number: str | None = None,
    credit_code: str | None = None,
    phone: str | None = None,
    bank_account: str | None = None,
    legal_representative: str = "",
    city: str = "",
    address: str = "",
    lifecycle_status: str = Customer.Lifecycle.PROSPECT,
) -> Customer:
    """Register a person or an enterprise. Rejects bad identifiers (GB 11643, GB 32100, mobile, bank
    account), a duplicate ID number or credit code, an unknown industry, and a manager outside scope."""
    acting = actor_of(actor)
    require(acting, Perm.CREATE_CUSTOMER)
    errors: dict[str, str] = {}
    if kind not in Customer.Kind.values:
        errors["kind"] = _("kind must be one of %(choices)s") % {"choices": ", ".join(Customer.Kind.values)}
    if not (name or "").strip():
        errors["name"] = _("a name is required")
    if industry not in Industry.values:
        errors["industry"] = _("unknown industry section %(industry)s (GB/T 4754: A-T)") % {"industry": industry}
    if lifecycle_status not in Customer.Lifecycle.values:
        errors["lifecycle_status"] = _("unknown lifecycle status %(lifecycle_status)s") % {
            "lifecycle_status": lifecycle_status
        }
    values = _validated_identifiers(
        kind=kind, id_number=id_number, credit_code=credit_code, phone=phone, bank_account=bank_account, errors=errors
    )
    _check_manager(acting, manager, errors)
    _check_region(manager, region, errors)
    _check_duplicates(values, exclude_pk=None, errors=errors)
    if errors:
        raise ValidationError(errors)
    columns = {}
    for field in PII_FIELDS:
        columns.update(sealed_columns(field, values[field]))
    person_facts = {}
    if values["id_number"]:
        person_facts = {
            "birth_date": birth_date_from_id(values["id_number"]),
            "gender": gender_from_id(values["id_number"]),
        }
    try:
        with transaction.atomic():
            customer = Customer.objects.create(
                kind=kind,
                name=name.strip(),
                credit_code=values["credit_code"],
                industry=industry,
                region=region,
                manager=manager,
                legal_representative=legal_representative,
                city=city,
                address=address,
                lifecycle_status=lifecycle_status,
                **columns,
                **person_facts,
            )
    except IntegrityError as exc:  # a concurrent registration of the same identifier
        raise ValidationError(
            {
                "id_number"
                if kind == Customer.Kind.PERSON
                else "credit_code": "a customer with this identifier already exists"
            }
        ) from exc
    tags_refresh_customers(customer_ids=[customer.pk])  # B4: a new customer carries its basic tags at once
    record_event(
        actor=acting.user,
        event_code="customers.customer_created",
        obj=customer,
        after=snapshot(customer, AUDITED_FIELDS),
    )
    # AML customer due diligence: screened against the watch lists in use at once; a hit waits for compliance.
    onboarding_screen(actor=acting, subjects=screening_subjects(customer))
    return customer


def screening_subjects(customer: Customer) -> list[Subject]:
    """Whom AML screening checks for a customer, as plain values: the customer (with the ID-number hash and birth
    date of a person) and, for an enterprise, its legal representative, both under the customer's reference, so
    that a confirmed hit on either freezes the customer's applications and disbursements."""
    ref = customer_ref(customer.pk)
    subjects = [Subject(ref, customer.name, customer.id_number_hash or "", customer.birth_date)]
    if customer.kind == Customer.Kind.ENTERPRISE and (customer.legal_representative or "").strip():
        subjects.append(Subject(ref, customer.legal_representative.strip()))
    return subjects


@subject_source("customers")
def customer_screening_page(after: int, limit: int) -> list[tuple[int, Subject]]:
    """The customer book for re-screening after a list update: customers with a key above `after`, by key."""
    customers = (Customer.objects.filter(pk__gt=after).order_by("pk")
                 .only("pk", "kind", "name", "id_number_hash", "birth_date", "legal_representative")[:limit])
    return [(customer.pk, subject) for customer in customers for subject in screening_subjects(customer)]


UPDATABLE = {
    "name",
    "phone",
    "bank_account",
    "legal_representative",
    "industry",
    "region",
    "city",
    "address",
    "lifecycle_status",
}


@transaction.atomic
def customer_update(*, actor, customer: Customer, **changes) -> Customer:
    """Change contact and profile fields. Identity (kind, ID number, credit code) is fixed at creation;
    ownership changes go through `customer_reassign`."""
    acting = actor_of(actor)
    require(acting, Perm.UPDATE_CUSTOMER)
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValidationError({field: _("this field cannot be changed here") for field in sorted(unknown)})
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    before = snapshot(customer, AUDITED_FIELDS)
    errors: dict[str, str] = {}
    if "name" in changes and not (changes["name"] or "").strip():
        errors["name"] = _("a name is required")
    if "industry" in changes and changes["industry"] not in Industry.values:
        errors["industry"] = _("unknown industry section %(industry)s (GB/T 4754: A-T)") % {
            "industry": changes["industry"]
        }
    if "lifecycle_status" in changes and changes["lifecycle_status"] not in Customer.Lifecycle.values:
        errors["lifecycle_status"] = _("unknown lifecycle status %(lifecycle_status)s") % {
            "lifecycle_status": changes["lifecycle_status"]
        }
    if "region" in changes:
        _check_region(customer.manager, changes["region"], errors)
    sealed = {}
    for field, normalise in (("phone", normalise_mobile), ("bank_account", normalise_bank_account)):
        if field in changes:
            raw = changes.pop(field)
            try:
                sealed.update(sealed_columns(field, normalise(raw) if raw else ""))
            except IdentifierError as exc:
                errors[field] = str(exc)
    if errors:
        raise ValidationError(errors)
    for field, value in {**changes, **sealed}.items():
        setattr(customer, field, value.strip() if field == "name" else value)
    customer.save()
    # B4: tags follow a change of the customer at once, not only at the nightly recompute.
    tags_refresh_customers(customer_ids=[customer.pk])
    record_event(
        actor=acting.user,
        event_code="customers.customer_updated",
        obj=customer,
        before=before,
        after=snapshot(customer, AUDITED_FIELDS),
    )
    return customer


@transaction.atomic
def customer_reassign(*, actor, customer: Customer, manager: Staff, reason: str) -> Customer:
    """Hand a customer to another relationship manager within the actor's scope."""
    acting = actor_of(actor)
    require(acting, Perm.REASSIGN_CUSTOMER)
    errors: dict[str, str] = {}
    if not (reason or "").strip():
        errors["reason"] = _("a reason is required")
    _check_manager(acting, manager, errors)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    _check_region(manager, customer.region, errors, field="manager")
    if errors:
        raise ValidationError(errors)
    before = {"manager_id": customer.manager_id}
    customer.manager = manager
    customer.save(update_fields=["manager", "updated_at"])
    record_event(
        actor=acting.user,
        event_code="customers.customer_reassigned",
        obj=customer,
        before=before,
        after={"manager_id": manager.pk, "reason": reason.strip()},
    )
    return customer


@transaction.atomic
def customer_reveal_pii(*, actor, customer: Customer, field: str, purpose: str, note: str = "",
                        channel: str = "web") -> str:
    """Return one identifier in clear, for a purpose from `RevealPurpose` (with a free-text note, required
    for "other"). Needs the reveal permission; writes a row to the PII access log and an audit event. The
    caller must already have checked the scope (it got `customer` from a scoped selector)."""
    acting = actor_of(actor)
    require(acting, Perm.REVEAL_PII)
    errors = {}
    if field not in PII_FIELDS:
        errors["field"] = _("field must be one of %(choices)s") % {"choices": ", ".join(PII_FIELDS)}
    note = (note or "").strip()
    if purpose not in RevealPurpose.values:
        errors["purpose"] = _("choose why you need to see this identifier: %(choices)s") % {
            "choices": ", ".join(RevealPurpose.values)}
    elif purpose == RevealPurpose.OTHER and not note:
        errors["note"] = _("explain why you need to see this identifier")
    if errors:
        raise ValidationError(errors)
    purpose = f"{purpose}: {note}" if note else str(purpose)
    cipher = getattr(customer, f"{field}_cipher")
    if not cipher:
        raise ValidationError({"field": _("this customer has no such identifier on file")})
    plaintext = decrypt(cipher)
    # Through the drills service, so that revealing a canary customer alerts compliance at once.
    pii_access_record(actor=cast(User, acting.user), object_type="customers.customer", object_id=str(customer.pk),
                      field=field, purpose=purpose.strip()[:200], channel=channel)
    record_event(
        actor=acting.user,
        event_code="customers.pii_revealed",
        obj=customer,
        after={"field": field, "purpose": purpose.strip()[:200], "channel": channel},
    )
    return plaintext
