"""The lending API end to end, and bad input: 422 naming the field or row, 409 on conflicts, never 500."""


import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from lendpilot.channels.models import Partner
from lendpilot.core.reference import Industry
from lendpilot.customers.models import Customer
from lendpilot.customers.services import customer_create
from lendpilot.customers.synthetic import make_bank_card, make_id_number, make_mobile
from lendpilot.lending.models import Application, Repayment
from lendpilot.lending.tests.conftest import disbursed_loan

API = "/api/v1/lending"
THIN_FILE = {"employment_years": 0, "bureau_inquiries_6m": 10, "bureau_overdue_24m": 5}


def client_for(world, key) -> Client:
    client = Client()
    client.force_login(world.user(key))
    return client


def _fields(response):
    return {tuple(d["loc"])[-1] for d in response.json()["detail"]}


def _create(world, **overrides):
    body = {"applicant_id": world.customers["am_wang_person"].pk, "product_id": world.products["credit"].pk,
            "amount": "300000", "term_months": 12, "repayment_method": "equal_instalment", "annual_rate": "0.08",
            "purpose": "装修", "monthly_income": "50000", "monthly_debt_payments": "1000",
            # A thin credit file: the engine grades it C or D, which takes all three review levels.
            "applicant_facts": THIN_FILE, **overrides}
    return client_for(world, "am_wang").post(f"{API}/applications", body, content_type="application/json")


def test_case_through_three_approvers_to_disbursement(lending_world):
    w = lending_world
    created = _create(w)
    assert created.status_code == 201, created.content
    app_id = created.json()["id"]
    am = client_for(w, "am_wang")
    assert am.post(f"{API}/applications/{app_id}/submit").status_code == 422  # checklist incomplete
    for code in ("id_card", "income_proof"):
        r = am.post(f"{API}/applications/{app_id}/checklist/{code}", {"evidence": "已核验"},
                    content_type="application/json")
        assert r.status_code == 200
    submitted = am.post(f"{API}/applications/{app_id}/submit")
    route = submitted.json()["route"]
    assert submitted.status_code == 200 and route in ([1, 3], [1, 2, 3])
    queue = client_for(w, "risk_l1").get(f"{API}/queues/1").json()
    assert [row["id"] for row in queue] == [app_id] and queue[0]["sla"] in {"green", "amber", "red"}
    assert queue[0]["you_can_act"] and not queue[0]["deciding"] and queue[0]["officers_able"] == 1
    for step, key in enumerate(f"risk_l{level}" for level in route):
        r = client_for(w, key).post(f"{API}/applications/{app_id}/decide",
                                    {"outcome": "approve", "reason": "同意", "expected_step": step},
                                    content_type="application/json")
        assert r.status_code == 200, r.content
    stale = client_for(w, "risk_l3").post(f"{API}/applications/{app_id}/decide",
                                          {"outcome": "approve", "expected_step": len(route) - 1},
                                          content_type="application/json")
    assert stale.status_code == 409
    detail = am.get(f"{API}/applications/{app_id}").json()
    assert detail["status"] == "approved" and len(detail["decisions"]) == len(route)
    ops = client_for(w, "operations")
    contract = ops.post(f"{API}/applications/{app_id}/contract", {}, content_type="application/json")
    assert contract.status_code == 201 and contract.json()["missing_disclosures"] == []
    cid = contract.json()["id"]
    assert ops.post(f"{API}/contracts/{cid}/disburse", {}, content_type="application/json").status_code == 409
    assert ops.post(f"{API}/contracts/{cid}/sign").status_code == 200
    loan = ops.post(f"{API}/contracts/{cid}/disburse", {"disbursed_on": "2025-01-10"},
                    content_type="application/json")
    assert loan.status_code == 201
    loan_detail = am.get(f"{API}/loans/{loan.json()['id']}").json()
    assert len(loan_detail["schedule"]) == 12
    assert client_for(w, "am_chen").get(f"{API}/loans/{loan.json()['id']}").status_code == 404


