"""Compliance checkpoint on the playbook (C7): scripts and objection answers reach managers only once a compliance
officer other than the author approved exactly their text. Drafts are saved and submitted freely (the forbidden-
promise scanner answers at once); the API cannot publish an entry without that approval."""

from lendpilot.compliance.checkpoints.models import CheckpointReview
from lendpilot.compliance.models import AuditEvent
from lendpilot.sales.funnel import Node
from lendpilot.sales.models import PlaybookEntry
from lendpilot.sales.services.playbooks import playbook_entry_save
from lendpilot.testing import published_playbook_entry

BASE = "/api/v1/sales/playbook"


def post(client, url, payload):
    return client.post(url, payload, content_type="application/json")


def fields_of(response) -> set[str]:
    return {error["loc"][-1] for error in response.json()["detail"]}


def test_a_script_cannot_be_published_through_the_api_without_a_cleared_review(world, client):
    client.force_login(world.user("director"))
    script = {"kind": "script", "node": "screening", "title": "开场白", "body": "您好，年化利率（单利）4.35%起。"}
    refused = post(client, BASE, {**script, "publish": True})
    assert refused.status_code == 422 and fields_of(refused) == {"publish"}
    assert "合规审查" in refused.json()["detail"][0]["msg"]  # the reason, in the site's language
    assert not PlaybookEntry.objects.exists()

    draft = post(client, BASE, script)
    assert draft.status_code == 201 and draft.json()["is_active"] is False
    entry_id = draft.json()["id"]
    assert client.get(BASE, {"search": "开场白"}).json()["count"] == 0  # managers do not see drafts
    refused = post(client, f"{BASE}/{entry_id}/publish", {})
    assert refused.status_code == 422 and fields_of(refused) == {"publish"}

    review = post(client, f"{BASE}/{entry_id}/review", {})
    assert review.status_code == 201 and review.json()["subject_ref"] == f"sales.playbook:{entry_id}"
    assert post(client, f"/api/v1/compliance/checkpoints/{review.json()['id']}/decision",
                {"approve": True, "checked": ["no_forbidden_promise", "apr_disclosed", "consent"]}).status_code == 403
    assert post(client, f"{BASE}/{entry_id}/publish", {}).status_code == 422

    client.force_login(world.user("compliance"))
    decided = post(client, f"/api/v1/compliance/checkpoints/{review.json()['id']}/decision",
                   {"approve": True, "checked": ["no_forbidden_promise", "apr_disclosed", "consent"]})
    assert decided.status_code == 200, decided.content
    client.force_login(world.user("director"))
    published = post(client, f"{BASE}/{entry_id}/publish", {})
    assert published.status_code == 200 and published.json()["is_active"] is True
    assert client.get(BASE, {"search": "开场白"}).json()["count"] == 1
    assert AuditEvent.objects.filter(event_code="sales.playbook_published", object_id=str(entry_id)).exists()

    # a changed text is a draft again until it is approved
    entry = playbook_entry_save(actor=world.user("director"), entry=PlaybookEntry.objects.get(pk=entry_id),
                                kind="script", node="screening", title="开场白", body="您好，我们秒批。")
    assert entry.is_active is False
    assert client.get(BASE, {"search": "开场白"}).json()["count"] == 0


def test_the_scanner_flags_an_objection_answer_and_compliance_cannot_approve_it(world, client):
    client.force_login(world.user("director"))
    draft = post(client, BASE, {"kind": "objection", "objection": "rate", "title": "利率高",
                                "body": "我们不看征信，秒批"})
    review = post(client, f"{BASE}/{draft.json()['id']}/review", {})
    assert [f["phrase"] for f in review.json()["findings"]] == ["不看征信", "秒批"]
    client.force_login(world.user("compliance"))
    refused = post(client, f"/api/v1/compliance/checkpoints/{review.json()['id']}/decision",
                   {"approve": True, "checked": ["no_forbidden_promise", "truthful"]})
    assert refused.status_code == 422
    assert CheckpointReview.objects.get(pk=review.json()["id"]).status == "pending"


def test_only_playbook_managers_submit_or_publish(world, client):
    entry = published_playbook_entry(world, kind="script", node=Node.SCREENING, title="开场白", body="您好")
    client.force_login(world.user("am_wang"))
    assert post(client, f"{BASE}/{entry.pk}/review", {}).status_code == 403
    assert post(client, f"{BASE}/{entry.pk}/publish", {"live": False}).status_code == 403
    assert PlaybookEntry.objects.get(pk=entry.pk).is_active
