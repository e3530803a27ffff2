"""Lending pages: a case from the form through three approvers to disbursement, queues with SLA colours."""


from django.test import Client
from django.urls import reverse

from lendpilot.lending.models import Application, Loan
from lendpilot.lending.tests.conftest import submitted


def login(world, key) -> Client:
    client = Client()
    client.force_login(world.user(key))
    return client


def test_case_through_pages(lending_world):
    w = lending_world
    am = login(w, "am_wang")
    assert am.get(reverse("lending:application_new")).status_code == 200
    form = {"applicant": w.customers["am_wang_person"].pk, "product": w.products["credit"].pk, "amount": "200000",
            "term_months": "12", "repayment_method": "equal_principal", "annual_rate": "0.09", "fee_amount": "0",
            "purpose": "装修", "risk_grade": "D", "monthly_income": "40000", "monthly_debt_payments": "0"}
    bad = am.post(reverse("lending:application_new"), {**form, "amount": "99999999"})
    assert bad.status_code == 200 and "invalid-feedback" in bad.content.decode()
    response = am.post(reverse("lending:application_new"), form)
    app = Application.objects.get()
    assert response.status_code == 302 and response.url == reverse("lending:application", args=[app.pk])
    for code in ("id_card", "income_proof"):
        am.post(reverse("lending:checklist_mark", args=[app.pk, code]), {"evidence": "原件已核"})
    am.post(reverse("lending:submit", args=[app.pk]))
    app.refresh_from_db()
    assert app.status == "in_review" and app.route == [1, 2, 3]
    for step, key in enumerate(("risk_l1", "risk_l2", "risk_l3")):
        officer = login(w, key)
        page = officer.get(reverse("lending:application", args=[app.pk])).content.decode()
        assert 'id="decision-form"' in page
        officer.post(reverse("lending:decide", args=[app.pk]), {"outcome": "approve", "reason": "同意",
                                                                "expected_step": step})
    app.refresh_from_db()
    assert app.status == "approved"
    page = login(w, "am_wang").get(reverse("lending:application", args=[app.pk])).content.decode()
    assert page.count("同意") >= 3  # the decision history
    ops = login(w, "operations")
    for name in ("contract", "sign", "disburse"):
        ops.post(reverse(f"lending:{name}", args=[app.pk]))
    loan = Loan.objects.get()
    page = am.get(reverse("lending:loan", args=[loan.pk])).content.decode()
    assert 'id="schedule-table"' in page and page.count("<tr class=") >= 12
    assert login(w, "am_chen").get(reverse("lending:loan", args=[loan.pk])).status_code == 404


def test_queue_colours_and_stale_decision_message(lending_world):
    w = lending_world
    app = submitted(w)  # decision due 2025-06-04, long past
    page = login(w, "risk_l1").get(reverse("lending:queue", args=[1])).content.decode()
    assert 'data-sla="red"' in page and app.number in page
    officer = login(w, "risk_l1")
    response = officer.post(reverse("lending:decide", args=[app.pk]),
                            {"outcome": "approve", "expected_step": 5}, follow=True)
    assert response.status_code == 200
    app.refresh_from_db()
    assert app.step == 0 and not app.decisions.exists()
