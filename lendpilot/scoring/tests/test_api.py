"""The pre-screen contract over HTTP: POST /api/v1/prescreen."""

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from lendpilot.compliance.models import AuditEvent
from lendpilot.customers.synthetic import make_id_number
from lendpilot.scoring import services
from lendpilot.scoring.models import PrescreenLog

URL = "/api/v1/prescreen"
APPLICANT = {"product_code": "CREDIT-01", "amount": "200000", "term_months": 36, "age": 40,
             "monthly_income": "30000", "monthly_debt_payments": "1500", "employment_years": 12,
             "bureau_inquiries_6m": 0, "bureau_overdue_24m": 0, "industry": "I", "region": "EAST"}


def client_for(world, key):
    client = Client()
    client.force_login(world.user(key))
    return client


def post(client, body):
    return client.post(URL, body, content_type="application/json")


def test_prescreen_contract(world, active_version):
    policy = services.policy_version_publish(actor=world.user("risk_l1"), rules={})
    response = post(client_for(world, "am_wang"), APPLICANT)
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"prescreen_id", "scorecard_version", "policy_version", "score", "pd", "grade", "decision",
                         "declines", "requested_amount", "approvable_amount", "amount_caps", "approval_probability",
                         "reasons", "priced_rate", "industry_premium_bps"}
    assert body["scorecard_version"] == {"id": active_version.pk, "family": "credit", "number": 1}
    assert body["policy_version"] == policy.number
    assert body["grade"] in "AB" and body["decision"] == "pass" and body["declines"] == []
    assert 0.5 < body["approval_probability"] <= 1
    assert Decimal(body["approvable_amount"]) == min(Decimal(v) for v in body["amount_caps"].values())
    assert set(body["amount_caps"]) == {"product_max", "repayment_capacity", "grade"}
    assert len(body["reasons"]) <= 3
    for reason in body["reasons"]:
        assert reason["text_zh"] and reason["text_en"] and reason["shortfall"] > 0
    log = PrescreenLog.objects.get(pk=body["prescreen_id"])
    assert log.scorecard_version == active_version and log.policy_version == policy
    assert log.actor == world.user("am_wang") and log.grade == body["grade"]
    # The day's log goes into the audit chain as one digest; changing a logged decision changes it.
    day = timezone.localdate(log.created_at)
    sealed = services.prescreen_log_seal(actor=world.user("risk_l1"), day=day)
    assert sealed.after["rows"] == 1 and sealed.after["first_id"] == log.pk
    assert AuditEvent.objects.filter(event_code="scoring.prescreen_log_sealed").count() == 1
    PrescreenLog.objects.filter(pk=log.pk).update(approvable_amount=Decimal("9999999"))
    assert services.prescreen_log_digest(day)[1] != sealed.after["sha256"]


def test_risky_applicant_gets_reasons_and_declines(world, active_version):
    body = post(client_for(world, "am_wang"), {
        **APPLICANT, "age": 23, "monthly_income": "5000", "monthly_debt_payments": "3500", "employment_years": 0.5,
        "bureau_inquiries_6m": 14, "bureau_overdue_24m": 3, "industry": "K", "bureau_flags": ["current_overdue"],
    }).json()
    assert body["grade"] in "DE"
    assert {d["code"] for d in body["declines"]} == {"max_dti", "bureau.inquiries", "bureau.current_overdue"}
    assert body["decision"] == "decline" and body["approvable_amount"] == "0.00"
    assert body["approval_probability"] == 0
    assert [r["code"] for r in body["reasons"]][0] == "debt_to_income"
    assert "负债收入比偏高" in [r["text_zh"] for r in body["reasons"]]


def test_prescreen_by_customer_is_scoped_and_blacklisted(world, active_version):
    customer = world.customers["am_wang_person"]
    body = {**APPLICANT, "customer_id": customer.pk}
    for key in ("age", "industry", "region"):
        body.pop(key)
    ok = post(client_for(world, "am_wang"), body)
    assert ok.status_code == 200, ok.content
    assert PrescreenLog.objects.get(pk=ok.json()["prescreen_id"]).customer == customer
    assert post(client_for(world, "am_chen"), body).status_code == 404  # another team's customer
    assert post(client_for(world, "am_wang"), {**body, "customer_id": 999999}).status_code == 404
    # The customer's phone on an imported industry list -> declined, matched by keyed hash.
    from lendpilot.customers.services import customer_reveal_pii

    phone = customer_reveal_pii(actor=world.user("director"), customer=customer, field="phone",
                                purpose="identity_check")
    services.blacklist_import(actor=world.user("risk_l1"), list_name="行业共享名单",
                              rows=[{"kind": "phone", "value": phone, "reason": "fraud ring"}])
    declined = post(client_for(world, "am_wang"), body).json()
    assert declined["decision"] == "decline"
    assert [d["code"] for d in declined["declines"]] == ["blacklist.phone"]


def test_applicant_id_number_on_internal_blacklist(world, active_version):
    id_number = make_id_number(world.rng)
    services.blacklist_add(actor=world.user("risk_l1"), kind="id_number", value=id_number, reason="fraud")
    body = post(client_for(world, "am_wang"), {**APPLICANT, "id_number": id_number}).json()
    assert "blacklist.id_number" in [d["code"] for d in body["declines"]]


