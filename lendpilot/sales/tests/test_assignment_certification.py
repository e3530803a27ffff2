"""A product that requires a certification goes only to managers holding an unexpired one (A4, A6)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from lendpilot.org.models import Certification, ProductCertificationRequirement
from lendpilot.sales import services
from lendpilot.sales.models import Lead
from lendpilot.sales.tests.factories import new_lead, skills


def _require_banking_qualification(world) -> None:
    ProductCertificationRequirement.objects.create(product_id=world.products["credit"].pk,
                                                   kind=Certification.Kind.BANKING_QUALIFICATION)


def _certify(staff, *, expires_on: date) -> None:
    Certification.objects.create(staff=staff, kind=Certification.Kind.BANKING_QUALIFICATION,
                                 obtained_on=expires_on - timedelta(days=3 * 365), expires_on=expires_on)


def test_an_expired_certification_takes_the_manager_out_of_the_products_assignment(world):
    today = timezone.localdate()
    skills(world.staff["am_wang"], industries={"C": 5}, products={"credit": 5}, conversion="0.4")
    skills(world.staff["am_zhao"], industries={"C": 1}, conversion="0.1")
    _require_banking_qualification(world)
    _certify(world.staff["am_wang"], expires_on=today - timedelta(days=1))
    _certify(world.staff["am_zhao"], expires_on=today + timedelta(days=200))
    lead = new_lead(world, industry="C", product=world.products["credit"])
    plan = services.assignment_preview(actor=world.user("east_a_lead"), lead_ids=[lead.pk])
    assert plan.rows[0].manager == world.staff["am_zhao"]
    assert plan.rows[0].baseline_manager in (None, world.staff["am_zhao"])


def test_an_override_to_an_uncertified_manager_is_refused_and_nothing_changes(world):
    _require_banking_qualification(world)
    _certify(world.staff["am_zhao"], expires_on=timezone.localdate() + timedelta(days=200))
    lead = new_lead(world, industry="C", product=world.products["credit"])
    with pytest.raises(ValidationError) as caught:
        services.assignment_apply(actor=world.user("east_a_lead"), lead_ids=[lead.pk],
                                  overrides={lead.pk: world.staff["am_wang"].pk})
    assert "overrides" in caught.value.message_dict
    assert Lead.objects.get(pk=lead.pk).owner_id is None