@pytest.mark.parametrize(("overrides", "field"), [
    ({"amount": "abc"}, "amount"), ({"amount": "-100"}, "amount"), ({"amount": "9999999"}, "amount"),
    ({"annual_rate": "0.5"}, "annual_rate"), ({"risk_grade": "Q"}, "risk_grade"), ({"term_months": 0}, "term_months"),
    ({"repayment_method": "whenever"}, "repayment_method"), ({"applicant_id": 999999}, "applicant_id"),
    ({"monthly_income": "NaN"}, "monthly_income"), ({"purpose": ""}, "purpose"),
    ({"partner_id": 999999}, "partner_id"),
])
def test_bad_application_input_is_422_naming_the_field(lending_world, overrides, field):
    response = _create(lending_world, **overrides)
    assert response.status_code == 422, response.content
    assert field in _fields(response)
    assert not Application.objects.exists()


def test_approver_without_authority_is_422_and_wrong_role_403(lending_world):
    w = lending_world
    app_id = _create(w).json()["id"]
    am = client_for(w, "am_wang")
    for code in ("id_card", "income_proof"):
        am.post(f"{API}/applications/{app_id}/checklist/{code}", {"evidence": "ok"}, content_type="application/json")
    am.post(f"{API}/applications/{app_id}/submit")
    r = client_for(w, "operations").post(f"{API}/applications/{app_id}/decide",
                                         {"outcome": "approve", "expected_step": 0}, content_type="application/json")
    assert r.status_code == 403
    l1 = client_for(w, "risk_l1")
    assert l1.post(f"{API}/applications/{app_id}/decide", {"outcome": "approve", "expected_step": 0},
                   content_type="application/json").status_code == 200
    again = l1.post(f"{API}/applications/{app_id}/decide", {"outcome": "approve", "expected_step": 1},
                    content_type="application/json")
    assert again.status_code == 422 and "approver" in _fields(again)
    bad = client_for(w, "risk_l2").post(f"{API}/applications/{app_id}/decide",
                                        {"outcome": "maybe", "expected_step": 1}, content_type="application/json")
    assert bad.status_code == 422


def test_a_decision_must_name_the_step_it_decides(lending_world):
    """A decision without the step it was made on could land on the next level (a race between approvers)."""
    w = lending_world
    app_id = _create(w).json()["id"]
    am = client_for(w, "am_wang")
    for code in ("id_card", "income_proof"):
        am.post(f"{API}/applications/{app_id}/checklist/{code}", {"evidence": "ok"}, content_type="application/json")
    am.post(f"{API}/applications/{app_id}/submit")
    missing = client_for(w, "risk_l1").post(f"{API}/applications/{app_id}/decide", {"outcome": "approve"},
                                            content_type="application/json")
    assert missing.status_code == 422 and "expected_step" in _fields(missing)
    ahead = client_for(w, "risk_l1").post(f"{API}/applications/{app_id}/decide",
                                          {"outcome": "approve", "expected_step": 1}, content_type="application/json")
    assert ahead.status_code == 409 and ahead.json()["field"] == "expected_step"
    assert not Application.objects.get(pk=app_id).decisions.exists()


@pytest.mark.parametrize("field", ["risk_grade", "score", "route", "scorecard_version_id", "prescreen_id"])
def test_no_client_can_hand_in_what_the_engine_or_the_matrix_decides(scored_world, field):
    """A grade in the request chose the approval route and skipped the engine, its rules and the blacklist."""
    w = scored_world
    created = _create(w, **{field: "A" if field == "risk_grade" else 1})
    assert created.status_code == 422 and field in _fields(created)
    assert not Application.objects.exists()
    app_id = _create(w).json()["id"]
    patched = client_for(w, "am_wang").patch(f"{API}/applications/{app_id}", {field: "A"},
                                             content_type="application/json")
    assert patched.status_code == 422 and field in _fields(patched)
    app = Application.objects.get(pk=app_id)
    assert app.prescreen_id and app.risk_grade == app.prescreen.grade


