"""The stage control offers the next stage by default and never a step back, the loan's stages say which
application moves them; the assignment screen starts with nothing selected and filters its leads."""

import pytest

from lendpilot.sales import services
from lendpilot.sales.funnel import Node
from lendpilot.sales.tests.factories import new_lead, submitted_application

pytestmark = pytest.mark.django_db


def opportunity(world):
    return services.opportunity_create(actor=world.user("am_wang"), customer=world.customers["am_wang_person"],
                                       product=world.products["credit"], amount="200000")


def test_stage_control_offers_the_next_stage_only(world, client):
    opp = opportunity(world)
    client.force_login(world.user("am_wang"))
    page = client.get(f"/sales/opportunities/{opp.pk}/").content.decode()
    assert 'data-move-to="first_contact"' in page and 'value="screening"' not in page
    answer = client.post(f"/sales/opportunities/{opp.pk}/move/", {"node": "first_contact"}, follow=True)
    page = answer.content.decode()
    assert 'data-move-to="proposal"' in page and 'value="screening"' not in page
    assert f'href="/sales/opportunities/{opp.pk}/#activity-form"' in page  # the message links the next step
    services.opportunity_move(actor=world.user("am_wang"), opportunity=opp, to_node=Node.PROPOSAL)
    page = client.get(f"/sales/opportunities/{opp.pk}/").content.decode()
    assert 'id="next-is-application"' in page and "data-move-to" not in page
    application = submitted_application(world, world.customers["am_wang_person"])
    client.post("/sales/follow-loans/", {"opportunity": opp.pk}, HTTP_HX_REQUEST="true")  # as the page loads
    page = client.get(f"/sales/opportunities/{opp.pk}/").content.decode()
    assert 'id="follows-loan"' in page and application.number in page
    refused = client.post(f"/sales/opportunities/{opp.pk}/move/", {"node": "proposal"})
    assert refused.status_code == 302
    opp.refresh_from_db()
    assert opp.node == Node.QUALIFICATION


def test_stage_control_is_refused_to_other_roles(world, client):
    opp = opportunity(world)
    for user in ("risk_l1", "partner", "am_zhao"):
        client.force_login(world.user(user))
        answer = client.post(f"/sales/opportunities/{opp.pk}/move/", {"node": "first_contact"})
        assert answer.status_code in (403, 404)
    opp.refresh_from_db()
    assert opp.node == Node.SCREENING


def test_assignment_starts_with_nothing_selected_and_filters(world, client):
    industrial = new_lead(world, industry="C", name="制造业线索")
    trade = new_lead(world, industry="F", name="批发业线索")
    client.force_login(world.user("east_a_lead"))
    page = client.get("/sales/assignment/").content.decode()
    assert f'name="lead" value="{industrial.pk}"' in page and f'name="lead" value="{trade.pk}"' in page
    assert " checked" not in page.split('id="assignment-candidates"')[1].split("</table>")[0]
    assert 'id="select-all"' in page and 'id="select-none"' in page
    filtered = client.get("/sales/assignment/", {"industry": "F"}).content.decode()
    assert f'name="lead" value="{trade.pk}"' in filtered
    assert f'name="lead" value="{industrial.pk}"' not in filtered
