"""The talent pages for the director and regional heads, and the API mirroring them."""

import pytest
from django.test import Client
from django.utils import timezone

from lendpilot.talent.models import TalentReview

pytestmark = pytest.mark.django_db


def _client(world, key):
    c = Client()
    c.force_login(world.user(key))
    return c


def test_director_reaches_every_talent_page_and_runs_a_review(world):
    c = _client(world, "director")
    for name in ("", "requisitions/", "pipeline/", "curricula/", "certifications/", "cases/"):
        assert c.get(f"/talent/{name}").status_code == 200, name
    r = c.post("/talent/", {"name": "2026 Q1", "period_start": "2026-01-01", "months": "3"})
    review = TalentReview.objects.get()
    assert r.status_code == 302
    page = c.get(f"/talent/reviews/{review.pk}/")
    assert page.status_code == 200 and b"nine-box" in page.content
    entry = review.entries.first()
    c.post(f"/talent/entries/{entry.pk}/rate/", {"potential": "3", "evidence": "x", "risk_of_loss": "1",
                                                 "impact_of_loss": "2"})
    entry.refresh_from_db()
    assert entry.box is not None
    drill = c.get(f"/talent/reviews/{review.pk}/?box={entry.box}")
    assert entry.staff.name in drill.content.decode()


def test_account_manager_is_refused_and_nothing_changes(world):
    c = _client(world, "am_wang")
    assert c.get("/talent/").status_code == 403
    assert c.post("/talent/", {"name": "x", "period_start": "2026-01-01", "months": "3"}).status_code == 403
    assert not TalentReview.objects.exists()


def test_bad_input_names_the_field(world):
    c = _client(world, "director")
    r = c.post("/talent/requisitions/", {"title": "AM", "team": str(world.teams["east-a"].pk),
                                         "role": "account_manager", "headcount": "1"}, follow=True)
    assert "profile" in r.content.decode()


def test_api_mirrors_requisitions_and_reviews(world):
    c = _client(world, "director")
    r = c.post("/api/v1/talent/requisitions", {"title": "AM", "team_id": world.teams["east-a"].pk,
                                               "role": "account_manager", "headcount": 1,
                                               "profile": [{"skill": "finance", "weight": 3, "level": 3},
                                                           {"skill": "client_development", "weight": 1,
                                                            "level": 1}]},
               content_type="application/json")
    assert r.status_code == 201, r.content
    req_id = r.json()["id"]
    r = c.post(f"/api/v1/talent/requisitions/{req_id}/candidates",
               {"name": "候选人", "source": "campus", "skills": [{"skill": "finance", "level": 4}]},
               content_type="application/json")
    assert r.status_code == 201 and r.json()["match_score"] == "0.7500"
    r = c.post("/api/v1/talent/reviews", {"name": "Q1", "period_start": "2026-01-01"},
               content_type="application/json")
    assert r.status_code == 201
    review_id = r.json()["id"]
    assert c.get(f"/api/v1/talent/reviews/{review_id}").json()["unrated"] == 4
    assert c.get(f"/api/v1/talent/reviews/{review_id}/entries").status_code == 200
    assert c.get("/api/v1/talent/pipeline").json()["sources"][0]["applicants"] >= 0


def test_a_lead_scores_a_role_play_for_their_team_only(world):
    from lendpilot.talent.models import DrillScenario, DrillScore

    scenario = DrillScenario.objects.create(kind="pricing_negotiation", title="应对竞品低价", brief="b",
                                            rubric=[{"key": "needs", "label": "需求", "weight": 3},
                                                    {"key": "close", "label": "成交", "weight": 1}])
    c = _client(world, "east_a_lead")
    r = c.post(f"/api/v1/talent/drills/{scenario.pk}/score",
               {"staff_id": world.staff["am_wang"].pk, "scores": {"needs": 5, "close": 1}},
               content_type="application/json")
    assert r.status_code == 201 and r.json()["total"] == "80.0"
    r = c.post(f"/api/v1/talent/drills/{scenario.pk}/score",
               {"staff_id": world.staff["am_wang"].pk, "scores": {"needs": 5}}, content_type="application/json")
    assert r.status_code == 422 and "close" in r.content.decode()
    assert DrillScore.objects.count() == 1
    assert c.get("/talent/cases/").status_code == 200


def test_api_runs_training_and_certification_requirements(world):
    from lendpilot.org.selectors import staff_ineligible_for_product

    c = _client(world, "director")
    r = c.post("/api/v1/talent/curricula", {"title": "产品通识", "layer": "new_hire", "topic": "products"},
               content_type="application/json")
    assert r.status_code == 201
    r = c.post(f"/api/v1/talent/curricula/{r.json()['id']}/enrol", {"staff_id": world.staff["am_sun"].pk},
               content_type="application/json")
    assert r.status_code == 201
    r = c.post(f"/api/v1/talent/enrolments/{r.json()['id']}/complete", {"score": "88.5"},
               content_type="application/json")
    assert r.status_code == 200 and r.json()["score"] == "88.5"
    product = world.products["credit"].pk
    r = c.put("/api/v1/talent/certifications/requirements", {"product_id": product, "kinds": ["aml"]},
              content_type="application/json")
    assert r.status_code == 200
    r = c.post("/api/v1/talent/certifications", {"staff_id": world.staff["am_sun"].pk, "kind": "aml",
                                                 "obtained_on": "2025-01-01", "expires_on": "2024-01-01"},
               content_type="application/json")
    assert r.status_code == 422 and "expires_on" in r.content.decode()
    assert staff_ineligible_for_product(product, timezone.localdate()).filter(pk=world.staff["am_sun"].pk).exists()


def test_pages_enrol_complete_and_set_a_product_requirement(world):
    from lendpilot.org.models import ProductCertificationRequirement
    from lendpilot.talent.models import Curriculum, Enrolment

    c = _client(world, "director")
    cur = Curriculum.objects.create(title="谈判", layer="backbone", topic="negotiation")
    c.post("/talent/curricula/enrol/", {"curriculum": cur.pk, "staff": world.staff["am_zhao"].pk})
    enrolment = Enrolment.objects.get()
    assert "谈判" in c.get("/talent/curricula/").content.decode()
    c.post(f"/talent/enrolments/{enrolment.pk}/complete/", {"score": "abc"})
    enrolment.refresh_from_db()
    assert enrolment.completed_on is None
    c.post(f"/talent/enrolments/{enrolment.pk}/complete/", {"score": "91"})
    enrolment.refresh_from_db()
    assert enrolment.score == 91
    c.post("/talent/certifications/requirements/", {"product": world.products["mortgage"].pk,
                                                    "kinds": ["banking", "cfp"]})
    assert ProductCertificationRequirement.objects.count() == 2
    page = c.get("/talent/certifications/").content.decode()
    assert world.products["mortgage"].name_zh in page.split('id="requirements"')[1]
