"""A review from the appraisal to the completed 9-box: rating with evidence, calibration, decisions with
reasons, the low/low rule and the promotion rule."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lendpilot.compliance.models import AuditEvent
from lendpilot.org.access import actor_of
from lendpilot.talent import selectors, services
from lendpilot.talent.models import ReviewDecision, TalentReview

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(world):
    return services.review_start(actor=world.user("director"), name="2026 Q1", period_start=date(2026, 1, 1))


def _rate(world, review, key, potential, performance=None):
    entry = review.entries.get(staff=world.staff[key])
    if performance is not None:
        entry.performance = performance
        entry.save(update_fields=["performance"])
    return services.review_entry_rate(actor=world.user("director"), entry_id=entry.pk, potential=potential,
                                      evidence="led the pilot", risk_of_loss=2, impact_of_loss=3)


def test_review_takes_every_account_manager_in_scope(world, review):
    assert review.entries.count() == 4
    head = services.review_start(actor=world.user("east_head"), name="East", period_start=date(2026, 1, 1))
    assert head.entries.count() == 3


def test_rating_places_on_the_nine_box_and_needs_evidence(world, review):
    entry = _rate(world, review, "am_wang", 3, performance=2)
    assert entry.box == 6
    with pytest.raises(ValidationError):
        services.review_entry_rate(actor=world.user("director"), entry_id=entry.pk, potential=1, evidence=" ",
                                   risk_of_loss=1, impact_of_loss=1)
    entry.refresh_from_db()
    assert entry.box == 6
    grid = selectors.nine_box(actor_of(world.user("director")), review)
    assert grid["distribution"][6] == 1 and grid["unrated"] == 3


def test_low_low_needs_training_or_reassignment_before_completion_never_an_exit(world, review):
    d = world.user("director")
    low = _rate(world, review, "am_wang", 1, performance=1)
    for key in ("am_zhao", "am_sun", "am_chen"):
        _rate(world, review, key, 2)
    with pytest.raises(ValidationError, match="low/low"):
        services.review_complete(actor=d, review_id=review.pk)
    for kind in ("exit", "retain_and_reward", "promote_to_team_lead"):
        with pytest.raises(ValidationError):
            services.review_decide(actor=d, entry_id=low.pk, kind=kind, reason="x")
    with pytest.raises(ValidationError):
        services.review_decide(actor=d, entry_id=low.pk, kind="training_plan", reason="")
    services.review_decide(actor=d, entry_id=low.pk, kind="training_plan", reason="product course, then review")
    done = services.review_complete(actor=d, review_id=review.pk)
    assert done.status == TalentReview.Status.COMPLETED
    assert AuditEvent.objects.filter(event_code="talent.review_completed").count() == 1


def test_high_potential_manager_may_be_proposed_for_team_lead(world, review):
    d = world.user("director")
    star = _rate(world, review, "am_zhao", 3, performance=3)
    decision = services.review_decide(actor=d, entry_id=star.pk, kind="promote_to_team_lead",
                                      reason="runs the team's pricing clinic")
    assert decision.kind == ReviewDecision.Kind.PROMOTE
    services.review_entry_calibrate(actor=d, entry_id=star.pk, performance=2, potential=2,
                                    reason="calibrated against East B")
    star.refresh_from_db()
    assert star.box == 5
    assert star.decisions.filter(kind="calibration").exists()


def test_an_account_manager_cannot_run_a_review(world):
    with pytest.raises(PermissionDenied):
        services.review_start(actor=world.user("am_wang"), name="x", period_start=date(2026, 1, 1))
    assert not TalentReview.objects.exists()
