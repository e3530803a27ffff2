"""Each role starts on its own desk: the director sees the month, what waits for a decision and the latest
payouts with the manager's commission so far; a team lead their people's attainment; an account manager
the month-to-date commission and the pipeline; a risk officer the queue at their level; operations the
contracts and payouts; compliance the PII reveals; the partner its portal. Every desk renders for every
role and shows nothing outside the person's scope."""

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from lendpilot.incentives import services
from lendpilot.incentives.commission import DEFAULT_PLAN
from lendpilot.testing import make_loan

pytestmark = pytest.mark.django_db
ROLES = ["director", "east_head", "east_a_lead", "am_wang", "risk_l1", "compliance", "operations", "partner"]


def home_of(world, key) -> tuple[dict, str]:
    client = Client()
    client.force_login(world.user(key))
    response = client.get("/")
    assert response.status_code == 200
    return response.context, response.content.decode()


@pytest.fixture
def day(world):
    services.commission_plan_publish(actor=world.user("director"), name="2026", spec=DEFAULT_PLAN)
    world.today = timezone.localdate()
    world.loan = make_loan(world, amount="300000", on=world.today)
    make_loan(world, customer="am_chen_person", amount="100000", on=world.today)
    return world


@pytest.mark.parametrize("key", ROLES)
def test_every_role_has_its_desk(day, key):
    context, html = home_of(day, key)
    assert context["desk"] == day.staff[key].role
    assert "Traceback" not in html


def test_director_sees_the_payout_and_the_managers_commission_so_far(day):
    context, html = home_of(day, "director")
    assert context["summary"]["loans"] == 2 and context["summary"]["disbursed"] == Decimal("400000")
    rows = {row["loan"].number: row for row in context["latest_disbursements"]}
    wang = rows[day.loan.number]
    assert wang["manager"] == day.staff["am_wang"] and wang["estimate"].total > 0
    assert 'id="home-latest-disbursements"' in html and day.loan.number in html
    assert "director_queue_count" in context["decisions"] and "open_dispute_count" in context["decisions"]


def test_account_manager_desk_is_own(day):
    context, html = home_of(day, "am_wang")
    assert context["month_to_date"].disbursed == Decimal("300000.00")
    assert 'id="commission-month-to-date"' in html and 'id="home-pipeline"' in html
    assert "latest_disbursements" not in context  # a manager's desk is their own book, not the bank's payouts


def test_team_lead_sees_only_the_team(day):
    context, _html = home_of(day, "east_a_lead")
    numbers = {row["loan"].number for row in context["latest_disbursements"]}
    assert numbers == {day.loan.number}  # the south manager's loan is out of the team's scope
    assert context["summary"]["loans"] == 1


def test_risk_officer_sees_the_queue_at_their_level(day):
    context, html = home_of(day, "risk_l1")
    assert context["queue_level"] == 1 and set(context["sla_clock"]) == {"red", "amber", "green"}
    assert 'id="home-sla-clock"' in html


def test_operations_and_compliance_desks(day):
    context, html = home_of(day, "operations")
    assert context["to_sign_count"] == 0 and 'id="home-repayment-exceptions"' in html
    context, html = home_of(day, "compliance")
    assert "pii_reveals" in context and 'id="home-lockouts"' in html


def test_partner_desk_points_to_its_portal(day):
    context, html = home_of(day, "partner")
    assert 'id="home-partner"' in html
    assert "customer_count" not in context and "latest_disbursements" not in context


def test_director_sees_the_talent_summary_and_an_account_manager_does_not(day):
    from lendpilot.talent.models import Requisition

    context, html = home_of(day, "director")
    assert context["talent"]["open_requisitions"] == Requisition.objects.filter(status="open").count()
    assert 'id="home-talent"' in html
    context, html = home_of(day, "am_wang")
    assert "talent" not in context and 'id="home-talent"' not in html
