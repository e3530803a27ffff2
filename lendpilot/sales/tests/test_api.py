"""The sales API: bad input is a 422 naming the field (never a 500), illegal moves and proposals are
rejected with the reason and write nothing, duplicates are a 409 naming the identifier, reads are scoped."""

import random

import pytest
from django.test import Client

from lendpilot.compliance.checkpoints.models import CheckpointReview
from lendpilot.customers.synthetic import make_id_number, make_mobile
from lendpilot.sales.models import Lead, Opportunity, Proposal, Transition
from lendpilot.sales.tests.factories import new_lead, skills
from lendpilot.testing import clear_review

pytestmark = pytest.mark.django_db
BASE = "/api/v1/sales"


def login(client: Client, world, key: str) -> Client:
    client.force_login(world.user(key))
    return client


def post(client, url, payload):
    return client.post(url, payload, content_type="application/json")


def named(response, field: str) -> bool:
    detail = response.json()["detail"]
    return isinstance(detail, list) and any(error["loc"][-1] == field for error in detail)


def lead_payload(world, **overrides):
    rng = random.Random(5)
    payload = {"kind": "person", "name": "线索甲", "source": "referral", "industry": "C",
               "region_id": world.regions["east"].pk, "id_number": make_id_number(rng), "phone": make_mobile(rng),
               "product_id": world.products["credit"].pk, "amount_wanted": "150000"}
    payload.update(overrides)
    return payload


def test_lead_intake_dedup_and_scope(world, client):
    login(client, world, "east_a_lead")
    response = post(client, f"{BASE}/leads", lead_payload(world))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "qualified" and "*" in body["phone_masked"]
    again = post(client, f"{BASE}/leads", lead_payload(world))
    assert again.status_code == 201 and again.json()["status"] == "merged"
    assert Lead.objects.filter(status__in=Lead.OPEN_STATUSES).count() == 1
    login(client, world, "south_head")
    assert client.get(f"{BASE}/leads/{body['id']}").status_code == 404
    assert client.get(f"{BASE}/leads").json()["count"] == 0


def test_partner_learns_nothing_of_bank_customers_from_lead_intake(world, client):
    """A partner submitting the identifiers of a blacklisted bank customer already in the funnel gets
    the same answer as for a stranger: 201, status received, no customer, no reasons, no owner."""
    from lendpilot.compliance.crypto import decrypt
    from lendpilot.scoring.services import blacklist_add

    customer = world.customers["am_chen_person"]
    id_number, phone = decrypt(customer.id_number_cipher), decrypt(customer.phone_cipher)
    blacklist_add(actor=world.user("director"), kind="id_number", value=id_number, reason="fraud ring")
    login(client, world, "am_chen")
    assert post(client, f"{BASE}/leads", lead_payload(world, id_number="", phone=phone)).json()["status"] == "qualified"
    login(client, world, "partner")
    answers = [post(client, f"{BASE}/leads", lead_payload(world, id_number=id_number, phone=phone)),
               post(client, f"{BASE}/leads", lead_payload(world, id_number="", phone=phone)),
               post(client, f"{BASE}/leads", lead_payload(world, id_number=id_number, phone=""))]
    stranger = post(client, f"{BASE}/leads", lead_payload(world))
    assert [a.status_code for a in answers + [stranger]] == [201] * 4
    for answer in answers + [stranger]:
        body = answer.json()
        assert body["status"] == "received" and body["customer_id"] is None
        assert body["disqualification_reasons"] == [] and body["owner_id"] is None
        assert set(body) == set(stranger.json())
    mine = Lead.objects.filter(created_by=world.staff["partner"])
    assert mine.filter(status=Lead.Status.MERGED).count() == 2
    assert "blacklisted" in mine.get(phone_hash="").disqualification_reasons
    listed = client.get(f"{BASE}/leads", {"status": "disqualified"}).json()
    assert listed["count"] == 4 and {row["status"] for row in listed["items"]} == {"received"}
    assert "blacklisted" not in client.get(f"{BASE}/leads").content.decode()
    page = client.get("/sales/leads/").content.decode()
    assert "360" not in page and "黑名单" not in page and "blacklist" not in page.lower()


