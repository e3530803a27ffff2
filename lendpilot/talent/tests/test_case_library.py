"""The case library: fed from closed opportunities once each, searchable by words of the lesson or objection."""

from datetime import timedelta

import pytest
from django.utils import timezone

from lendpilot.org.access import actor_of
from lendpilot.sales.models import Opportunity
from lendpilot.talent import selectors, services

pytestmark = pytest.mark.django_db


def _opportunity(world, node, **extra):
    now = timezone.now()
    fields = {"closed_at": now, **extra}
    return Opportunity.objects.create(name=f"{node} deal", owner=world.staff["am_wang"], node=node, industry="C",
                                      created_at=now - timedelta(days=30), node_entered_at=now, **fields)


def test_closed_opportunities_become_cases_once_and_are_searchable(world):
    d = world.user("director")
    _opportunity(world, "won")
    _opportunity(world, "lost", loss_reason="price")
    _opportunity(world, "screening", closed_at=None)
    since = timezone.localdate() - timedelta(days=90)
    assert services.cases_from_closed_opportunities(actor=d, since=since) == 2
    assert services.cases_from_closed_opportunities(actor=d, since=since) == 0
    services.case_record(actor=d, title="制造业客户续贷", outcome="won", summary="s",
                         lesson="先给额度框架再谈价格", objection="利率太高")
    actor = actor_of(d)
    assert [c.title for c in selectors.cases_search(actor, text="额度框架")] == ["制造业客户续贷"]
    assert selectors.cases_search(actor, outcome="lost").count() == 1
    assert selectors.cases_search(actor_of(world.user("east_a_lead")), text="利率").count() == 1
