"""Objection drills (D5): a random set of objections, answers by the manager, scores by the lead,
results per person, and every step out of order or out of scope refused with nothing changed."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lendpilot.core.errors import Conflict
from lendpilot.org.access import actor_of
from lendpilot.sales.drills import drill_answer, drill_results, drill_score, drill_start, drills_visible
from lendpilot.sales.services import playbook_entry_save

pytestmark = pytest.mark.django_db
OBJECTIONS = ("rate", "paperwork", "slow", "competitor", "no_need", "unreachable")


@pytest.fixture
def library(world):
    for n, code in enumerate(OBJECTIONS):
        playbook_entry_save(actor=None, kind="objection", objection=code, title=f"异议{n}", body=f"标准回答{n}",
                            publish=True)  # the system path records the compliance review
    return world


def test_drill_from_start_to_score_and_results(library):
    w = library
    drill = drill_start(actor=w.user("east_a_lead"), manager=w.staff["am_wang"], size=4, seed=1)
    items = list(drill.items.all())
    assert len(items) == 4 and len({i.entry_id for i in items}) == 4
    with pytest.raises(ValidationError) as exc:
        drill_answer(actor=w.user("am_wang"), drill=drill, answers={items[0].pk: "回答"})
    assert "answers" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        drill_answer(actor=w.user("am_zhao"), drill=drill, answers={i.pk: "x" for i in items})
    drill_answer(actor=w.user("am_wang"), drill=drill, answers={i.pk: f"我的回答{i.pk}" for i in items})
    with pytest.raises(PermissionDenied):
        drill_score(actor=w.user("am_zhao"), drill=drill, scores={i.pk: 5 for i in items})
    with pytest.raises(ValidationError):
        drill_score(actor=w.user("east_a_lead"), drill=drill, scores={i.pk: 6 for i in items})
    scored = drill_score(actor=w.user("east_a_lead"), drill=drill, scores=dict(zip([i.pk for i in items],
                                                                                  [5, 4, 3, 4], strict=True)))
    assert scored.score_pct == 80 and scored.status == "scored"
    with pytest.raises(Conflict):
        drill_score(actor=w.user("east_a_lead"), drill=drill, scores={i.pk: 1 for i in items})
    results = list(drill_results(actor_of(w.user("east_a_lead"))))
    assert [(r["manager_id"], r["drills"], float(r["average"])) for r in results] == [(w.staff["am_wang"].pk, 1, 80.0)]


def test_scope_and_size(library):
    w = library
    with pytest.raises(PermissionDenied):
        drill_start(actor=w.user("am_wang"), manager=w.staff["am_zhao"])
    with pytest.raises(PermissionDenied):
        drill_start(actor=w.user("east_a_lead"), manager=w.staff["am_chen"])
    with pytest.raises(ValidationError) as exc:
        drill_start(actor=w.user("am_wang"), manager=w.staff["am_wang"], size=7)
    assert "size" in exc.value.message_dict
    own = drill_start(actor=w.user("am_wang"), manager=w.staff["am_wang"], size=2)
    assert list(drills_visible(actor_of(w.user("am_zhao")))) == []
    assert list(drills_visible(actor_of(w.user("east_a_lead")))) == [own]


def test_drill_pages(library, client):
    from lendpilot.sales.models import ObjectionDrill

    w = library
    client.force_login(w.user("east_a_lead"))
    assert client.get("/sales/drills/").status_code == 200
    started = client.post("/sales/drills/", {"manager": w.staff["am_wang"].pk, "size": "3"})
    drill = ObjectionDrill.objects.get()
    assert started.status_code == 302 and drill.items.count() == 3
    client.force_login(w.user("am_wang"))
    items = list(drill.items.all())
    client.post(f"/sales/drills/{drill.pk}/", {"action": "answer", **{f"answer-{i.pk}": "答" for i in items}})
    drill.refresh_from_db()
    assert drill.status == "answered"
    client.force_login(w.user("am_chen"))
    assert client.get(f"/sales/drills/{drill.pk}/").status_code == 404
    client.force_login(w.user("east_a_lead"))
    client.post(f"/sales/drills/{drill.pk}/", {"action": "score", **{f"score-{i.pk}": "5" for i in items}})
    drill.refresh_from_db()
    assert drill.status == "scored" and drill.score_pct == 100
    assert f'data-manager="{w.staff["am_wang"].pk}"' in client.get("/sales/drills/").content.decode()


def test_drill_api(library, client):
    w = library
    client.force_login(w.user("east_a_lead"))
    base = "/api/v1/sales/drills"
    outside = client.post(base, {"manager_id": w.staff["am_chen"].pk}, content_type="application/json")
    assert outside.status_code == 422
    started = client.post(base, {"manager_id": w.staff["am_wang"].pk, "size": 2}, content_type="application/json")
    assert started.status_code == 201
    drill = started.json()
    ids = [i["id"] for i in drill["items"]]
    client.force_login(w.user("am_wang"))
    answered = client.post(f"{base}/{drill['id']}/answers", {"answers": {str(i): "答" for i in ids}},
                           content_type="application/json")
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    client.force_login(w.user("east_a_lead"))
    bad = client.post(f"{base}/{drill['id']}/score", {"scores": {str(ids[0]): 9}}, content_type="application/json")
    assert bad.status_code == 422
    ok = client.post(f"{base}/{drill['id']}/score", {"scores": {str(i): 3 for i in ids}},
                     content_type="application/json")
    assert ok.status_code == 200 and ok.json()["score_pct"] == "60.0"
    assert client.get(f"{base}/results").json()[0]["drills"] == 1
