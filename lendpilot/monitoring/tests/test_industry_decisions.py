"""The risk committee's decision on the industry risk map (C6): accepted proposals become one new
scoring policy version with their admission and risk premium, which pricing adds to the product rate."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from lendpilot.core.errors import Conflict
from lendpilot.monitoring import services
from lendpilot.monitoring.models import IndustryProposal
from lendpilot.scoring.models import PolicyVersion
from lendpilot.scoring.policy import priced_rate

API = "/api/v1/monitoring"
MONTH = date(2025, 1, 1)


def proposal(industry: str, admission: str, premium_bps: int) -> IndustryProposal:
    return IndustryProposal.objects.create(month=MONTH, industry=industry, default_rate=0.01, correlation=-0.6,
                                           lead_months=2, index_trend=-1.0, admission=admission,
                                           premium_bps=premium_bps)


def state():
    return (PolicyVersion.objects.count(),
            list(IndustryProposal.objects.order_by("pk").values_list("status", "policy_version_id")))


def test_accepting_proposals_publishes_one_policy_version_that_prices_the_premium(world):
    tight, keep, loose = proposal("C", "tighten", 150), proposal("F", "keep", 60), proposal("I", "loosen", 0)
    before = PolicyVersion.objects.count()
    decided = services.industry_proposals_decide(actor=world.user("director"), proposals=[tight, keep, loose],
                                                 accept=True)
    assert PolicyVersion.objects.count() == before + 1
    version = PolicyVersion.objects.get(status=PolicyVersion.Status.ACTIVE)
    assert {p.policy_version_id for p in decided} == {version.pk}
    assert {p.status for p in decided} == {"accepted"}
    assert "C" in version.rules["excluded_industries"] and "I" not in version.rules["excluded_industries"]
    assert version.rules["industry_premium_bps"] == {"C": 150, "F": 60}
    rate, bps = priced_rate(version.rules, base_rate=Decimal("0.0800"), industry="F")
    assert (rate, bps) == (Decimal("0.086000"), 60)
    assert priced_rate(version.rules, base_rate=Decimal("0.0800"), industry="K")[1] == 0
    # decided once: a second decision is a conflict and changes nothing
    snapshot = state()
    with pytest.raises(Conflict):
        services.industry_proposals_decide(actor=world.user("director"), proposals=[keep], accept=False)
    assert state() == snapshot


def test_rejecting_publishes_nothing_and_bad_batches_change_nothing(world):
    a, b = proposal("C", "tighten", 150), proposal("F", "keep", 60)
    before = state()
    with pytest.raises(ValidationError) as exc:
        services.industry_proposals_decide(actor=world.user("director"), proposals=[], accept=True)
    assert "ids" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.industry_proposals_decide(actor=world.user("am_wang"), proposals=[a], accept=True)
    assert state() == before
    services.industry_proposals_decide(actor=world.user("director"), proposals=[a, b], accept=False)
    assert PolicyVersion.objects.count() == before[0]
    assert set(IndustryProposal.objects.values_list("status", flat=True)) == {"rejected"}


def test_a_premium_above_the_policy_maximum_is_capped(world):
    p = proposal("F", "keep", 4200)
    decided = services.industry_proposal_decide(actor=world.user("director"), proposal=p, accept=True)
    assert decided.policy_version.rules["industry_premium_bps"]["F"] == 3000


def test_the_committee_decides_over_the_api_and_the_page(world):
    a, b, c = proposal("C", "tighten", 150), proposal("F", "keep", 60), proposal("K", "keep", 40)
    director = Client()
    director.force_login(world.user("director"))
    body = {"ids": [a.pk, b.pk], "accept": True}
    r = director.post(f"{API}/industry-proposals/decide", body, content_type="application/json")
    assert r.status_code == 200, r.content
    assert {p["status"] for p in r.json()} == {"accepted"} and len({p["policy_version_id"] for p in r.json()}) == 1
    assert director.post(f"{API}/industry-proposals/decide", body, content_type="application/json").status_code == 409
    assert director.post(f"{API}/industry-proposals/decide", {"ids": [c.pk, 2**40], "accept": True},
                         content_type="application/json").status_code == 404
    assert director.post(f"{API}/industry-proposals/decide", {"ids": [], "accept": True},
                         content_type="application/json").status_code == 422
    manager = Client()
    manager.force_login(world.user("am_wang"))
    assert manager.post(f"{API}/industry-proposals/decide", {"ids": [c.pk], "accept": True},
                        content_type="application/json").status_code == 403
    versions = PolicyVersion.objects.count()
    page = director.get("/monitoring/industries/").content.decode()
    assert 'id="bulk-decide"' in page and f'value="{c.pk}" form="bulk-decide"' in page
    r = director.post("/monitoring/industries/decide/", {"ids": [str(c.pk)], "accept": "1"})
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.status == "accepted" and PolicyVersion.objects.count() == versions + 1
    assert c.policy_version.rules["industry_premium_bps"]["K"] == 40