def test_a_blacklisted_applicant_cannot_be_graded_by_the_client(scored_world):
    from lendpilot.scoring.services import blacklist_import

    w = scored_world
    rng = random.Random(99)
    phone = make_mobile(rng)
    customer = customer_create(actor=None, kind=Customer.Kind.PERSON, name="黑名单客户", id_number=make_id_number(rng),
                               phone=phone, bank_account=make_bank_card(rng), industry=Industry.TRADE,
                               region=w.regions["east"], manager=w.staff["am_wang"])
    blacklist_import(actor=w.user("risk_l1"), list_name="内部黑名单", file_name="bl.csv",
                     rows=[{"kind": "phone", "value": phone, "reason": "欺诈"}])
    graded = _create(w, applicant_id=customer.pk, risk_grade="A")
    assert graded.status_code == 422 and "risk_grade" in _fields(graded)
    screened = _create(w, applicant_id=customer.pk)
    assert screened.status_code == 422 and "prescreen" in _fields(screened)
    assert not Application.objects.exists()


@pytest.mark.parametrize(("path", "body", "field"), [
    ("applications", {"amount": "1" + "0" * 26}, "amount"),
    ("applications", {"monthly_income": "1e26"}, "monthly_income"),
    ("applications", {"fee_amount": "123456789012345678901234567.5"}, "fee_amount"),
    ("applications", {"annual_rate": "1e30"}, "annual_rate"),
    ("applications", {"applicant_facts": {**THIN_FILE, "collateral_value": "1e27"}}, "collateral_value"),
    ("credit-lines", {"limit": "1e26"}, "limit"),
    ("credit-lines", {"annual_rate": "Infinity"}, "annual_rate"),
])
def test_huge_amounts_are_422_naming_the_field(lending_world, path, body, field):
    w = lending_world
    if path == "credit-lines":
        body = {"customer_id": w.customers["am_wang_person"].pk, "product_id": w.products["credit"].pk,
                "limit": "100000", "annual_rate": "0.08", "expires_on": "2030-01-01", **body}
        response = client_for(w, "risk_l1").post(f"{API}/{path}", body, content_type="application/json")
    else:
        response = _create(w, **body)
    assert response.status_code == 422, response.content
    assert field in _fields(response)


def test_every_lending_operation_documents_its_error_answers(lending_world):
    spec = client_for(lending_world, "director").get("/api/v1/openapi.json").json()
    operations = [(path, method, op) for path, item in spec["paths"].items() if path.startswith(API)
                  for method, op in item.items()]
    assert len(operations) >= 25
    undocumented = [(method, path) for path, method, op in operations
                    if not {"403", "404", "409", "422"} <= set(op["responses"])]
    assert undocumented == []


def test_repayments_json_bad_input_and_duplicates(lending_world):
    w = lending_world
    loan = disbursed_loan(w)
    ops = client_for(w, "operations")
    base = {"loan_number": loan.number, "external_ref": "J1", "amount": "1000.00", "value_date": "2025-02-10"}
    for overrides, field in [({"loan_number": "LN-NONE"}, "loan_number"), ({"amount": "-1"}, "amount"),
                             ({"amount": "ten"}, "amount"), ({"value_date": "yesterday"}, "value_date")]:
        r = ops.post(f"{API}/repayments", {**base, **overrides}, content_type="application/json")
        assert r.status_code == 422 and field in _fields(r), (overrides, r.content)
    assert ops.post(f"{API}/repayments", base, content_type="application/json").status_code == 201
    dup = ops.post(f"{API}/repayments", base, content_type="application/json")
    assert dup.status_code == 409 and dup.json()["field"] == "external_ref"
    assert client_for(w, "am_wang").post(f"{API}/repayments", {**base, "external_ref": "J2"},
                                         content_type="application/json").status_code == 403
    assert Repayment.objects.count() == 1


