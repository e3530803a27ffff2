"""Screening through the API: a list imported, subjects screened, a hit decided by two officers; the
maker-checker cannot be skipped through the API."""

from lendpilot.compliance.screening.models import ScreeningHit
from lendpilot.conftest import PASSWORD
from lendpilot.org.roles import Role
from lendpilot.org.services import staff_create


def test_screening_through_the_api(client, world):
    client.force_login(world.user("compliance"))
    response = client.post("/api/v1/compliance/screening/lists", {
        "name": "UN", "version": "1", "entries": [{"name": "ZHANG Wei", "aliases": ["张伟"]}]},
        content_type="application/json")
    assert response.status_code == 201, response.content
    response = client.post("/api/v1/compliance/screening/runs", {
        "subjects": [{"reference": "customers.customer:5", "name": "張偉"}]}, content_type="application/json")
    assert response.status_code == 201 and response.json()["hits"] == 1
    hit = ScreeningHit.objects.get()
    url = f"/api/v1/compliance/screening/hits/{hit.pk}"
    assert client.post(f"{url}/decision", {"approve": True}, content_type="application/json").status_code == 422
    assert client.post(f"{url}/proposal", {"decision": "confirmed", "note": "same"},
                       content_type="application/json").status_code == 200
    assert client.post(f"{url}/decision", {"approve": True}, content_type="application/json").status_code == 422
    staff_create(actor=None, username="compliance2", password=PASSWORD, name="复核", employee_no="E9003",
                 role=Role.COMPLIANCE_OFFICER)
    client.login(username="compliance2", password=PASSWORD)
    assert client.post(f"{url}/decision", {"approve": True}, content_type="application/json").status_code == 200
    frozen = client.get("/api/v1/compliance/screening/freezes/customers.customer:5").json()
    assert frozen["frozen"] is True
    client.force_login(world.user("am_wang"))
    assert client.get("/api/v1/compliance/screening/hits").status_code == 403
