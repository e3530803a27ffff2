"""A borrower's portrait the moment a loan is paid out (FEATURES B2, B4, D7).

The nightly portrait run rebuilds every customer's loan-book facts, tiers and tags; between two runs a
customer who has just borrowed 4,000,000 would still be tagged 潜在客户 / 未贷户 on the Customer 360.
Lending calls `customer_borrowed` inside its disbursement transaction (customers sit below lending
and never read its tables, so lending hands over the loan's principal and date): the customer's facts take
the loan in, a prospect (or a dormant or churned customer) becomes active, the tier follows the largest
single loan under the tier policy, and the customer's tags are evaluated again. The night run later
rebuilds the same facts from the loan book and arrives at the same answer.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from lendpilot.compliance.audit import record_event
from lendpilot.customers import tiering
from lendpilot.customers.models import Customer, CustomerFacts, TierChange
from lendpilot.customers.selectors import tier_thresholds
from lendpilot.customers.services.tags import tags_refresh_customers
from lendpilot.org.access import actor_of

LIFECYCLE_FIELDS = ["lifecycle_status", "tier"]


def _take_in(facts: CustomerFacts, *, principal: Decimal, disbursed_on: date) -> None:
    facts.loans_count += 1
    facts.active_loans += 1
    facts.max_single_loan = max(facts.max_single_loan or Decimal("0"), principal)
    facts.total_disbursed = (facts.total_disbursed or Decimal("0")) + principal
    facts.outstanding_balance = (facts.outstanding_balance or Decimal("0")) + principal
    facts.first_disbursed_on = min(facts.first_disbursed_on or disbursed_on, disbursed_on)
    facts.last_disbursed_on = max(facts.last_disbursed_on or disbursed_on, disbursed_on)


@transaction.atomic
def customer_borrowed(*, actor, customer_id: int, principal: Decimal, disbursed_on: date) -> Customer:
    """Take a loan just paid out into the borrower's portrait: facts, lifecycle status (active), tier and
    tags. Called by lending's disbursement service in its transaction, after it checked the payout; a change
    of status or tier is audited as a customer update."""
    acting = actor_of(actor)
    principal = Decimal(str(principal))
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    facts, _created = CustomerFacts.objects.select_for_update().get_or_create(
        customer_id=customer.pk, defaults={"as_of": disbursed_on})
    _take_in(facts, principal=principal, disbursed_on=disbursed_on)
    facts.save()
    before = {name: getattr(customer, name) for name in LIFECYCLE_FIELDS}
    customer.lifecycle_status = Customer.Lifecycle.ACTIVE
    thresholds = tier_thresholds()
    customer.tier = tiering.tier_for(facts.max_single_loan, thresholds)
    after = {name: getattr(customer, name) for name in LIFECYCLE_FIELDS}
    if after != before:
        customer.save(update_fields=[*LIFECYCLE_FIELDS, "updated_at"])
        if after["tier"] != before["tier"]:
            TierChange.objects.create(
                customer=customer, from_tier=before["tier"], to_tier=after["tier"], changed_on=disbursed_on,
                batch=f"loan:{disbursed_on.isoformat()}",
                reason=f"max single loan {facts.max_single_loan:,.0f} after a disbursement")
        record_event(actor=acting.user, event_code="customers.customer_updated", obj=customer,
                     before=before, after=after)
    tags_refresh_customers(customer_ids=[customer.pk], as_of=timezone.localdate())
    return customer
