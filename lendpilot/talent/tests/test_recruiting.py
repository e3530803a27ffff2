"""Requisitions with a weighted profile, candidates scored against it, stage moves, yield per source and the
balance report."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from lendpilot.org.access import actor_of
from lendpilot.talent import selectors, services
from lendpilot.talent.models import Candidate, Requisition

pytestmark = pytest.mark.django_db


@pytest.fixture
def requisition(world):
    return services.requisition_open(actor=world.user("director"), team=world.teams["east-a"],
                                     role="account_manager", title="客户经理", headcount=1,
                                     profile={"finance": (3, 3), "client_development": (1, 1)})


def test_candidate_is_scored_with_weights_and_levels(world, requisition):
    cand = services.candidate_add(actor=world.user("director"), requisition=requisition, name="候选人",
                                  source="referral", skills={"finance": 4})
    assert cand.match_score == Decimal("0.75")
    with pytest.raises(ValidationError):
        services.candidate_add(actor=world.user("director"), requisition=requisition, name="x", source="fair",
                               skills={})
    assert Candidate.objects.count() == 1


def test_hiring_fills_the_requisition_and_the_pipeline_yields_per_source(world, requisition):
    d = world.user("director")
    for n in range(20):
        c = services.candidate_add(actor=d, requisition=requisition, name=f"c{n}", source="headhunter",
                                   skills={"finance": 3})
        if n == 0:
            for stage in ("screening", "interview", "offer", "hired"):
                services.candidate_move(actor=d, candidate_id=c.pk, to_stage=stage)
    with pytest.raises(ValidationError):
        services.candidate_move(actor=d, candidate_id=c.pk, to_stage="hired")
    services.sourcing_spend_set(actor=d, source="headhunter", month=date(2026, 1, 1), amount=Decimal("10000"))
    requisition.refresh_from_db()
    assert requisition.status == Requisition.Status.FILLED
    report = selectors.pipeline(actor_of(d))
    hh = next(s for s in report["sources"] if s.source == "headhunter")
    assert (hh.applicants, hh.hires, hh.hire_rate, hh.cost_per_hire) == (20, 1, Decimal("0.05"), Decimal("10000.00"))
    assert next(s for s in report["stages"] if s["stage"] == "applied")["people"] == 19
    # A regional head of another region sees none of the East team's candidates.
    south = selectors.pipeline(actor_of(world.user("south_head")))
    assert sum(s.applicants for s in south["sources"]) == 0


def test_balance_report_reads_employee_records(world):
    report = selectors.balance_report(actor_of(world.user("director")), today=date(2026, 6, 1))
    assert report["people"] == 5
    assert report["overall"]["gender"] == {"undisclosed": Decimal("1")}
