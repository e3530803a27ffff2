import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from lendpilot.compliance.models import AuditEvent
from lendpilot.customers.models import CustomerMessage
from lendpilot.customers.services.messages import customer_message_queue

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


def test_bulk_queue_skips_used_keys_and_writes_one_audit_event(world):
    from lendpilot.customers.services.messages import customer_messages_queue_bulk

    customer = world.customers_of("am_wang")[0]
    rows = [{"customer_id": customer.pk, "channel": "app", "body": f"第{i}条", "purpose": "campaign",
             "dedup_key": f"c:{i}"} for i in range(3)]
    with transaction.atomic():
        assert customer_messages_queue_bulk(actor=None, messages=rows, batch_id="b1") == 3
    with transaction.atomic():
        assert customer_messages_queue_bulk(actor=None, messages=rows, batch_id="b2") == 0
    assert CustomerMessage.objects.filter(purpose="campaign").count() == 3
    assert AuditEvent.objects.filter(event_code="customers.messages_queued").count() == 1


def test_bulk_queue_names_the_bad_row_and_queues_nothing(world):
    from lendpilot.customers.services.messages import customer_messages_queue_bulk

    customer = world.customers_of("am_wang")[0]
    rows = [{"customer_id": customer.pk, "channel": "sms", "body": "ok", "purpose": "p", "dedup_key": "a"},
            {"customer_id": customer.pk, "channel": "sms", "body": "", "purpose": "p", "dedup_key": "b"}]
    with pytest.raises(ValidationError) as err, transaction.atomic():
        customer_messages_queue_bulk(actor=None, messages=rows, batch_id="b")
    assert list(err.value.message_dict) == ["messages.1.body"]
    assert not CustomerMessage.objects.exists()
