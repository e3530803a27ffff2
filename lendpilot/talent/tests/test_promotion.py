"""A promotion decided in a talent review changes the organisation once the director confirms it: the
high-potential account manager becomes team lead. Nothing in a review ever moves anyone out."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from lendpilot.compliance.models import AuditEvent
from lendpilot.org.models import Staff
from lendpilot.org.roles import Role
from lendpilot.talent import services
from lendpilot.talent.models import ReviewDecision

pytestmark = pytest.mark.django_db
API = "/api/v1/talent"


@pytest.fixture
def review(world):
    return services.review_start(actor=world.user("director"), name="2026 Q1", period_start=date(2026, 1, 1))


def _rate(world, review, key, performance, potential):
    entry = review.entries.get(staff=world.staff[key])
    entry.performance = performance
    entry.save(update_fields=["performance"])
    return services.review_entry_rate(actor=world.user("director"), entry_id=entry.pk, potential=potential,
                                      evidence="带教新人，牵头定价复盘", risk_of_loss=2, impact_of_loss=3)


def _promote(world, entry, who="director"):
    return services.review_decide(actor=world.user(who), entry_id=entry.pk, kind="promote_to_team_lead",
                                  reason="高潜力且业绩稳定")


def test_a_confirmed_promotion_makes_the_manager_team_lead(world, review):
    sun = _rate(world, review, "am_sun", 2, 3)
    decision = _promote(world, sun)
    # Decided, not yet confirmed: the organisation is unchanged.
    assert Staff.objects.get(pk=world.staff["am_sun"].pk).role == Role.ACCOUNT_MANAGER
    confirmed = services.review_promotion_confirm(actor=world.user("director"), decision_id=decision.pk)
    staff = Staff.objects.get(pk=world.staff["am_sun"].pk)
    assert staff.role == Role.TEAM_LEAD and staff.team == world.teams["east-b"]
    assert confirmed.confirmed_at is not None and confirmed.promoted_team == world.teams["east-b"]
    assert AuditEvent.objects.filter(event_code="org.staff_updated", object_id=str(staff.pk)).count() == 1
    with pytest.raises(ValidationError):
        services.review_promotion_confirm(actor=world.user("director"), decision_id=decision.pk)


def test_confirmation_rules(world, review):
    d = world.user("director")
    wang = _rate(world, review, "am_wang", 3, 3)
    decision = _promote(world, wang, who="east_head")
    # A regional head decides in the review but does not change the organisation.
    with pytest.raises(PermissionDenied):
        services.review_promotion_confirm(actor=world.user("east_head"), decision_id=decision.pk)
    # East A already has a lead: the promotion names another team or is refused, naming the team.
    with pytest.raises(ValidationError) as exc:
        services.review_promotion_confirm(actor=d, decision_id=decision.pk)
    assert "team_id" in exc.value.error_dict
    assert Staff.objects.get(pk=world.staff["am_wang"].pk).role == Role.ACCOUNT_MANAGER
    assert ReviewDecision.objects.get(pk=decision.pk).confirmed_at is None
    services.review_promotion_confirm(actor=d, decision_id=decision.pk, team_id=world.teams["east-b"].pk)
    wang_now = Staff.objects.get(pk=world.staff["am_wang"].pk)
    assert (wang_now.role, wang_now.team) == (Role.TEAM_LEAD, world.teams["east-b"])
    # Only a promotion is confirmed.
    zhao = _rate(world, review, "am_zhao", 2, 2)
    other = services.review_decide(actor=d, entry_id=zhao.pk, kind="development_plan", reason="行业授信课程")
    with pytest.raises(ValidationError):
        services.review_promotion_confirm(actor=d, decision_id=other.pk)


def test_calibrated_out_of_high_potential_is_not_promoted(world, review):
    d = world.user("director")
    sun = _rate(world, review, "am_sun", 3, 3)
    decision = _promote(world, sun)
    services.review_entry_calibrate(actor=d, entry_id=sun.pk, performance=3, potential=2, reason="与东部二组校准")
    with pytest.raises(ValidationError):
        services.review_promotion_confirm(actor=d, decision_id=decision.pk)
    assert Staff.objects.get(pk=world.staff["am_sun"].pk).role == Role.ACCOUNT_MANAGER


def test_a_completed_review_exits_nobody(world, review):
    d = world.user("director")
    low = _rate(world, review, "am_wang", 1, 1)
    for key in ("am_zhao", "am_sun", "am_chen"):
        _rate(world, review, key, 2, 2)
    services.review_decide(actor=d, entry_id=low.pk, kind="reassignment", reason="调至渠道组，三个月后复盘")
    before = dict(Staff.objects.values_list("pk", "role"))
    services.review_complete(actor=d, review_id=review.pk)
    assert dict(Staff.objects.values_list("pk", "role")) == before
    assert Staff.objects.filter(is_active=False).count() == 0


def test_confirm_through_the_api_and_the_page(world, review):
    sun = _rate(world, review, "am_sun", 2, 3)
    decision = _promote(world, sun)
    c = Client()
    c.force_login(world.user("director"))
    page = c.get(f"/talent/reviews/{review.pk}/").content.decode()
    assert "confirm-form" in page and "promotion-confirmed" not in page
    r = c.post(f"{API}/decisions/{decision.pk}/confirm", {"team_id": 99_999_999}, content_type="application/json")
    assert r.status_code == 422 and {d["loc"][-1] for d in r.json()["detail"]} == {"team_id"}
    lead = Client()
    lead.force_login(world.user("east_head"))
    assert lead.post(f"{API}/decisions/{decision.pk}/confirm", {}, content_type="application/json"
                     ).status_code == 403
    r = c.post(f"/talent/decisions/{decision.pk}/confirm/", {"team": ""})
    assert r.status_code == 302
    assert Staff.objects.get(pk=world.staff["am_sun"].pk).role == Role.TEAM_LEAD
    page = c.get(f"/talent/reviews/{review.pk}/").content.decode()
    assert "promotion-confirmed" in page
    r = c.post(f"{API}/decisions/{decision.pk}/confirm", {}, content_type="application/json")
    assert r.status_code == 422
