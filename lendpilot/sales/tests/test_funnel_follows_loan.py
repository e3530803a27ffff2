"""The funnel follows the loan: submitted -> qualification review, approved/contract -> signing,
disbursed -> won, declined or withdrawn -> lost with that reason; no person moves those steps, the
history names the application, and a second pass changes nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from lendpilot.compliance.models import AuditEvent
from lendpilot.lending.models import Application
from lendpilot.sales import services
from lendpilot.sales.funnel import LossReason, Node
from lendpilot.sales.models import Opportunity, Transition
from lendpilot.sales.tests.factories import new_lead, submitted_application

pytestmark = pytest.mark.django_db


def opportunity(world, key="am_wang_person", actor="am_wang"):
    return services.opportunity_create(actor=world.user(actor), customer=world.customers[key],
                                       product=world.products["credit"], amount="200000")


def set_status(application, status):
    Application.objects.filter(pk=application.pk).update(status=status)


def test_submitted_approved_disbursed_move_the_opportunity_to_won(world):
    opp = opportunity(world)
    application = submitted_application(world, world.customers["am_wang_person"])
    assert services.opportunities_follow_loans()["moved"] == 1
    opp.refresh_from_db()
    assert opp.node == Node.QUALIFICATION and opp.application_id == application.pk
    assert services.opportunities_follow_loans()["moved"] == 0  # idempotent
    set_status(application, Application.Status.CONTRACTED)
    services.opportunities_follow_loans()
    opp.refresh_from_db()
    assert opp.node == Node.SIGNING
    set_status(application, Application.Status.DISBURSED)
    assert services.opportunities_follow_loans()["won"] == 1
    opp.refresh_from_db()
    assert opp.node == Node.WON and opp.closed_at is not None
    rows = list(Transition.objects.filter(opportunity=opp).order_by("at", "id").values_list("to_node", "note",
                                                                                            "actor_label"))
    assert [r[0] for r in rows] == ["screening", "first_contact", "proposal", "qualification", "signing", "won"]
    assert all(application.number in note and label == "lending" for _, note, label in rows[1:])
    assert AuditEvent.objects.filter(event_code="sales.opportunity_synced").count() == 3


@pytest.mark.parametrize(("status", "reason"), [(Application.Status.REJECTED, LossReason.DECLINED),
                                                (Application.Status.WITHDRAWN, LossReason.WITHDRAWN)])
def test_declined_or_withdrawn_application_closes_as_lost_with_the_reason(world, status, reason):
    opp = opportunity(world)
    application = submitted_application(world, world.customers["am_wang_person"])
    services.opportunities_follow_loans()
    set_status(application, status)
    assert services.opportunities_follow_loans()["lost"] == 1
    opp.refresh_from_db()
    assert opp.node == Node.LOST and opp.loss_reason == reason
    assert Transition.objects.filter(opportunity=opp, to_node=Node.LOST, note__contains=application.number).exists()


def test_an_older_loan_of_the_customer_does_not_move_a_new_opportunity(world):
    application = submitted_application(world, world.customers["am_wang_person"], status=Application.Status.REJECTED)
    Application.objects.filter(pk=application.pk).update(created_at=timezone.now() - timedelta(days=30))
    opp = opportunity(world)
    services.opportunities_follow_loans()
    opp.refresh_from_db()
    assert opp.node == Node.SCREENING


def test_no_manual_move_into_the_loan_driven_nodes(world):
    opp = opportunity(world)
    user = world.user("am_wang")
    services.opportunity_move(actor=user, opportunity=opp, to_node=Node.FIRST_CONTACT)
    services.opportunity_move(actor=user, opportunity=opp, to_node=Node.PROPOSAL)
    submitted_application(world, world.customers["am_wang_person"])
    with pytest.raises(ValidationError) as err:
        services.opportunity_move(actor=user, opportunity=opp, to_node=Node.QUALIFICATION)
    assert "node" in err.value.error_dict
    with pytest.raises(ValidationError) as err:
        services.opportunity_move(actor=user, opportunity=opp, to_node=Node.LOST, loss_reason=LossReason.DECLINED)
    assert "loss_reason" in err.value.error_dict
    services.opportunities_follow_loans()
    opp.refresh_from_db()
    assert opp.node == Node.QUALIFICATION
    with pytest.raises(ValidationError):  # no step back out of the loan's nodes either
        services.opportunity_move(actor=user, opportunity=opp, to_node=Node.PROPOSAL)
    opp.refresh_from_db()
    assert opp.node == Node.QUALIFICATION


def test_a_lead_that_became_a_customer_is_found_by_its_identifiers(world):
    lead = new_lead(world)
    assert lead.customer_id is None
    now = timezone.now()
    opp = Opportunity.objects.create(lead=lead, name=lead.name, owner=world.staff["am_wang"], industry="C",
                                     created_at=now, node_entered_at=now)
    customer = world.customers["am_wang_person"]
    type(customer).objects.filter(pk=customer.pk).update(phone_hash=lead.phone_hash)  # the person became a customer
    submitted_application(world, customer)
    services.opportunities_follow_loans()
    opp.refresh_from_db()
    assert opp.customer_id == customer.pk and opp.node == Node.QUALIFICATION


def test_the_pipeline_page_moves_the_reader_s_opportunities_as_it_loads(world, client):
    opp = opportunity(world)
    submitted_application(world, world.customers["am_wang_person"])
    client.force_login(world.user("am_wang"))
    page = client.get("/sales/").content.decode()
    assert 'id="follow-loans"' in page
    opp.refresh_from_db()
    assert opp.node == Node.SCREENING  # a GET changes nothing; the page posts the pass as it loads
    answer = client.post("/sales/follow-loans/", HTTP_HX_REQUEST="true")
    assert answer.status_code == 200 and answer["HX-Refresh"] == "true"
    opp.refresh_from_db()
    assert opp.node == Node.QUALIFICATION
    assert client.post("/sales/follow-loans/", HTTP_HX_REQUEST="true").status_code == 204  # nothing left


def test_the_pass_moves_only_what_the_reader_sees(world, client):
    theirs = opportunity(world, key="am_chen_person", actor="am_chen")
    submitted_application(world, world.customers["am_chen_person"])
    client.force_login(world.user("am_wang"))
    client.post("/sales/follow-loans/", HTTP_HX_REQUEST="true")
    client.post("/sales/follow-loans/", {"opportunity": theirs.pk}, HTTP_HX_REQUEST="true")
    theirs.refresh_from_db()
    assert theirs.node == Node.SCREENING
    client.force_login(world.user("risk_l1"))
    assert client.post("/sales/follow-loans/", HTTP_HX_REQUEST="true").status_code == 403
    theirs.refresh_from_db()
    assert theirs.node == Node.SCREENING
