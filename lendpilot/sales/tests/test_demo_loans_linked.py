"""The sales demo ties about half of the book's loans to the won opportunity they came from (same manager
and customer, disbursed while the lead was open, won after the disbursement), so the command centre's lead
conversion and conversion cycle (B9) are not zero on the demo bank."""

from datetime import date

import pytest
from django.utils import timezone

from lendpilot.core.seeding import SeedContext
from lendpilot.demo.steps import run_steps
from lendpilot.lending.models import Loan
from lendpilot.sales.funnel import Node
from lendpilot.sales.models import Opportunity

STEPS = ("lendpilot.org.demo", "lendpilot.products.demo", "lendpilot.customers.demo", "lendpilot.scoring.demo",
         "lendpilot.lending.demo",
         "lendpilot.sales.demo")


@pytest.mark.django_db
def test_won_opportunities_are_linked_to_the_loans_they_led_to():
    ctx = run_steps(SeedContext.create(scale="tiny", seed=5, show_progress=False, today=date(2025, 6, 30)),
                    steps=STEPS)
    linked = Opportunity.objects.filter(application__isnull=False).select_related(
        "lead", "application__applicant", "application__contract__loan")
    assert linked.count() == ctx.timings[-1].counts["linked_loans"]
    assert 0.3 <= linked.count() / Loan.objects.count() <= 0.8
    for opp in linked:
        disbursed = opp.application.contract.loan.disbursed_on
        assert opp.node == Node.WON
        assert timezone.localdate(opp.lead.received_at) <= disbursed <= timezone.localdate(opp.closed_at)
        assert opp.customer_id == opp.lead.customer_id == opp.application.applicant_id
        assert opp.owner_id == opp.application.applicant.manager_id
        assert opp.lead.received_at <= opp.created_at
        nodes = list(opp.transitions.order_by("at", "id").values_list("to_node", "at"))
        assert nodes[-1][0] == Node.WON and nodes[-1][1] == opp.closed_at
