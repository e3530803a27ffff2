"""Sales pages: the kanban and its HTMX moves, the opportunity page with proposal preview and playbook,
the lead inbox and the assignment screen; out-of-scope objects are 404."""

import pytest

from lendpilot.sales import services
from lendpilot.sales.funnel import Node
from lendpilot.sales.models import Lead, Opportunity
from lendpilot.sales.tests.factories import new_lead, skills
from lendpilot.testing import published_playbook_entry

pytestmark = pytest.mark.django_db


def opportunity(world, key="am_wang_person", actor="am_wang"):
    return services.opportunity_create(actor=world.user(actor), customer=world.customers[key],
                                       product=world.products["credit"], amount="200000")


def test_kanban_and_htmx_move(world, client):
    opp = opportunity(world)
    client.force_login(world.user("am_wang"))
    page = client.get("/sales/")
    assert page.status_code == 200 and f'data-opportunity="{opp.pk}"' in page.content.decode()
    moved = client.post(f"/sales/opportunities/{opp.pk}/move/", {"node": "first_contact"}, HTTP_HX_REQUEST="true")
    assert moved.status_code == 200
    opp.refresh_from_db()
    assert opp.node == Node.FIRST_CONTACT
    refused = client.post(f"/sales/opportunities/{opp.pk}/move/", {"node": "signing"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 200 and 'id="kanban-error"' in refused.content.decode()
    opp.refresh_from_db()
    assert opp.node == Node.FIRST_CONTACT
    funnel = client.get("/sales/funnel/").content.decode()
    assert 'data-node="first_contact"' in funnel
    client.force_login(world.user("am_zhao"))
    assert client.post(f"/sales/opportunities/{opp.pk}/move/", {"node": "proposal"}).status_code == 404
    assert client.get(f"/sales/opportunities/{opp.pk}/").status_code == 404


def test_opportunity_page_proposal_and_activity(world, client):
    opp = opportunity(world)
    published_playbook_entry(world, kind="script", node=Node.SCREENING, title="开场白", body="您好")
    client.force_login(world.user("am_wang"))
    form = {"action": "proposal", "prop-product": world.products["credit"].pk, "prop-amount": "120000",
            "prop-term_months": "12", "prop-repayment_method": "equal_principal", "prop-annual_rate": "0.0700"}
    preview = client.post(f"/sales/opportunities/{opp.pk}/preview/", form)
    assert preview.status_code == 200 and 'id="schedule"' in preview.content.decode()
    assert client.post(f"/sales/opportunities/{opp.pk}/", form).status_code == 302
    low = client.post(f"/sales/opportunities/{opp.pk}/", {**form, "prop-annual_rate": "0.0400"})
    assert low.status_code == 200 and 'data-field="annual_rate"' in low.content.decode()
    logged = client.post(f"/sales/opportunities/{opp.pk}/", {"action": "activity", "act-kind": "visit",
                                                             "act-outcome": "positive"})
    assert logged.status_code == 302
    page = client.get(f"/sales/opportunities/{opp.pk}/").content.decode()
    assert "开场白" in page and 'id="schedule"' in page and "v1" in page
    assert opp.proposals.count() == 1 and opp.activities.count() == 1
    entry = published_playbook_entry(world, kind="objection", objection="rate", title="利率高", body="…")
    used = client.post(f"/sales/playbook/{entry.pk}/use/", HTTP_HX_REQUEST="true")
    assert used.status_code == 200 and used.content == b"1"


def test_lead_inbox_and_assignment_screen(world, client):
    skills(world.staff["am_zhao"], industries={"C": 5})
    leads = [new_lead(world), new_lead(world, amount_wanted="9000000")]
    client.force_login(world.user("east_a_lead"))
    inbox = client.get("/sales/leads/").content.decode()
    assert all(f'data-lead="{lead.pk}"' in inbox for lead in leads)
    screen = client.get("/sales/assignment/")
    assert screen.status_code == 200
    preview = client.post("/sales/assignment/", {"lead": [leads[0].pk], "method": "optimal", "action": "preview"})
    body = preview.content.decode()
    assert 'id="assignment-plan"' in body and world.staff["am_zhao"].name in body
    applied = client.post("/sales/assignment/", {"lead": [leads[0].pk], "method": "optimal", "action": "apply"})
    assert applied.status_code == 302
    assert Opportunity.objects.get(lead=leads[0]).owner == world.staff["am_zhao"]
    assert Lead.objects.get(pk=leads[0].pk).assignment_reason
    client.force_login(world.user("am_wang"))
    assert client.get("/sales/assignment/").status_code == 403
