"""The scenario trigger demo step on the tiny bank: rules for every funding node, live offers on today's
run, earlier offers expired or decided, tasks and messages for each live offer, advisory tasks."""

import pytest

from lendpilot.core.seeding import SeedContext
from lendpilot.customers.models import CustomerMessage
from lendpilot.demo.steps import run_steps
from lendpilot.sales.models import ManagerTask, PreApprovedOffer, TriggerRule

STEPS = ("lendpilot.org.demo", "lendpilot.products.demo", "lendpilot.customers.demo", "lendpilot.scoring.demo",
         "lendpilot.lending.demo", "lendpilot.sales.demo", "lendpilot.demo.portrait",
         "lendpilot.products.scenario_demo", "lendpilot.sales.scenarios.demo")


@pytest.mark.django_db
def test_trigger_demo_step():
    ctx = run_steps(SeedContext.create(scale="tiny", seed=42, show_progress=False), steps=STEPS)
    counts = ctx.timings[-1].counts
    assert counts["trigger_rules"] == TriggerRule.objects.count() == 5
    assert counts["offers_live"] > 0
    live = PreApprovedOffer.objects.filter(status="offered", offered_on=ctx.today)
    assert live.count() == counts["offers_live"]
    assert PreApprovedOffer.objects.filter(status="expired").exists()
    assert PreApprovedOffer.objects.filter(status__in=["accepted", "declined"]).exists()
    assert ManagerTask.objects.filter(kind="offer", offer__in=live, status="open").count() == live.count()
    assert CustomerMessage.objects.filter(purpose="preapproved_offer").count() == counts["messages"]
    assert set(live.values_list("node", flat=True)) >= {"equipment_purchase"}
    assert counts["drills"] > 0 and counts["drills_scored"] > 0
    print(counts)
