"""The command centre's channel-partner slice: a partner's loans are those its applications name or whose lead
its login submitted; the slice and the drill-down agree live and from snapshots, only whole-bank roles see it,
and the cockpit links the partner's file (tier history and vintage curves)."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from lendpilot.channels.models import Partner
from lendpilot.insights.catalogue import Slice
from lendpilot.insights.metrics import drilldown, metric_values
from lendpilot.insights.services import metric_snapshots_build
from lendpilot.insights.tests.conftest import TODAY
from lendpilot.lending.models import Application
from lendpilot.sales.models import Lead

pytestmark = pytest.mark.django_db


def _attribute(world) -> Partner:
    partner = Partner.objects.get(login=world.staff["partner"])
    Lead.objects.filter(source="channel").update(created_by=world.staff["partner"])  # lead1 -> a1 -> l1 (100,000)
    Application.objects.filter(amount=600000).update(partner=partner)  # a2 -> l2 (600,000)
    return partner


@pytest.mark.parametrize("snapshots", [False, True], ids=["live", "snapshots_plus_today"])
def test_partner_slice_sums_the_loans_the_partner_brought_in(world, book, snapshots):
    partner = _attribute(world)
    if snapshots:
        for d in range(1, 20):
            metric_snapshots_build(actor=None, business_date=date(2026, 11, d))
    values = {v.code: v for v in metric_values(actor=world.user("director"), period="month:2026-11",
                                               slice=Slice("partner", str(partner.pk)), today=TODAY)}
    assert values["disbursed_amount"].value == 700000.0 and values["loan_count"].value == 2.0
    assert values["npl_ratio"].value is None and values["complaint_rate"].reason
    rows = drilldown(actor=world.user("director"), period="month:2026-11", dimension="partner",
                     codes=["disbursed_amount"], today=TODAY)
    assert [(r.key, r.value_of("disbursed_amount").value) for r in rows] == [(str(partner.pk), 700000.0)]


def test_partner_slice_is_for_whole_bank_roles_and_links_the_partner_file(world, book, client):
    partner = _attribute(world)
    with pytest.raises(PermissionDenied):
        metric_values(actor=world.user("am_wang"), period="month:2026-11", slice=Slice("partner", str(partner.pk)),
                      today=TODAY)
    client.force_login(world.user("director"))
    page = client.get("/insights/", {"dimension": "partner", "key": partner.pk, "period": "month:2026-11"})
    assert page.status_code == 200 and f"/channels/{partner.pk}/" in page.content.decode()
    assert 'id="drill-partner"' in client.get("/insights/", {"period": "month:2026-11"}).content.decode()
    assert client.get("/insights/", {"dimension": "partner", "key": "x"}).status_code == 422
