"""The register through the API: a document, a revision, a training, an attestation, the coverage row."""

from lendpilot.compliance.register.models import Attestation


def test_register_through_the_api(client, world):
    client.force_login(world.user("compliance"))
    response = client.post("/api/v1/compliance/register/documents", {
        "title": "个人信息保护合规审计管理办法", "number": "国家网信办令第18号", "issuer": "cac",
        "effective_date": "2025-05-01"}, content_type="application/json")
    assert response.status_code == 201, response.content
    document_id = response.json()["id"]
    response = client.post(f"/api/v1/compliance/register/documents/{document_id}/revisions", {
        "section": "数据安全手册第2章", "owner_id": world.staff["operations"].pk, "due_date": "2026-12-31"},
        content_type="application/json")
    assert response.status_code == 201
    response = client.post(f"/api/v1/compliance/register/documents/{document_id}/trainings", {
        "title": "个人信息保护培训", "deadline": "2026-12-31", "roles": ["operations"]},
        content_type="application/json")
    training_id = response.json()["id"]
    client.force_login(world.user("operations"))
    assert client.post(f"/api/v1/compliance/register/trainings/{training_id}/attest").status_code == 201
    assert Attestation.objects.count() == 1
    client.force_login(world.user("compliance"))
    [row] = client.get("/api/v1/compliance/register").json()
    assert row["attested"] == 1 and row["audience"] == 1 and row["goal_state"] == "met"
