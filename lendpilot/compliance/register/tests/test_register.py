"""The regulatory register: documents, revisions with owners, trainings with attestations, coverage
against the 95% goal, overdue owners, pages for compliance and for every staff member."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from lendpilot.compliance.models import AuditEvent
from lendpilot.compliance.register import selectors, services
from lendpilot.compliance.register.coverage import Coverage
from lendpilot.org.access import actor_of
from lendpilot.org.roles import Role


def register_one(world, number="银发〔2026〕1号"):
    return services.regulation_register(actor=world.user("compliance"), title="反洗钱客户尽职调查办法",
                                        number=number, issuer="pboc", effective_date=date(2026, 1, 1))


def test_coverage_states():
    today = date(2026, 6, 1)
    assert Coverage(19, 20, date(2026, 5, 1)).state(today) == "met"
    assert Coverage(10, 20, date(2026, 5, 1)).state(today) == "missed"
    assert Coverage(10, 20, date(2026, 7, 1)).state(today) == "on_track"
    assert Coverage(0, 0, None).state(today) == "none"


def test_only_compliance_registers_and_numbers_are_unique(world):
    with pytest.raises(PermissionDenied):
        services.regulation_register(actor=world.user("am_wang"), title="x", number="1", issuer="pboc",
                                     effective_date=date(2026, 1, 1))
    register_one(world)
    with pytest.raises(ValidationError) as exc:
        register_one(world)
    assert "number" in exc.value.message_dict
    assert AuditEvent.objects.filter(event_code="compliance.regulation_registered").count() == 1


def test_attestation_coverage_counts_the_roles_concerned(world):
    document = register_one(world)
    officer = world.user("compliance")
    training = services.training_create(actor=officer, document=document, title="尽调培训",
                                        deadline=timezone.localdate() - timedelta(days=1),
                                        roles=[Role.ACCOUNT_MANAGER])
    for key in ("am_wang", "am_zhao", "am_sun"):
        services.training_attest(actor=world.user(key), training=training)
    with pytest.raises(ValidationError):
        services.training_attest(actor=world.user("am_wang"), training=training)
    with pytest.raises(ValidationError):
        services.training_attest(actor=world.user("director"), training=training)
    [row] = selectors.register_rows(actor_of(officer), today=timezone.localdate())
    assert (row.coverage.attested, row.coverage.audience) == (3, 4)
    assert row.state == "missed"
    services.training_attest(actor=world.user("am_chen"), training=training)
    [row] = selectors.register_rows(actor_of(officer), today=timezone.localdate())
    assert row.state == "met"


def test_overdue_owners_are_listed_until_the_revision_is_done(world):
    document = register_one(world)
    officer = world.user("compliance")
    revision = services.revision_plan(actor=officer, document=document, section="个人贷款手册第3章",
                                      owner=world.staff["east_a_lead"],
                                      due_date=timezone.localdate() - timedelta(days=5))
    [owner] = selectors.overdue_owners(actor_of(officer), today=timezone.localdate())
    assert owner["name"] == "李雷" and owner["days"] == 5
    services.revision_complete(actor=world.user("east_a_lead"), revision=revision)
    assert selectors.overdue_owners(actor_of(officer), today=timezone.localdate()) == []


def test_pages(client, world):
    document = register_one(world)
    services.training_create(actor=world.user("compliance"), document=document, title="培训",
                             deadline=date(2026, 12, 31))
    client.force_login(world.user("compliance"))
    assert client.get(reverse("compliance:register")).status_code == 200
    assert client.get(reverse("compliance:document", args=[document.pk])).status_code == 200
    response = client.post(reverse("compliance:document", args=[document.pk]),
                           {"action": "revision", "section": "手册", "owner": world.staff["am_wang"].pk,
                            "due_date": "2026-12-01"})
    assert response.status_code == 302 and document.revisions.count() == 1
    client.force_login(world.user("am_wang"))
    assert client.get(reverse("compliance:register")).status_code == 403
    page = client.get(reverse("compliance:my_trainings"))
    assert page.status_code == 200 and "培训" in page.content.decode()
