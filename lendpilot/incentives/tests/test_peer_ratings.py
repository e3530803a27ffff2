"""Teamwork peer ratings (A7): 1-5, never oneself, only within the team, once per rater/ratee/month; the
appraisal uses their average as the teamwork score with a minimum number of ratings, and NPS is shown as
not available (never zero) with its weight re-normalised."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from lendpilot.compliance.models import AuditEvent
from lendpilot.core.errors import Conflict
from lendpilot.incentives import selectors, services
from lendpilot.incentives.appraisal import Metrics, appraise, parse_scheme, peer_rating_of
from lendpilot.incentives.models import PeerRating
from lendpilot.org.access import actor_of
from lendpilot.planning.services import quota_set
from lendpilot.testing import make_loan

MARCH = date(2026, 3, 1)
API = "/api/v1/incentives"


def test_peer_rating_needs_the_minimum_number_of_ratings():
    assert peer_rating_of(9, 2, 2) == Decimal("4.50")
    assert peer_rating_of(5, 1, 2) is None and peer_rating_of(None, 0, 1) is None
    assert peer_rating_of(5, 1, 1) == Decimal("5.00")


def test_missing_teamwork_and_nps_re_normalise_the_weights():
    scheme = parse_scheme({"weights": {"attainment": "0.6", "nps": "0.2", "peer_rating": "0.2"}})
    full = appraise(Metrics(disbursed=Decimal(100), base_quota=Decimal(100), peer_rating=Decimal("4.00")), scheme)
    # Attainment 0.7 x 100% + 0.3 x 100% (no sprint) = 100; teamwork (4 - 1) x 25 = 75; NPS not available:
    # (0.6 x 100 + 0.2 x 75) / 0.8.
    assert full.components["nps"] is None and full.missing == ["nps"]
    assert full.score == Decimal("93.75")
    alone = appraise(Metrics(disbursed=Decimal(100), base_quota=Decimal(100)), scheme)
    assert alone.missing == ["nps", "peer_rating"] and alone.score == Decimal("100.00")


@pytest.mark.parametrize("bad", [{"min_peer_ratings": 0}, {"min_peer_ratings": "x"}, {"min_peer_ratings": True}])
def test_bad_minimum_rejected(bad):
    from lendpilot.incentives.appraisal import SchemeError

    with pytest.raises(SchemeError) as exc:
        parse_scheme(bad)
    assert exc.value.field == "min_peer_ratings"


@pytest.mark.django_db
def test_rules_of_rating(world):
    wang, zhao, sun = world.staff["am_wang"], world.staff["am_zhao"], world.staff["am_sun"]
    rating = services.peer_rating_submit(actor=world.user("am_wang"), ratee=zhao, month=date(2026, 3, 15), score=4,
                                         comment="  主动分享客户资源 ")
    assert (rating.month, rating.score, rating.comment) == (MARCH, 4, "主动分享客户资源")
    assert AuditEvent.objects.filter(event_code="incentives.peer_rated").count() == 1
    with pytest.raises(Conflict):
        services.peer_rating_submit(actor=world.user("am_wang"), ratee=zhao, month=MARCH, score=5)
    for kwargs, field in (({"ratee": wang, "score": 3}, "ratee_id"), ({"ratee": sun, "score": 3}, "ratee_id"),
                          ({"ratee": zhao, "score": 6, "month": date(2026, 4, 1)}, "score"),
                          ({"ratee": zhao, "score": 0, "month": date(2026, 4, 1)}, "score"),
                          ({"ratee": zhao, "score": 3, "month": date(2999, 1, 1)}, "month")):
        args = {"month": MARCH, **kwargs}
        with pytest.raises(ValidationError) as exc:
            services.peer_rating_submit(actor=world.user("am_wang"), **args)
        assert field in exc.value.error_dict
    # The team lead is a member of the team and rates too; the director is not in a team.
    services.peer_rating_submit(actor=world.user("east_a_lead"), ratee=zhao, month=MARCH, score=5)
    with pytest.raises(PermissionDenied):
        services.peer_rating_submit(actor=world.user("director"), ratee=zhao, month=MARCH, score=5)
    assert PeerRating.objects.count() == 2


@pytest.mark.django_db
def test_appraisal_uses_the_average_as_teamwork(world):
    d = world.user("director")
    zhao, wang = world.staff["am_zhao"], world.staff["am_wang"]
    for key in ("am_wang", "am_zhao"):
        quota_set(actor=d, staff=world.staff[key], month=MARCH, base=Decimal("1000000"), sprint=Decimal(0))
    make_loan(world, customer="am_zhao_person", amount="1000000", on=date(2026, 3, 5))
    services.peer_rating_submit(actor=world.user("am_wang"), ratee=zhao, month=MARCH, score=5)
    services.peer_rating_submit(actor=world.user("am_zhao"), ratee=wang, month=MARCH, score=2)
    rows = {r["staff_id"]: r for r in selectors.appraisal_scores(actor_of(d), start=MARCH)}
    # One rating each: below the minimum of two, teamwork is not available.
    assert rows[zhao.pk]["components"]["peer_rating"] is None and "peer_rating" in rows[zhao.pk]["missing"]
    services.peer_rating_submit(actor=world.user("east_a_lead"), ratee=zhao, month=MARCH, score=4)
    rows = {r["staff_id"]: r for r in selectors.appraisal_scores(actor_of(d), start=MARCH)}
    z = rows[zhao.pk]
    assert z["peer_ratings"] == 2 and z["peer_average"] == Decimal("4.50")
    assert z["components"]["peer_rating"] == Decimal("87.50") and "peer_rating" not in z["missing"]
    assert "nps" in z["missing"]
    assert z["components"]["nps"] is None
    # Quarterly: the quarter's ratings count together.
    services.peer_rating_submit(actor=world.user("am_zhao"), ratee=wang, month=date(2026, 2, 1), score=4)
    q = {r["staff_id"]: r for r in selectors.appraisal_scores(actor_of(d), start=date(2026, 1, 1), months=3)}
    assert q[wang.pk]["peer_ratings"] == 2 and q[wang.pk]["peer_average"] == Decimal("3.00")


@pytest.mark.django_db
def test_bulk_load_checks_every_row_first(world):
    wang, zhao, sun = (world.staff[k].pk for k in ("am_wang", "am_zhao", "am_sun"))
    with pytest.raises(ValidationError) as exc:
        services.peer_ratings_load(actor=None, month=MARCH, ratings=[(wang, zhao, 4), (wang, sun, 4)])
    assert "ratings" in exc.value.error_dict and not PeerRating.objects.exists()
    for bad in ([(wang, wang, 4)], [(wang, zhao, 9)], [(wang, zhao, 4), (wang, zhao, 5)]):
        with pytest.raises(ValidationError):
            services.peer_ratings_load(actor=None, month=MARCH, ratings=bad)
    assert services.peer_ratings_load(actor=None, month=MARCH, ratings=[(wang, zhao, 4), (zhao, wang, 3)]) == 2
    assert services.peer_ratings_load(actor=None, month=MARCH, ratings=[(wang, zhao, 1)]) == 0
    assert PeerRating.objects.get(rater_id=wang).score == 4
    assert AuditEvent.objects.filter(event_code="incentives.peer_ratings_loaded").count() == 2


@pytest.mark.django_db
def test_peer_rating_api_and_page(world):
    c = Client()
    c.force_login(world.user("am_wang"))
    zhao, sun = world.staff["am_zhao"], world.staff["am_sun"]
    r = c.post(f"{API}/peer-ratings", {"ratee_id": zhao.pk, "month": "2026-03-01", "score": 4},
               content_type="application/json")
    assert r.status_code == 201, r.content
    assert c.post(f"{API}/peer-ratings", {"ratee_id": zhao.pk, "month": "2026-03-01", "score": 4},
                  content_type="application/json").status_code == 409
    r = c.post(f"{API}/peer-ratings", {"ratee_id": sun.pk, "month": "2026-03-01", "score": 4},
               content_type="application/json")
    assert r.status_code == 422 and {d["loc"][-1] for d in r.json()["detail"]} == {"ratee_id"}
    r = c.post(f"{API}/peer-ratings", {"ratee_id": zhao.pk, "month": "2026-04-01", "score": 7},
               content_type="application/json")
    assert r.status_code == 422 and PeerRating.objects.count() == 1
    assert [x["ratee_id"] for x in c.get(f"{API}/peer-ratings", {"month": "2026-03-01"}).json()] == [zhao.pk]
    summary = c.get(f"{API}/peer-ratings/summary", {"month": "2026-03-01"}).json()
    assert summary == []  # wang sees only herself in scope: nobody has rated her
    lead = Client()
    lead.force_login(world.user("east_a_lead"))
    summary = lead.get(f"{API}/peer-ratings/summary", {"month": "2026-03-01"}).json()
    assert [(s["staff_id"], s["ratings"], s["enough"]) for s in summary] == [(zhao.pk, 1, False)]
    assert "rater" not in str(summary)
    # The page: rate through the form; the one already rated is no longer offered.
    page = c.get("/incentives/peers/?month=2026-03")
    assert page.status_code == 200 and b"rating-form" in page.content
    assert f'value="{zhao.pk}"'.encode() not in page.content
    r = c.post("/incentives/peers/", {"month": "2026-03", "ratee": world.staff["east_a_lead"].pk, "score": "5"})
    assert r.status_code == 302 and PeerRating.objects.count() == 2
    d = Client()
    d.force_login(world.user("director"))
    assert d.get("/incentives/peers/?month=2026-03").status_code == 200
    assert d.post(f"{API}/peer-ratings", {"ratee_id": zhao.pk, "month": "2026-03-01", "score": 4},
                  content_type="application/json").status_code == 403


@pytest.mark.django_db
def test_appraisal_page_shows_not_available_not_zero(world):
    c = Client()
    c.force_login(world.user("director"))
    page = c.get("/incentives/honours/?month=2026-03").content.decode()
    assert 'data-metric="nps"' in page
    cell = page.split('data-metric="nps"', 1)[1].split("</td>", 1)[0]
    assert "badge" in cell and "0.00" not in cell