def test_csv_import_reports_rows_and_is_all_or_nothing(lending_world):
    w = lending_world
    loan = disbursed_loan(w)
    ops = client_for(w, "operations")
    bad = ("external_ref,loan_number,amount,value_date\n"
           f"C1,{loan.number},100.00,2025-02-10\nC2,{loan.number},-3,2025-02-10\nC3,LN-X,1.00,2025-02-10\n")
    r = ops.post(f"{API}/repayments/import", {"file": SimpleUploadedFile("r.csv", bad.encode())})
    assert r.status_code == 422
    assert {(d["loc"][2], d["loc"][3]) for d in r.json()["detail"]} == {(3, "amount"), (4, "loan_number")}
    assert not Repayment.objects.exists()
    good = f"external_ref,loan_number,amount,value_date\nC1,{loan.number},100.00,2025-02-10\n"
    r = ops.post(f"{API}/repayments/import", {"file": SimpleUploadedFile("r.csv", good.encode())})
    assert r.status_code == 200 and r.json()["posted"] == 1
    r = ops.post(f"{API}/repayments/import", {"file": SimpleUploadedFile("r.csv", good.encode())})
    assert r.json()["posted"] == 0 and r.json()["already_posted"] == 1
    r = ops.post(f"{API}/repayments/import", {"file": SimpleUploadedFile("r.csv", b"\xff\xfe\x00bad")})
    assert r.status_code == 422


def test_credit_line_api(lending_world):
    w = lending_world
    risk = client_for(w, "risk_l2")
    body = {"customer_id": w.customers["am_wang_person"].pk, "product_id": w.products["credit"].pk,
            "limit": "100000", "annual_rate": "0.09", "expires_on": "2099-01-01"}
    line = risk.post(f"{API}/credit-lines", body, content_type="application/json")
    assert line.status_code == 201
    lid = line.json()["id"]
    ops = client_for(w, "operations")
    draw = {"amount": "60000", "term_months": 12, "repayment_method": "equal_principal", "drawn_on": "2025-01-10"}
    assert ops.post(f"{API}/credit-lines/{lid}/draw", draw, content_type="application/json").status_code == 201
    over = ops.post(f"{API}/credit-lines/{lid}/draw", draw, content_type="application/json")
    assert over.status_code == 409 and over.json()["field"] == "amount"
    frozen = risk.post(f"{API}/credit-lines/{lid}/status", {"status": "frozen", "reason": "预警"},
                       content_type="application/json")
    assert frozen.status_code == 200 and frozen.json()["status"] == "frozen"
    small = {**draw, "amount": "1000"}
    assert ops.post(f"{API}/credit-lines/{lid}/draw", small, content_type="application/json").status_code == 409
    assert risk.post(f"{API}/credit-lines", {**body, "limit": "x"}, content_type="application/json").status_code == 422


def test_openapi_lists_lending(lending_world):
    schema = client_for(lending_world, "director").get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert f"{API}/applications" in schema.json()["paths"]


def test_application_without_a_grade_is_prescreened_by_the_engine(scored_world):
    from lendpilot.scoring.models import PrescreenLog

    created = _create(scored_world,
                      applicant_facts={"employment_years": 6, "bureau_inquiries_6m": 1, "bureau_overdue_24m": 0})
    assert created.status_code == 201, created.content
    app = Application.objects.get(pk=created.json()["id"])
    log = PrescreenLog.objects.get(pk=app.prescreen_id)
    assert (app.risk_grade, app.score, app.scorecard_version_id) == (log.grade, log.score, log.scorecard_version_id)


def test_application_with_a_hard_rule_decline_is_refused_and_not_saved(scored_world):
    before = Application.objects.count()
    facts = {"employment_years": 6, "bureau_inquiries_6m": 1, "bureau_overdue_24m": 0, "bureau_flags": ["fraud"]}
    created = _create(scored_world, applicant_facts=facts)
    assert created.status_code == 422
    assert "prescreen" in _fields(created)
    assert Application.objects.count() == before


def test_a_case_names_its_listed_joint_lending_partner_and_never_one_off_the_list(lending_world):
    w = lending_world
    listed = Partner.objects.filter(status__in=Partner.LISTED).first()
    assert listed is not None  # the test world's partner is on the published list
    created = _create(w, partner_id=listed.pk)
    assert created.status_code == 201, created.content
    assert Application.objects.get(pk=created.json()["id"]).partner == listed
    Partner.objects.filter(pk=listed.pk).update(status=Partner.Status.DELISTED)
    refused = _create(w, partner_id=listed.pk)
    assert refused.status_code == 422 and "partner" in _fields(refused)
    assert Application.objects.count() == 1