def test_lead_answer_names_a_customer_only_inside_the_readers_scope(world, client):
    from lendpilot.compliance.crypto import decrypt

    customer = world.customers["am_chen_person"]
    payload = lead_payload(world, id_number=decrypt(customer.id_number_cipher), phone="")
    login(client, world, "am_wang")
    assert post(client, f"{BASE}/leads", payload).json()["customer_id"] is None
    login(client, world, "director")
    lead = Lead.objects.get(created_by=world.staff["am_wang"])
    assert client.get(f"{BASE}/leads/{lead.pk}").json()["customer_id"] == customer.pk


@pytest.mark.parametrize(("field", "value"), [
    ("kind", "robot"), ("source", "tv"), ("industry", "ZZ"), ("region_id", 0), ("region_id", 2**63),
    ("region_id", 999999), ("id_number", "123456"), ("phone", "12"), ("amount_wanted", "-5"),
    ("amount_wanted", "1.234"), ("name", ""), ("name", "a\x00b"), ("product_id", 999999),
])
def test_lead_bad_input_names_the_field(world, client, field, value):
    login(client, world, "director")
    response = post(client, f"{BASE}/leads", lead_payload(world, **{field: value}))
    assert response.status_code == 422, response.content
    assert named(response, field)
    assert Lead.objects.count() == 0


def test_opportunity_moves_and_proposals(world, client):
    login(client, world, "am_wang")
    customer = world.customers["am_wang_person"]
    response = post(client, f"{BASE}/opportunities", {"customer_id": customer.pk, "amount": "200000"})
    assert response.status_code == 201, response.content
    opp_id = response.json()["id"]
    move = post(client, f"{BASE}/opportunities/{opp_id}/move", {"node": "signing"})
    assert move.status_code == 422 and named(move, "node")
    assert post(client, f"{BASE}/opportunities/{opp_id}/move", {"node": "teleport"}).status_code == 422
    lost = post(client, f"{BASE}/opportunities/{opp_id}/move", {"node": "lost"})
    assert lost.status_code == 422 and named(lost, "loss_reason")
    ok = post(client, f"{BASE}/opportunities/{opp_id}/move", {"node": "first_contact"})
    assert ok.status_code == 200 and ok.json()["node"] == "first_contact"
    assert len(client.get(f"{BASE}/opportunities/{opp_id}/transitions").json()) == 2
    proposal = {"product_id": world.products["credit"].pk, "amount": "200000", "term_months": 24,
                "repayment_method": "equal_instalment", "annual_rate": "0.0800", "needs": {"用途": "备货"}}
    created = post(client, f"{BASE}/opportunities/{opp_id}/proposals", proposal)
    assert created.status_code == 201, created.content
    assert created.json()["version"] == 1
    for field, value in (("annual_rate", "0.0300"), ("amount", "99999999"), ("term_months", 0),
                         ("repayment_method", "bullet"), ("product_id", 10**9), ("annual_rate", "NaN")):
        bad = post(client, f"{BASE}/opportunities/{opp_id}/proposals", {**proposal, field: value})
        assert bad.status_code == 422 and named(bad, field), (field, bad.content)
    assert Proposal.objects.count() == 1
    activity = post(client, f"{BASE}/opportunities/{opp_id}/activities",
                    {"kind": "call", "outcome": "positive", "next_step_on": "2099-01-01"})
    assert activity.status_code == 201
    bad = post(client, f"{BASE}/opportunities/{opp_id}/activities", {"kind": "call", "outcome": "meh"})
    assert bad.status_code == 422 and named(bad, "outcome")
    login(client, world, "am_zhao")
    assert post(client, f"{BASE}/opportunities/{opp_id}/move", {"node": "proposal"}).status_code == 404
    assert Transition.objects.filter(opportunity_id=opp_id).count() == 2


