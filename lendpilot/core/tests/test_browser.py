"""In a real browser: sign-in, scoped lists, the language switch, a 404 by URL, the PII reveal."""

import re

import pytest
from playwright.sync_api import expect

from lendpilot.compliance.models import PiiAccessLog
from lendpilot.customers.models import Customer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def customer_rows(page):
    return page.locator("#customer-table tbody tr[data-customer]")


def test_director_sees_every_customer(live_world, sign_in):
    page = sign_in("director")
    expect(page.locator("#home-customer-count")).to_have_text(str(len(live_world.customers)))
    expect(page.locator("#chart-customers-by-region canvas")).to_have_count(1)
    page.click("#nav-group-customers")  # the menu group opens its drop-down
    page.click("#nav-customers")
    expect(customer_rows(page)).to_have_count(Customer.objects.count())


def test_account_manager_sees_only_own_customers(live_world, sign_in):
    page = sign_in("am_wang")
    own = live_world.customers_of("am_wang")
    expect(page.locator("#home-customer-count")).to_have_text(str(len(own)))
    page.click("#nav-group-customers")
    page.click("#nav-customers")
    expect(customer_rows(page)).to_have_count(len(own))
    shown = set(customer_rows(page).evaluate_all("rows => rows.map(r => Number(r.dataset.customer))"))
    assert shown == {c.pk for c in own}
    page.click("#nav-group-lending")
    expect(page.locator("#nav-products")).to_be_visible()
    page.click("#nav-group-administration")
    expect(page.locator("#nav-staff")).to_be_visible()


def test_language_switch_changes_visible_text(live_world, sign_in):
    page = sign_in("director")
    expect(page.locator("#nav-customers")).to_have_text("客户")
    page.click("#language-switch button[data-language='en']")
    expect(page.locator("#nav-customers")).to_have_text("Customers")
    expect(page.locator("#nav-logout")).to_have_text("Sign out")
    page.click("#language-switch button[data-language='zh-hans']")
    expect(page.locator("#nav-customers")).to_have_text("客户")
    expect(page.locator("#nav-logout")).to_have_text("退出登录")


def test_customer_outside_scope_by_url_is_404(live_world, sign_in):
    page = sign_in("am_wang")
    other = live_world.customers["am_chen_person"]
    response = page.goto(f"/customers/{other.pk}/")
    assert response.status == 404
    assert other.name not in page.content()
    own = live_world.customers["am_wang_person"]
    assert page.goto(f"/customers/{own.pk}/").status == 200


def test_reveal_an_id_number_writes_the_access_log(live_world, sign_in):
    from lendpilot.compliance.crypto import decrypt

    customer = live_world.customers["am_wang_person"]
    page = sign_in("am_wang")
    page.goto(f"/customers/{customer.pk}/")
    cell = page.locator("#pii-id_number")
    expect(cell.locator("[data-masked='id_number']")).to_have_text(customer.id_number_masked)
    assert not PiiAccessLog.objects.exists()
    cell.locator("select[name='purpose']").select_option("identity_check")
    cell.locator("input[name='note']").fill("贷款申请身份核验")
    cell.locator("button[data-reveal='id_number']").click()
    plain = decrypt(customer.id_number_cipher)
    expect(page.locator("[data-revealed='id_number']")).to_have_text(plain)
    log = PiiAccessLog.objects.get()
    assert (log.actor_id, log.object_id, log.field, log.purpose) == (
        live_world.user("am_wang").pk, str(customer.pk), "id_number", "identity_check: 贷款申请身份核验")
    # The other identifiers stay masked.
    expect(page.locator("[data-masked='phone']")).to_have_text(customer.phone_masked)


def test_sign_out_returns_to_the_login_page(live_world, sign_in):
    page = sign_in("risk_l1")
    page.click("#nav-logout")
    expect(page).to_have_url(re.compile(r"/login/"))
    page.goto("/customers/")
    expect(page).to_have_url(re.compile(r"/login/\?next="))
