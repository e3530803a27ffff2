"""The organisation API: scope matrix of GET /org/staff, the caller's profile, skills matrix, API
tokens (bearer auth, revocation, the management command) and CSRF on session writes."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from lendpilot.compliance.models import AuditEvent
from lendpilot.org.models import ApiToken, IndustryExpertise
from lendpilot.org.services import api_token_issue

ALL_STAFF = {
    "director", "east_head", "south_head", "east_a_lead", "am_wang", "am_zhao", "am_sun", "am_chen",
    "risk_l1", "risk_l2", "risk_l3", "compliance", "operations", "partner",
}
EAST = {"east_head", "east_a_lead", "am_wang", "am_zhao", "am_sun"}

STAFF_SCOPE = {
    "director": ALL_STAFF,
    "risk_l1": ALL_STAFF,
    "compliance": ALL_STAFF,
    "operations": ALL_STAFF,
    "east_head": EAST,
    "south_head": {"south_head", "am_chen"},
    "east_a_lead": {"east_a_lead", "am_wang", "am_zhao"},
    "am_wang": {"am_wang"},
    "am_chen": {"am_chen"},
}


def login(client: Client, world, key: str) -> Client:
    client.force_login(world.user(key))
    return client


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def staff_keys(world, items) -> set[str]:
    by_pk = {staff.pk: key for key, staff in world.staff.items()}
    return {by_pk[item["id"]] for item in items}


@pytest.mark.parametrize("key", sorted(STAFF_SCOPE))
def test_staff_list_shows_exactly_the_scope(world, client, key):
    response = login(client, world, key).get("/api/v1/org/staff", {"limit": 500})
    assert response.status_code == 200
    body = response.json()
    assert staff_keys(world, body["items"]) == STAFF_SCOPE[key]
    assert body["count"] == len(STAFF_SCOPE[key])


@pytest.mark.parametrize("key", sorted(STAFF_SCOPE))
def test_staff_outside_scope_is_404(world, client, key):
    login(client, world, key)
    for other in ALL_STAFF:
        response = client.get(f"/api/v1/org/staff/{world.staff[other].pk}")
        assert response.status_code == (200 if other in STAFF_SCOPE[key] else 404), other


def test_channel_partner_may_not_list_staff(world, client):
    login(client, world, "partner")
    assert client.get("/api/v1/org/staff").status_code == 403
    assert client.get(f"/api/v1/org/staff/{world.staff['partner'].pk}").status_code == 403
    assert client.get("/api/v1/org/teams").status_code == 403


def test_staff_filters_and_pagination(world, client):
    login(client, world, "director")
    body = client.get("/api/v1/org/staff", {"role": "account_manager"}).json()
    assert staff_keys(world, body["items"]) == {"am_wang", "am_zhao", "am_sun", "am_chen"}
    body = client.get("/api/v1/org/staff", {"team_id": world.teams["east-a"].pk}).json()
    assert staff_keys(world, body["items"]) == {"east_a_lead", "am_wang", "am_zhao"}
    body = client.get("/api/v1/org/staff", {"region_id": world.regions["south"].pk}).json()
    assert staff_keys(world, body["items"]) == {"south_head", "am_chen"}
    body = client.get("/api/v1/org/staff", {"search": "王芳"}).json()
    assert staff_keys(world, body["items"]) == {"am_wang"}
    page = client.get("/api/v1/org/staff", {"limit": 5, "offset": 10}).json()
    assert page["count"] == len(ALL_STAFF)
    assert len(page["items"]) == 4
    assert client.get("/api/v1/org/staff", {"role": "king"}).status_code == 422
    assert client.get("/api/v1/org/staff", {"limit": 0}).status_code == 422
    assert client.get("/api/v1/org/staff", {"offset": 10**20}).status_code == 422


@pytest.mark.parametrize("bad_id", [10**20, 2**63, -1, 0, "abc"])
def test_bad_path_ids_are_422(world, client, bad_id):
    login(client, world, "director")
    assert client.get(f"/api/v1/org/staff/{bad_id}").status_code in (404, 422)
    assert client.delete(f"/api/v1/org/tokens/{bad_id}").status_code in (404, 422)


def test_unknown_staff_is_404(world, client):
    login(client, world, "director")
    assert client.get("/api/v1/org/staff/999999").status_code == 404
    assert client.get(f"/api/v1/org/staff/{2**62}").status_code == 404


def test_regions_and_teams(world, client):
    login(client, world, "east_a_lead")
    regions = client.get("/api/v1/org/regions").json()
    assert [r["code"] for r in regions] == ["EAST", "SOUTH"]
    teams = client.get("/api/v1/org/teams").json()
    assert [t["code"] for t in teams] == ["T-EA"]
    assert teams[0]["member_count"] == 3
    login(client, world, "east_head")
    assert {t["code"] for t in client.get("/api/v1/org/teams").json()} == {"T-EA", "T-EB"}


def test_me_describes_the_caller(world, client):
    body = login(client, world, "am_wang").get("/api/v1/org/me").json()
    assert body["username"] == "am_wang"
    assert body["role"] == "account_manager"
    assert body["scope"] == "own"
    assert "customers.view" in body["permissions"]
    assert "customers.reassign" not in body["permissions"]
    assert body["staff"]["id"] == world.staff["am_wang"].pk


def test_anonymous_is_401(world, client):
    assert client.get("/api/v1/org/me").status_code == 401
    assert client.get("/api/v1/customers").status_code == 401
    assert client.post("/api/v1/org/tokens", {"name": "x"}, content_type="application/json").status_code == 401
    assert client.get("/api/v1/org/me", **bearer("lp_not-a-real-token")).status_code == 401


# --- skills matrix ----------------------------------------------------------------------------

def skills_url(world, key="am_wang") -> str:
    return f"/api/v1/org/staff/{world.staff[key].pk}/skills"


def test_director_sets_the_skills_matrix(world, client):
    login(client, world, "director")
    payload = {"industries": {"C": 4, "F": 2}, "product_categories": {"credit": 5},
               "existing_customer_conversion_rate": "0.3500"}
    response = client.post(skills_url(world), payload, content_type="application/json")
    assert response.status_code == 200, response.content
    skills = response.json()["skills"]
    assert skills["industries"] == {"C": 4, "F": 2}
    assert skills["product_categories"] == {"credit": 5}
    assert skills["existing_customer_conversion_rate"] == "0.3500"
    assert client.get(f"/api/v1/org/staff/{world.staff['am_wang'].pk}").json()["skills"] == skills


@pytest.mark.parametrize("payload, field", [
    ({"industries": {"Z": 3}, "existing_customer_conversion_rate": "0.1"}, "industries"),
    ({"industries": {"C": 6}, "existing_customer_conversion_rate": "0.1"}, "C"),
    ({"product_categories": {"credit": 0}, "existing_customer_conversion_rate": "0.1"}, "credit"),
    ({"product_categories": {"yacht": 2}, "existing_customer_conversion_rate": "0.1"}, "product_categories"),
    ({"industries": {"C": 3}, "existing_customer_conversion_rate": "1.5"}, "existing_customer_conversion_rate"),
    ({"industries": {"C": 3}}, "existing_customer_conversion_rate"),
])
def test_bad_skills_are_422_naming_the_field_and_change_nothing(world, client, payload, field):
    login(client, world, "director")
    audit_before = AuditEvent.objects.count()
    response = client.post(skills_url(world), payload, content_type="application/json")
    assert response.status_code == 422
    assert any(field in error["loc"] for error in response.json()["detail"]), response.json()
    assert IndustryExpertise.objects.count() == 0
    assert AuditEvent.objects.count() == audit_before


def test_skills_need_the_org_permission(world, client):
    login(client, world, "east_a_lead")
    audit_before = AuditEvent.objects.count()
    payload = {"industries": {"C": 3}, "existing_customer_conversion_rate": "0.2"}
    assert client.post(skills_url(world), payload, content_type="application/json").status_code == 403
    # Outside the lead's scope the person does not exist for the lead.
    assert client.post(skills_url(world, "am_chen"), payload, content_type="application/json").status_code == 404
    assert IndustryExpertise.objects.count() == 0
    assert AuditEvent.objects.count() == audit_before


# --- API tokens --------------------------------------------------------------------------------

def test_token_issue_use_and_revoke(world, client):
    login(client, world, "am_wang")
    response = client.post("/api/v1/org/tokens", {"name": "crm sync"}, content_type="application/json")
    assert response.status_code == 201
    issued = response.json()
    secret = issued["secret"]
    assert secret.startswith("lp_")
    token = ApiToken.objects.get(pk=issued["id"])
    assert token.user == world.user("am_wang")
    assert secret not in (token.key_hash, token.prefix)

    other = Client()
    me = other.get("/api/v1/org/me", **bearer(secret))
    assert me.status_code == 200
    assert me.json()["username"] == "am_wang"
    # Bearer requests need no CSRF token, and see the token holder's scope.
    customers = other.get("/api/v1/customers", **bearer(secret)).json()
    assert {c["id"] for c in customers["items"]} == {c.pk for c in world.customers_of("am_wang")}

    revoked = other.delete(f"/api/v1/org/tokens/{issued['id']}", **bearer(secret))
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert other.get("/api/v1/org/me", **bearer(secret)).status_code == 401
    assert other.post("/api/v1/org/tokens", {"name": "again"}, content_type="application/json",
                      **bearer(secret)).status_code == 401


def test_token_of_someone_else_is_404_unless_allowed(world, client):
    token, _secret = api_token_issue(actor=None, user=world.user("am_chen"), name="feed")
    login(client, world, "am_wang")
    assert client.delete(f"/api/v1/org/tokens/{token.pk}").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    login(client, world, "director")
    assert client.delete(f"/api/v1/org/tokens/{token.pk}").status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_token_needs_a_name(world, client):
    login(client, world, "am_wang")
    audit_before = AuditEvent.objects.count()
    for payload in ({"name": ""}, {"name": "   "}, {}, {"name": "x" * 101}):
        response = client.post("/api/v1/org/tokens", payload, content_type="application/json")
        assert response.status_code == 422, payload
        assert any("name" in error["loc"] for error in response.json()["detail"])
    assert ApiToken.objects.count() == 0
    assert AuditEvent.objects.count() == audit_before


def test_issue_api_token_command(world):
    out = StringIO()
    call_command("issue_api_token", "partner", "--name", "lead feed", stdout=out)
    secret = out.getvalue().strip().splitlines()[-1]
    assert secret.startswith("lp_")
    token = ApiToken.objects.get(user=world.user("partner"))
    assert token.name == "lead feed"
    response = Client().get("/api/v1/org/me", **bearer(secret))
    assert response.json()["role"] == "channel_partner"
    assert Client().get("/api/v1/customers", **bearer(secret)).status_code == 403


def test_issue_api_token_command_rejects_unknown_user(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("issue_api_token", "nobody", "--name", "x", stdout=StringIO())
    assert ApiToken.objects.count() == 0


# --- CSRF ---------------------------------------------------------------------------------------

def test_session_post_without_csrf_is_refused(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.user("am_wang"))
    audit_before = AuditEvent.objects.count()
    response = browser.post("/api/v1/org/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert ApiToken.objects.count() == 0
    assert AuditEvent.objects.count() == audit_before
    # Reads need no token.
    assert browser.get("/api/v1/org/me").status_code == 200
    # With the token from the CSRF cookie, the same request goes through.
    browser.get("/login/")
    csrf = browser.cookies["csrftoken"].value
    response = browser.post("/api/v1/org/tokens", {"name": "x"}, content_type="application/json",
                            HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 201