@pytest.mark.parametrize("change, fields", [
    ({"amount": None}, {"amount"}),
    ({"term_months": "twelve"}, {"term_months"}),
    ({"monthly_income": "lots"}, {"monthly_income"}),
    ({"bureau_inquiries_6m": 1.5}, {"bureau_inquiries_6m"}),
])
def test_ill_typed_fields_are_named(world, active_version, change, fields):
    body = {**APPLICANT, **change}
    body = {k: v for k, v in body.items() if v is not None}
    response = post(client_for(world, "am_wang"), body)
    assert response.status_code == 422
    named = {d["loc"][-1] for d in response.json()["detail"]}
    assert fields <= named
    assert not PrescreenLog.objects.exists()


@pytest.mark.parametrize("change, field", [
    ({"monthly_income": "-5000"}, "monthly_income"),
    ({"monthly_income": None}, "monthly_income"),
    ({"age": None}, "age"),
    ({"industry": "Z"}, "industry"),
    ({"term_months": 120}, "term_months"),
    ({"amount": "-1"}, "amount"),
    ({"phone": "12345"}, "phone"),
    ({"bureau_flags": ["bad_luck"]}, "bureau_flags"),
])
def test_bad_values_get_a_clear_422(world, active_version, change, field):
    body = {k: v for k, v in {**APPLICANT, **change}.items() if v is not None}
    response = post(client_for(world, "am_wang"), body)
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert field in [d["loc"][-1] for d in detail]
    assert not PrescreenLog.objects.exists()


def test_negative_income_message(world, active_version):
    response = client_for(world, "am_wang").post(URL, {**APPLICANT, "monthly_income": "-5000"},
                                                 content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    message = response.json()["detail"][0]["msg"]
    assert "outside every bin" in message


def test_unknown_product_and_no_scorecard(world, active_version):
    assert post(client_for(world, "am_wang"), {**APPLICANT, "product_code": "NOPE"}).status_code == 404
    active_version.status = "retired"
    active_version.save()
    response = post(client_for(world, "am_wang"), APPLICANT)
    assert response.status_code == 409


def test_permissions(world, active_version):
    assert post(client_for(world, "partner"), APPLICANT).status_code == 403
    assert Client().post(URL, APPLICANT, content_type="application/json").status_code == 401
    assert not PrescreenLog.objects.exists()


def test_scoring_endpoints(world, synthetic_result):
    from lendpilot.scoring.tests.conftest import store_version

    version = store_version(synthetic_result, trained_by=world.user("risk_l1"))
    own = client_for(world, "risk_l1").post(f"/api/v1/scoring/versions/{version.pk}/activate")
    assert own.status_code == 403
    other = client_for(world, "risk_l2").post(f"/api/v1/scoring/versions/{version.pk}/activate")
    assert other.status_code == 200 and other.json()["status"] == "active"
    listed = client_for(world, "director").get("/api/v1/scoring/versions").json()
    assert listed[0]["activated_by"] == "risk_l2"
    published = client_for(world, "risk_l1").post("/api/v1/scoring/policy", {"rules": {"max_dti": 0.4}},
                                                  content_type="application/json")
    assert published.status_code == 201 and published.json()["rules"]["max_dti"] == 0.4
    bad = client_for(world, "risk_l1").post("/api/v1/scoring/policy", {"rules": {"age": {"min": "x"}}},
                                            content_type="application/json")
    assert bad.status_code == 422


def test_unknown_customer_is_404_and_out_of_range_fields_are_named(world, active_version):
    am = client_for(world, "am_wang")
    assert post(am, {**APPLICANT, "customer_id": 10**9}).status_code == 404
    assert post(am, {**APPLICANT, "product_id": 10**9, "product_code": None}).status_code == 404
    response = post(am, {**APPLICANT, "bureau_overdue_24m": -1, "term_months": 0, "industry": "C\x00"})
    assert response.status_code == 422
    assert {"bureau_overdue_24m", "term_months", "industry"} <= {d["loc"][-1] for d in response.json()["detail"]}
    assert not PrescreenLog.objects.exists()


def test_documented_answers_of_the_scoring_operations():
    from lendpilot.api import api

    paths = api.get_openapi_schema(path_prefix="/api/v1/")["paths"]
    prescreen = {str(code) for code in paths["/api/v1/prescreen"]["post"]["responses"]}
    assert {"200", "401", "403", "404", "409", "422"} <= prescreen
    for path, methods in paths.items():
        if path.startswith("/api/v1/scoring"):
            for operation in methods.values():
                assert {"403", "404", "422"} <= {str(code) for code in operation["responses"]}, path


def test_industry_changes_endpoint(world):
    services.policy_version_publish(actor=world.user("risk_l1"), rules={})
    url = "/api/v1/scoring/policy/industry-changes"
    body = {"source": "risk committee 2026-11", "changes": [{"industry": "E", "admission": "tighten",
                                                              "premium_bps": 90}]}
    assert client_for(world, "am_wang").post(url, body, content_type="application/json").status_code == 403
    response = client_for(world, "risk_l2").post(url, body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["rules"]["excluded_industries"] == ["E"]
    assert response.json()["rules"]["industry_premium_bps"] == {"E": 90}
    bad = client_for(world, "risk_l2").post(url, {"changes": [{"industry": "E", "admission": "widen"}]},
                                            content_type="application/json")
    assert bad.status_code == 422 and "changes.0.admission" in [d["loc"][-1] for d in bad.json()["detail"]]