def test_assignment_preview_and_apply(world, client):
    skills(world.staff["am_zhao"], industries={"C": 5}, products={"credit": 5}, conversion="0.4")
    leads = [new_lead(world) for _ in range(3)]
    ids = [lead.pk for lead in leads]
    login(client, world, "am_wang")
    assert post(client, f"{BASE}/assignment/preview", {"lead_ids": ids}).status_code == 403
    login(client, world, "east_a_lead")
    preview = post(client, f"{BASE}/assignment/preview", {"lead_ids": ids})
    assert preview.status_code == 200, preview.content
    rows = preview.json()["rows"]
    assert {r["manager_id"] for r in rows} == {world.staff["am_zhao"].pk} and all(r["reason"] for r in rows)
    out_of_scope = post(client, f"{BASE}/assignment/apply",
                        {"lead_ids": ids, "overrides": {str(ids[0]): world.staff["am_chen"].pk}})
    assert out_of_scope.status_code == 422 and named(out_of_scope, "manager_ids")
    assert Opportunity.objects.count() == 0
    assert post(client, f"{BASE}/assignment/preview", {"lead_ids": []}).status_code == 422
    assert post(client, f"{BASE}/assignment/preview", {"lead_ids": [10**12]}).status_code == 422
    applied = post(client, f"{BASE}/assignment/apply", {"lead_ids": ids})
    assert applied.status_code == 201 and len(applied.json()) == 3
    again = post(client, f"{BASE}/assignment/apply", {"lead_ids": ids})
    assert again.status_code == 422 and named(again, "lead_ids")


def test_playbook_and_funnel(world, client):
    login(client, world, "director")
    entry = post(client, f"{BASE}/playbook", {"kind": "objection", "objection": "rate", "title": "利率高",
                                              "body": "综合成本更低"})
    assert entry.status_code == 201 and entry.json()["is_active"] is False  # a draft until compliance approves
    review = post(client, f"{BASE}/playbook/{entry.json()['id']}/review", {})
    assert review.status_code == 201 and review.json()["findings"] == []
    clear_review(world, CheckpointReview.objects.get(pk=review.json()["id"]))
    assert post(client, f"{BASE}/playbook/{entry.json()['id']}/publish", {}).status_code == 200
    missing = post(client, f"{BASE}/playbook", {"kind": "objection", "title": "x", "body": "y"})
    assert missing.status_code == 422 and named(missing, "objection")
    used = post(client, f"{BASE}/playbook/{entry.json()['id']}/use", {})
    assert used.json() == {"usage_count": 1}
    assert client.get(f"{BASE}/playbook", {"search": "成本"}).json()["count"] == 1
    funnel = client.get(f"{BASE}/funnel").json()
    assert [n["node"] for n in funnel["nodes"]][0] == "screening"
    assert client.get(f"{BASE}/opportunities/0").status_code == 422
    assert client.get(f"{BASE}/opportunities/99999").status_code == 404


def test_resource_packs(world, client):
    login(client, world, "south_head")
    payload = {"name": "制造业包", "team_id": world.teams["east-a"].pk, "rate_floor": "0.0440",
               "customer_ids": [world.customers["am_wang_company"].pk]}
    out_of_scope = post(client, f"{BASE}/resource-packs", payload)
    assert out_of_scope.status_code == 422 and named(out_of_scope, "team_id")
    login(client, world, "east_head")
    assert post(client, f"{BASE}/resource-packs", {**payload, "rate_floor": "0.5"}).status_code == 422
    bad_customer = post(client, f"{BASE}/resource-packs", {**payload, "customer_ids": [10**9]})
    assert bad_customer.status_code == 422 and named(bad_customer, "customer_ids")
    created = post(client, f"{BASE}/resource-packs", payload)
    assert created.status_code == 201, created.content
    assert created.json()["customer_ids"] == [world.customers["am_wang_company"].pk]
    login(client, world, "east_a_lead")
    assert client.get(f"{BASE}/resource-packs").json()["count"] == 1
    login(client, world, "am_chen")
    assert client.get(f"{BASE}/resource-packs").json()["count"] == 0
