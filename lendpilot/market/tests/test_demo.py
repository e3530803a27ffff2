"""The market demo step fills two years of LPR, five competitors with moves, offers and proposals."""

import pytest

from lendpilot.core.seeding import SeedContext
from lendpilot.market import demo
from lendpilot.market.models import Competitor, ElasticityRun, LprFixing, PricingProposal

pytestmark = pytest.mark.django_db


def test_demo_step_builds_the_market(world):
    result = demo.seed(SeedContext.create(scale="small", seed=3, show_progress=False))
    assert LprFixing.objects.filter(tenor="1Y").count() >= 24
    assert Competitor.objects.count() == 5 and result["competitor_moves"] > 0
    assert ElasticityRun.objects.get().rate_coefficient < 0
    assert PricingProposal.objects.exists()
