"""The take-up model learns from the bank's own sales offers: the last proposal of every decided opportunity,
with its rate, risk grade, amount, channel and the competitors' rate of the day joined from market data."""

import math
import random
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from lendpilot.market import selectors, services
from lendpilot.market.models import Competitor, CompetitorMove, ElasticityRun
from lendpilot.sales.funnel import Node
from lendpilot.sales.models import Lead, Opportunity, Proposal

pytestmark = pytest.mark.django_db
DAY = date(2026, 2, 10)


def _offer(world, *, manager: str, customer: str, rate: str, won: bool, day: date = DAY, version: int = 1,
           lead_source: str | None = None, amount: str = "200000") -> Proposal:
    staff = world.staff[manager]
    at = timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=10))
    lead = None
    if lead_source:
        lead = Lead.objects.create(kind="person", name="x", source=lead_source, phone_hash=f"h{Lead.objects.count()}",
                                   industry="F", region=staff.region, received_at=at, status=Lead.Status.CONVERTED)
    opportunity = Opportunity.objects.create(
        name="o", owner=staff, customer=world.customers[customer], lead=lead, industry="F",
        product=world.products["credit"], node=Node.WON if won else Node.LOST, loss_reason="" if won else "rate",
        created_at=at, node_entered_at=at)
    proposal = None
    for v in range(1, version + 1):
        proposal = Proposal.objects.create(
            opportunity=opportunity, version=v, product=world.products["credit"], amount=Decimal(amount),
            term_months=12, repayment_method="equal_instalment", annual_rate=Decimal(rate), apr=Decimal(rate),
            first_payment=Decimal("1"), total_interest=Decimal("1"), created_by=staff)
    Proposal.objects.filter(opportunity=opportunity).update(created_at=at)
    assert proposal is not None
    return proposal


def _rival(world, apr: str, effective: date, region: str = "east"):
    rival, _ = Competitor.objects.get_or_create(name="Rival", defaults={"source": "s", "as_of": effective})
    CompetitorMove.objects.create(competitor=rival, kind="rate", product="credit", region=world.regions[region],
                                  effective=effective, apr=Decimal(apr), approval_days=Decimal("3"), source="s")


def test_the_last_proposal_of_each_decided_opportunity_with_the_gap_of_its_day(world):
    _rival(world, "0.050", DAY - timedelta(days=30))
    _rival(world, "0.040", DAY + timedelta(days=5))  # later move: not in force on the offer day
    _offer(world, manager="am_wang", customer="am_wang_person", rate="0.0600", won=False, version=2,
           lead_source=Lead.Source.CHANNEL)
    _offer(world, manager="am_zhao", customer="am_zhao_person", rate="0.0550", won=True)
    open_one = _offer(world, manager="am_sun", customer="am_sun_person", rate="0.0500", won=True)
    Opportunity.objects.filter(pk=open_one.opportunity_id).update(node=Node.PROPOSAL)
    rows = sorted(selectors.bank_offers(world.user("director")), key=lambda r: r.rate)
    assert [(r.rate, r.competitor_rate, r.accepted, r.channel) for r in rows] == [
        (0.055, 0.05, True, "branch"), (0.06, 0.05, False, "partner")]
    assert all(r.product == "credit" and r.region_id == world.regions["east"].pk and r.day == DAY for r in rows)
    assert {r.grade for r in rows} == {selectors.UNGRADED}


def test_an_offer_without_any_competitor_observed_is_left_out_and_scope_applies(world):
    _rival(world, "0.050", DAY - timedelta(days=30))
    _offer(world, manager="am_wang", customer="am_wang_person", rate="0.0600", won=True)
    _offer(world, manager="am_chen", customer="am_chen_person", rate="0.0600", won=True)  # south: no rival data
    assert len(selectors.bank_offers(world.user("director"))) == 1
    assert selectors.bank_offers(world.user("south_head")) == []
    _rival(world, "0.050", DAY - timedelta(days=30), region="south")
    assert len(selectors.bank_offers(world.user("south_head"))) == 1


def test_the_elasticity_index_is_estimated_from_sales_offers(world):
    rng = random.Random(3)
    for week in range(10):  # the competitors' rate moves, so the gap is not just the rate shifted
        _rival(world, f"{0.04 + 0.02 * rng.random():.4f}", DAY - timedelta(days=60 - 6 * week))
    for i in range(400):
        rate = 0.03 + 0.04 * rng.random()
        won = rng.random() < 1 / (1 + math.exp(-(3.0 - 0.6 * rate * 100)))
        _offer(world, manager="am_wang" if i % 2 else "am_sun", customer="am_wang_person" if i % 2 else "am_sun_person",
               rate=f"{rate:.4f}", won=won, day=DAY - timedelta(days=i % 40))
    run = services.elasticity_estimate(actor=world.user("director"))
    assert run.offers == 400 and ElasticityRun.objects.count() == 1
    assert run.rate_coefficient < -0.2  # made with -0.6 per point; 400 offers, so only the sign and size
