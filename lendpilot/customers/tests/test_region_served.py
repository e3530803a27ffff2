"""A customer lives in a region its relationship manager serves: neither an update of the region, a new
customer nor a hand-over may put it elsewhere; the refusal names the field and writes nothing."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from lendpilot.compliance.models import AuditEvent
from lendpilot.core.reference import Industry
from lendpilot.customers.models import Customer
from lendpilot.customers.services import customer_create, customer_reassign, customer_update
from lendpilot.customers.synthetic import make_id_number

pytestmark = pytest.mark.django_db


def test_region_cannot_move_to_one_the_manager_does_not_serve(world):
    customer = world.customers["am_wang_person"]
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as err:
        customer_update(actor=world.user("director"), customer=customer, region=world.regions["south"])
    assert "region" in err.value.message_dict
    customer.refresh_from_db()
    assert customer.region == world.regions["east"] and AuditEvent.objects.count() == events


def test_region_change_over_the_api_is_a_422_naming_the_field(world):
    customer = world.customers["am_wang_person"]
    client = Client()
    client.force_login(world.user("am_wang"))
    response = client.patch(f"/api/v1/customers/{customer.pk}", json.dumps({"region_id": world.regions["south"].pk}),
                            content_type="application/json")
    assert response.status_code == 422 and "region_id" in response.content.decode()
    assert Customer.objects.get(pk=customer.pk).region == world.regions["east"]


def test_new_customer_and_hand_over_stay_in_the_managers_region(world):
    with pytest.raises(ValidationError) as err:
        customer_create(actor=world.user("director"), kind=Customer.Kind.PERSON, name="跨区客户",
                        id_number=make_id_number(world.rng), industry=Industry.TRADE, region=world.regions["south"],
                        manager=world.staff["am_wang"])
    assert "region" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        customer_reassign(actor=world.user("director"), customer=world.customers["am_wang_person"],
                          manager=world.staff["am_chen"], reason="调岗")
    assert "manager" in err.value.message_dict
    assert Customer.objects.get(pk=world.customers["am_wang_person"].pk).manager == world.staff["am_wang"]
