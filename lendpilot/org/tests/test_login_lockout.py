"""Sign-in throttling: repeated wrong passwords lock the user name, or the client address, for a while, even
against the right password; the lockout is logged and listed for compliance, who can lift it."""

import pytest
from django.test import Client
from django.urls import reverse

from lendpilot.compliance.models import AuditEvent
from lendpilot.testing import PASSWORD

LIMIT = 5


def sign_in(client, username, password, ip="10.0.0.7"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.fixture
def locked(world):
    client = Client()
    for _attempt in range(LIMIT - 1):
        assert sign_in(client, "am_wang", "wrong").status_code == 200
    assert sign_in(client, "am_wang", "wrong").status_code == 429, "the failure that reaches the limit locks"
    return client


def test_the_right_password_after_too_many_failures_is_refused(locked):
    response = sign_in(locked, "am_wang", PASSWORD)
    assert response.status_code == 429
    assert 'id="locked-out"' in response.content.decode()
    assert "_auth_user_id" not in locked.session


def test_the_lockout_is_logged_with_the_user_name_and_address(world, caplog):
    client = Client()
    for _attempt in range(LIMIT):
        sign_in(client, "am_wang", "wrong")
    lockouts = [r.getMessage() for r in caplog.records if "Locking out" in r.getMessage()]
    assert lockouts and "am_wang" in lockouts[0] and "10.0.0.7" in lockouts[0]
    assert "wrong" not in caplog.text


def test_the_lockout_follows_the_user_name_to_another_address(locked):
    assert sign_in(Client(), "am_wang", PASSWORD, ip="10.9.9.9").status_code == 429


def test_failures_over_many_user_names_lock_the_address(world):
    client = Client()
    for username in ["am_zhao", "am_sun", "am_chen", "east_head", "south_head"]:
        sign_in(client, username, "wrong", ip="10.0.0.8")
    assert sign_in(client, "director", PASSWORD, ip="10.0.0.8").status_code == 429
    assert sign_in(Client(), "director", PASSWORD, ip="10.0.0.9").status_code == 302


def test_fewer_failures_than_the_limit_still_let_the_user_in(world):
    client = Client()
    for _attempt in range(LIMIT - 1):
        sign_in(client, "am_wang", "wrong")
    assert sign_in(client, "am_wang", PASSWORD).status_code == 302


def test_compliance_sees_the_lockout_and_lifts_it(locked, world):
    compliance = Client()
    compliance.force_login(world.user("compliance"))
    assert 'id="nav-lockouts"' in compliance.get(reverse("home")).content.decode()
    page = compliance.get(reverse("org:lockouts"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="lockout-table"' in html and "am_wang" in html and "10.0.0.7" in html
    response = compliance.post(reverse("org:lockout_clear"), {"username": "am_wang", "ip_address": "10.0.0.7"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(event_code="org.login_lockout_cleared").count() == 1
    assert sign_in(Client(), "am_wang", PASSWORD).status_code == 302


def test_an_account_manager_may_not_see_or_lift_lockouts(locked, world):
    manager = Client()
    manager.force_login(world.user("am_zhao"))
    assert manager.get(reverse("org:lockouts")).status_code == 403
    assert manager.post(reverse("org:lockout_clear"), {"username": "am_wang"}).status_code == 403
    assert not AuditEvent.objects.filter(event_code="org.login_lockout_cleared").exists()


def test_a_bad_address_to_unlock_is_a_message_not_an_error(world):
    compliance = Client()
    compliance.force_login(world.user("compliance"))
    response = compliance.post(reverse("org:lockout_clear"), {"ip_address": "not-an-ip"}, follow=True)
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(event_code="org.login_lockout_cleared").exists()
