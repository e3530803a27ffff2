import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from lendpilot.compliance.models import AuditEvent
from lendpilot.customers.models import CustomerMessage
from lendpilot.customers.services import customer_message_queue

pytestmark = pytest.mark.django_db


def test_same_dedup_key_queues_one_message_and_one_audit_event(world):
    customer = world.customers_of("am_wang")[0]
    for _ in range(2):
        with transaction.atomic():
            customer_message_queue(actor=None, customer=customer, channel="sms", body="您好",
                                   purpose="test", dedup_key="k1")
    assert CustomerMessage.objects.filter(dedup_key="k1").count() == 1
    assert AuditEvent.objects.filter(event_code="customers.message_queued").count() == 1


def test_empty_body_is_rejected_and_nothing_is_queued(world):
    customer = world.customers_of("am_wang")[0]
    with pytest.raises(ValidationError) as err, transaction.atomic():
        customer_message_queue(actor=None, customer=customer, channel="fax", body=" ", purpose="t", dedup_key="k")
    assert set(err.value.message_dict) == {"channel", "body"}
    assert not CustomerMessage.objects.exists()
