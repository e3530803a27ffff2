"""An approved benchmark adjustment reprices the catalogue product through the product service, by exactly the
diff shown; a rejected one leaves the product alone; a product repriced meanwhile is a conflict."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client

from lendpilot.compliance.models import AuditEvent
from lendpilot.core.errors import Conflict
from lendpilot.market import services
from lendpilot.market.models import OfferOutcome, PricingProposal, ProposalStatus
from lendpilot.products.models import Product
from lendpilot.products.services import product_update

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 2)


def _raise_proposal(world) -> PricingProposal:
    head, director = world.user("east_head"), world.user("director")
    east = world.regions["east"]
    services.lpr_record(actor=director, effective=date(2026, 1, 20), tenor="1Y", rate=Decimal("0.03"), source="PBOC")
    rival = services.competitor_save(actor=director, name="Rival Bank", source="branch visit", as_of=TODAY)
    services.competitor_move_record(actor=head, competitor=rival, kind="rate", product="credit", region="EAST",
                                    effective=date(2026, 1, 1), apr=Decimal("0.040"), approval_days=Decimal("3"),
                                    source="rate sheet")
    rows = []
    for start, take_up in ((TODAY - timedelta(days=60), 0.40), (TODAY - timedelta(days=29), 0.30)):
        rows += [OfferOutcome(product="credit", region=east, channel="branch", risk_grade="B",
                              amount=Decimal("200000"), rate=Decimal("0.0450"), competitor_rate=Decimal("0.040"),
                              accepted=i < 100 * take_up, offered_on=start + timedelta(days=i % 29))
                 for i in range(100)]
    OfferOutcome.objects.bulk_create(rows)
    [proposal] = services.pricing_check(actor=head, today=TODAY)
    return proposal


def test_the_proposal_carries_the_pricing_diff_of_the_product(world):
    proposal = _raise_proposal(world)
    credit = world.products["credit"]
    assert proposal.target_id == credit.pk
    assert (proposal.spread_from_bp, proposal.spread_to_bp) == (150, 100)
    assert (proposal.min_rate_from, proposal.min_rate_to) == (Decimal("0.0435"), Decimal("0.0385"))
    assert (proposal.max_rate_from, proposal.max_rate_to) == (Decimal("0.18"), Decimal("0.175"))


def test_approving_the_proposal_changes_the_product_rate(world):
    proposal = _raise_proposal(world)
    services.pricing_decide(actor=world.user("director"), proposal_id=proposal.pk, approve=True)
    credit = Product.objects.get(pk=world.products["credit"].pk)
    assert (credit.min_annual_rate, credit.max_annual_rate) == (Decimal("0.0385"), Decimal("0.175"))
    proposal.refresh_from_db()
    change = AuditEvent.objects.get(seq=proposal.product_change_seq)
    assert change.event_code == "products.product_updated" and change.object_id == str(credit.pk)
    assert change.after["min_annual_rate"] == "0.038500"
    page = Client()
    page.force_login(world.user("director"))
    product_page = page.get(f"/products/{credit.pk}/").content.decode()
    assert "3.85%" in product_page
    market_page = page.get("/market/competition/").content.decode()
    assert f'href="/products/{credit.pk}/"' in market_page and f"#{change.seq}" in market_page


def test_rejecting_the_proposal_leaves_the_product_alone(world):
    proposal = _raise_proposal(world)
    services.pricing_decide(actor=world.user("director"), proposal_id=proposal.pk, approve=False)
    credit = Product.objects.get(pk=world.products["credit"].pk)
    assert (credit.min_annual_rate, credit.max_annual_rate) == (Decimal("0.0435"), Decimal("0.18"))
    assert not AuditEvent.objects.filter(event_code="products.product_updated").exists()
    assert PricingProposal.objects.get().product_change_seq is None


def test_a_product_repriced_since_the_proposal_is_not_overwritten(world):
    proposal = _raise_proposal(world)
    product_update(actor=world.user("director"), product=world.products["credit"], min_annual_rate=Decimal("0.04"))
    with pytest.raises(Conflict):
        services.pricing_decide(actor=world.user("director"), proposal_id=proposal.pk, approve=True)
    assert PricingProposal.objects.get().status == ProposalStatus.PROPOSED
    assert Product.objects.get(pk=world.products["credit"].pk).min_annual_rate == Decimal("0.04")
