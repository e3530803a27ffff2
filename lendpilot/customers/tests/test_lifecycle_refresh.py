"""A loan paid out reaches the borrower's portrait at once: facts, active status, tier and tags, audited."""

import datetime
from decimal import Decimal

from lendpilot.compliance.models import AuditEvent
from lendpilot.customers import services
from lendpilot.customers.models import Customer, CustomerTag, TierChange
from lendpilot.customers.portrait.demo import seed_reference
from lendpilot.customers.services.lifecycle import customer_borrowed


def tags_of(customer) -> set[str]:
    return set(CustomerTag.objects.filter(customer=customer).values_list("tag__code", flat=True))


def test_a_prospect_who_borrows_5m_becomes_an_active_strategic_borrower(world):
    seed_reference()
    services.portrait_recompute(actor=world.user("director"), as_of=datetime.date(2025, 6, 30))
    customer = world.customers["am_zhao_company"]
    assert {"lifecycle_prospect", "fin_never_borrowed"} <= tags_of(customer)
    customer_borrowed(actor=world.user("operations"), customer_id=customer.pk, principal=Decimal("5000000.00"),
                      disbursed_on=datetime.date(2025, 7, 1))
    customer.refresh_from_db()
    assert (customer.lifecycle_status, customer.tier) == (Customer.Lifecycle.ACTIVE, "strategic")
    assert customer.facts.loans_count == 1 and customer.facts.outstanding_balance == Decimal("5000000.00")
    assert customer.facts.last_disbursed_on == datetime.date(2025, 7, 1)
    tags = tags_of(customer)
    assert "lifecycle_active" in tags and not {"lifecycle_prospect", "fin_never_borrowed"} & tags
    assert TierChange.objects.get(customer=customer).to_tier == "strategic"
    event = AuditEvent.objects.filter(event_code="customers.customer_updated", object_id=str(customer.pk)).last()
    assert event.before["lifecycle_status"] == "prospect" and event.after["lifecycle_status"] == "active"

    # A second, smaller loan adds to the facts and changes neither status nor tier (no new audit record).
    events = AuditEvent.objects.count()
    customer_borrowed(actor=world.user("operations"), customer_id=customer.pk, principal=Decimal("200000.00"),
                      disbursed_on=datetime.date(2025, 8, 1))
    customer.refresh_from_db()
    assert customer.facts.loans_count == 2 and customer.facts.max_single_loan == Decimal("5000000.00")
    assert customer.facts.total_disbursed == Decimal("5200000.00") and customer.tier == "strategic"
    assert AuditEvent.objects.count() == events
