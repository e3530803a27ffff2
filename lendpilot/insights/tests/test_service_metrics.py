"""NPS and the complaint rate in the command centre, from the service package's surveys and complaints."""

from datetime import date

import pytest

from lendpilot.customers.models import Customer
from lendpilot.insights.catalogue import Slice
from lendpilot.insights.metrics import drilldown, metric_values, sparkline
from lendpilot.service.models import Survey
from lendpilot.service.services import complaint_receive
from lendpilot.testing import build_world, make_loan

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 20)


@pytest.fixture
def bank():
    world = build_world()
    Customer.objects.update(lifecycle_status=Customer.Lifecycle.ACTIVE)  # 8 active customers
    make_loan(world, on=date(2026, 10, 10))
    make_loan(world, customer="am_chen_person", on=date(2026, 11, 10))
    wang, chen = world.customers["am_wang_person"], world.customers["am_chen_person"]
    scores = {date(2026, 10, 5): [(wang, 10), (wang, 3)], date(2026, 11, 5): [(wang, 10), (wang, 9), (chen, 8),
                                                                              (chen, 2)]}
    for day, answers in scores.items():
        for n, (customer, score) in enumerate(answers):
            Survey.objects.create(customer=customer, manager_id=customer.manager_id, tier=customer.tier,
                                  trigger="annual", source_ref=f"t:{day}:{n}", sent_on=day, score=score,
                                  answered_on=day)
    for day in (date(2026, 10, 3), date(2026, 11, 3), date(2026, 11, 4)):
        complaint_receive(actor=world.user("operations"), customer=chen, channel="app", summary="催收电话过多",
                          request="减少来电", received_on=day)
    return world


def test_nps_and_complaint_rate_are_live_with_month_on_month(bank):
    values = {v.code: v for v in metric_values(actor=bank.user("director"), period="month:2026-11", today=TODAY)}
    assert values["nps"].value == 25.0  # (2 promoters - 1 detractor) / 4 answers
    assert values["nps"].previous == 0.0 and values["nps"].mom == 25.0
    assert values["complaint_rate"].value == 0.25  # 2 complaints / 8 active customers
    assert values["complaint_rate"].previous == 0.125 and values["complaint_rate"].mom_direction == "bad"


def test_nps_per_region_and_its_monthly_series(bank):
    rows = {r.key: r for r in drilldown(actor=bank.user("director"), period="month:2026-11", dimension="region",
                                        codes=["nps", "complaint_rate"], today=TODAY)}
    south = rows[str(bank.regions["south"].pk)]
    assert south.value_of("nps").value == -50.0  # one passive and one detractor of two answers
    series = sparkline(actor=bank.user("director"), until="month:2026-11", months=2, codes=["nps"], today=TODAY)
    assert series["nps"] == [("2026-10", 0.0), ("2026-11", 25.0)]


def test_complaints_are_not_kept_per_product(bank):
    product = str(bank.products["credit"].pk)
    values = {v.code: v for v in metric_values(actor=bank.user("director"), period="month:2026-11",
                                               slice=Slice("product", product), today=TODAY)}
    assert values["complaint_rate"].value is None and values["complaint_rate"].reason
