"""API tokens expire, die with a password change or a deactivation, cannot carry more reach than their issuer,
and every use is logged."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from lendpilot.compliance.models import AuditEvent
from lendpilot.org.models import ApiToken, Staff
from lendpilot.org.roles import ROLE_PERMISSIONS, Perm, Role
from lendpilot.org.services import api_token_issue

ME = "/api/v1/org/me"


def call(secret):
    return Client().get(ME, HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_a_token_expires_after_90_days_by_default(world):
    token, secret = api_token_issue(actor=None, user=world.user("am_wang"), name="feed")
    assert abs(token.expires_at - (timezone.now() + timedelta(days=90))) < timedelta(minutes=1)
    assert call(secret).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert call(secret).status_code == 401


def test_a_token_may_not_outlive_the_policy(world):
    with pytest.raises(ValidationError) as error:
        api_token_issue(actor=None, user=world.user("am_wang"), name="feed", days=91)
    assert "days" in error.value.message_dict
    client = Client()
    client.force_login(world.user("am_wang"))
    response = client.post("/api/v1/org/tokens", {"name": "feed", "days": 400}, content_type="application/json")
    assert response.status_code == 422 and "days" in response.content.decode()
    assert not ApiToken.objects.exists()
    response = client.post("/api/v1/org/tokens", {"name": "feed", "days": 7}, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["expires_at"][:10] == (timezone.now() + timedelta(days=7)).date().isoformat()


def test_a_password_change_revokes_the_users_tokens(world):
    user = world.user("am_wang")
    token, secret = api_token_issue(actor=None, user=user, name="feed")
    user.set_password("A-new-password-2")
    user.save()
    assert call(secret).status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = AuditEvent.objects.filter(event_code="org.api_token_revoked").latest("seq")
    assert event.after["reason"] == "password changed"


def test_deactivating_the_staff_member_revokes_the_token(world):
    token, secret = api_token_issue(actor=None, user=world.user("partner"), name="leads")
    Staff.objects.filter(user=world.user("partner")).update(is_active=False)
    assert call(secret).status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None
    Staff.objects.filter(user=world.user("partner")).update(is_active=True)
    assert call(secret).status_code == 401, "a revoked token stays revoked after reactivation"


def test_a_deactivated_user_gets_no_new_token(world):
    user = world.user("am_zhao")
    user.is_active = False
    user.save()
    with pytest.raises(ValidationError):
        api_token_issue(actor=world.user("director"), user=user, name="feed")


def test_an_account_manager_or_partner_cannot_mint_a_token_for_someone_else(world):
    for issuer, holder in [("am_wang", "director"), ("partner", "am_wang"), ("am_wang", "am_zhao")]:
        with pytest.raises(PermissionDenied):
            api_token_issue(actor=world.user(issuer), user=world.user(holder), name="x")
    assert not ApiToken.objects.exists()


def test_an_issuer_cannot_give_a_token_more_reach_than_its_own(world, monkeypatch):
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.REGIONAL_HEAD,
                        ROLE_PERMISSIONS[Role.REGIONAL_HEAD] | {Perm.ISSUE_API_TOKEN})
    head = world.user("east_head")
    for holder in ["director", "risk_l1", "am_chen", "south_head"]:  # wider scope or another region
        with pytest.raises(PermissionDenied):
            api_token_issue(actor=head, user=world.user(holder), name="x")
    token, _secret = api_token_issue(actor=head, user=world.user("am_wang"), name="feed")
    assert token.user == world.user("am_wang")


def test_every_token_use_is_logged(world, caplog):
    caplog.set_level("INFO", logger="lendpilot.security")
    token, secret = api_token_issue(actor=None, user=world.user("am_wang"), name="feed")
    call(secret)
    call(secret)
    uses = [r for r in caplog.records if "api token used" in r.getMessage()]
    assert len(uses) == 2 and token.prefix in uses[0].getMessage() and ME in uses[0].getMessage()
