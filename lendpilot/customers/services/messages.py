"""The outbox of messages to customers: one message queued by a business act, or a batch queued by a
campaign or a trigger run; a dedup key makes a re-run queue nothing.
"""


from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_batch_event, record_event
from lendpilot.customers.models import (
    Customer,
    CustomerMessage,
)
from lendpilot.org.access import actor_of


def customer_message_queue(
    *, actor, customer: Customer, channel: str, body: str, purpose: str, dedup_key: str
) -> CustomerMessage | None:
    """Queue a message to a customer in the outbox and audit it. Must run inside the caller's
    transaction (the business act that causes the message). A second call with the same
    ``dedup_key`` queues nothing and returns None, so re-run jobs never message twice.
    Rejects an unknown channel or an empty body."""
    errors: dict[str, str] = {}
    if channel not in CustomerMessage.Channel.values:
        errors["channel"] = _("unknown channel")
    if not (body or "").strip():
        errors["body"] = _("the message is empty")
    if errors:
        raise ValidationError(errors)
    message, created = CustomerMessage.objects.get_or_create(
        dedup_key=dedup_key,
        defaults={"customer": customer, "channel": channel, "body": body.strip()[:500], "purpose": purpose},
    )
    if not created:
        return None
    record_event(
        actor=actor_of(actor).user,
        event_code="customers.message_queued",
        obj=message,
        after={"customer_id": customer.pk, "channel": channel, "purpose": purpose},
    )
    return message


def customer_messages_queue_bulk(*, actor, messages: list[dict], batch_id: str) -> int:
    """Queue many customer messages at once (a campaign or a trigger run): one INSERT for the new
    rows and one batch audit event listing how many were queued per purpose. Each message is a dict
    of customer_id, channel, body, purpose, dedup_key; a dedup_key already in the outbox is skipped,
    so a re-run queues nothing. Must run inside the caller's transaction. Rejects the whole batch,
    naming the row, when a row has an unknown channel or an empty body."""
    errors: dict[str, str] = {}
    for index, row in enumerate(messages):
        if row.get("channel") not in CustomerMessage.Channel.values:
            errors[f"messages.{index}.channel"] = _("unknown channel")
        if not (row.get("body") or "").strip():
            errors[f"messages.{index}.body"] = _("the message is empty")
    if errors:
        raise ValidationError(errors)
    keys = [row["dedup_key"] for row in messages]
    taken: set[str] = set()
    for start in range(0, len(keys), 5000):
        taken.update(CustomerMessage.objects.filter(dedup_key__in=keys[start:start + 5000])
                     .values_list("dedup_key", flat=True))
    new = [CustomerMessage(customer_id=row["customer_id"], channel=row["channel"], body=row["body"].strip()[:500],
                           purpose=row["purpose"], dedup_key=row["dedup_key"])
           for row in messages if row["dedup_key"] not in taken]
    CustomerMessage.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    if new:
        per_purpose: dict[str, int] = {}
        for message in new:
            per_purpose[message.purpose] = per_purpose.get(message.purpose, 0) + 1
        record_batch_event(actor=actor_of(actor).user, event_code="customers.messages_queued",
                           summary={"batch_id": batch_id, "queued": len(new), "per_purpose": per_purpose})
    return len(new)
