"""The top bar's search finds customers, loans, applications, leads and staff, each through its package's
scoped selector: an account manager never finds another team's customer or loan, a loan number finds the
loan, a role that may not see a kind is not shown that kind, and odd input answers a page, never a 500."""

import pytest
from django.test import Client
from django.utils.translation import gettext

from lendpilot.desk.search import search
from lendpilot.org.access import actor_of
from lendpilot.sales.tests.factories import new_lead, submitted_application
from lendpilot.testing import make_loan

pytestmark = pytest.mark.django_db


def page_for(world, key, term):
    client = Client()
    client.force_login(world.user(key))
    response = client.get("/search/", {"q": term})
    assert response.status_code == 200
    return response


def hits(world, key, term) -> set[str]:
    results = search(actor_of(world.user(key)), term)
    return {hit.hit_id for _kind, found in results.kinds for hit in found}


def test_an_account_manager_never_finds_another_teams_customer(world):
    own, other = world.customers["am_wang_person"], world.customers["am_chen_person"]
    assert f"customer-{own.pk}" in hits(world, "am_wang", "王芳")
    assert hits(world, "am_wang", "陈杰的个人客户") == set()
    assert f"customer-{other.pk}" in hits(world, "director", "陈杰的个人客户")
    html = page_for(world, "am_wang", "个人客户").content.decode()
    assert own.name in html and other.name not in html


def test_a_loan_number_finds_the_loan_in_scope_only(world):
    loan = make_loan(world, customer="am_chen_person")
    assert f"loan-{loan.pk}" in hits(world, "director", loan.number)
    assert f"loan-{loan.pk}" in hits(world, "am_chen", loan.number.lower())
    assert f"loan-{loan.pk}" not in hits(world, "am_wang", loan.number)
    html = page_for(world, "am_chen", loan.number).content.decode()
    assert f'href="/lending/loans/{loan.pk}/"' in html


def test_an_application_number_finds_the_application(world):
    application = submitted_application(world, world.customers["am_wang_company"])
    assert f"application-{application.pk}" in hits(world, "am_wang", application.number)
    assert f"application-{application.pk}" not in hits(world, "am_chen", application.number)


def test_leads_and_staff_are_found_by_who_may_see_them(world):
    lead = new_lead(world, name="搜索测试潜客")
    assert f"lead-{lead.pk}" in hits(world, "director", "搜索测试")
    assert f"staff-{world.staff['am_wang'].pk}" in hits(world, "director", "王芳")
    assert f"staff-{world.staff['am_wang'].pk}" in hits(world, "director", world.staff["am_wang"].employee_no)
    # A risk officer works applications, not the sales pipeline: no lead kind at all.
    kinds = [title for title, _found in search(actor_of(world.user("risk_l1")), "搜索").kinds]
    assert gettext("Leads") not in kinds and gettext("Customers") in kinds


def test_the_partner_finds_only_its_own_leads(world):
    own = new_lead(world, actor="partner", name="伙伴推荐客户")
    other = new_lead(world, name="伙伴看不到的客户")
    found = hits(world, "partner", "客户")
    assert f"lead-{own.pk}" in found and f"lead-{other.pk}" not in found
    assert not [h for h in found if h.startswith(("customer-", "staff-", "loan-"))]


@pytest.mark.parametrize("term", ["", "   ", "x" * 5000, "%", "' OR 1=1 --", "<script>alert(1)</script>"])
def test_odd_input_answers_a_page(world, term):
    response = page_for(world, "director", term)
    assert b"<script>alert(1)</script>" not in response.content


def test_the_search_page_needs_a_sign_in(client):
    response = client.get("/search/", {"q": "王"})
    assert response.status_code == 302 and "/login/" in response["Location"]
