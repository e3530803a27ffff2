"""Lending pages: a case from the form through three approvers to disbursement, queues with SLA colours."""


from django.test import Client
from django.urls import reverse

from lendpilot.lending.models import Application, Loan
from lendpilot.lending.tests.conftest import submitted
from lendpilot.scoring.models import PrescreenLog


def login(world, key) -> Client:
    client = Client()
    client.force_login(world.user(key))
    return client


# A thin credit file (many inquiries, overdue records, no work history): the engine grades it C or D,
# which needs initial, secondary and final review.
FORM = {"amount": "200000", "term_months": "12", "repayment_method": "equal_principal", "annual_rate": "0.09",
        "fee_amount": "0", "purpose": "装修", "monthly_income": "40000", "monthly_debt_payments": "15000",
        "employment_years": "0", "bureau_inquiries_6m": "10", "bureau_overdue_24m": "5"}


def application_form(w, **changes):
    return {"applicant": w.customers["am_wang_person"].pk, "product": w.products["credit"].pk, **FORM, **changes}


def test_case_through_pages(scored_world):
    w = scored_world
    am = login(w, "am_wang")
    assert am.get(reverse("lending:application_new")).status_code == 200
    form = application_form(w)
    bad = am.post(reverse("lending:application_new"), {**form, "amount": "99999999"})
    assert bad.status_code == 200 and "invalid-feedback" in bad.content.decode()
    response = am.post(reverse("lending:application_new"), form)
    app = Application.objects.get()
    assert response.status_code == 302 and response.url == reverse("lending:application", args=[app.pk])
    # The grade is the engine's, stored with the score and the versions that made it.
    log = PrescreenLog.objects.get(pk=app.prescreen_id)
    assert app.risk_grade == log.grade and app.risk_grade in "CD"
    assert app.score == log.score and app.scorecard_version_id == log.scorecard_version_id
    assert app.policy_version_id == log.policy_version_id
    assert 'id="application-prescreen"' in am.get(reverse("lending:application", args=[app.pk])).content.decode()
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
    for name in ("contract", "sign"):
        ops.post(reverse(f"lending:{name}", args=[app.pk]))
    assert 'id="payout-summary"' in ops.get(reverse("lending:disburse", args=[app.pk])).content.decode()
    ops.post(reverse("lending:disburse", args=[app.pk]), {"confirm": "on"})
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


def test_hard_rule_decline_blocks_the_application(scored_world):
    w = scored_world
    am = login(w, "am_wang")
    response = am.post(reverse("lending:application_new"), application_form(w, bureau_flags=["fraud"]))
    page = response.content.decode()
    assert response.status_code == 200 and 'id="application-blocked"' in page
    assert "征信显示欺诈记录" in page  # the decline reason in the page language
    assert not Application.objects.exists() and not PrescreenLog.objects.exists()


def test_application_page_needs_an_active_scorecard(lending_world):
    from lendpilot.scoring.models import ScorecardVersion

    ScorecardVersion.objects.filter(status="active").update(status="retired")
    am = login(lending_world, "am_wang")
    response = am.post(reverse("lending:application_new"), application_form(lending_world))
    assert response.status_code == 200 and 'id="application-blocked"' in response.content.decode()
    assert not Application.objects.exists()


def test_live_prescreen_panel(scored_world):
    w = scored_world
    am = login(w, "am_wang")
    url = reverse("lending:application_prescreen")
    partial = am.post(url, {"applicant": w.customers["am_wang_person"].pk}).content.decode()
    assert 'id="prescreen-missing"' in partial
    partial = am.post(url, application_form(w)).content.decode()
    assert 'id="prescreen-result"' in partial and 'id="prescreen-reasons"' in partial
    log = PrescreenLog.objects.get()
    assert f'data-grade="{log.grade}"' in partial and log.customer == w.customers["am_wang_person"]
    declined = am.post(url, application_form(w, bureau_flags=["fraud"])).content.decode()
    assert 'id="prescreen-declines"' in declined and 'data-decision="decline"' in declined
    wrong = am.post(url, application_form(w, employment_years="-3")).content.decode()
    assert 'id="prescreen-errors"' in wrong
    assert am.get(url).status_code == 405
    assert login(w, "risk_l1").post(url, application_form(w)).status_code == 403


def test_the_engine_grade_cannot_be_typed_over(scored_world):
    from django.core.exceptions import ValidationError

    from lendpilot.lending import services

    w = scored_world
    login(w, "am_wang").post(reverse("lending:application_new"), application_form(w))
    app = Application.objects.get()
    try:
        services.application_update(actor=w.user("am_wang"), application=app, risk_grade="A")
    except ValidationError as error:
        assert "risk_grade" in error.message_dict
    else:
        raise AssertionError("the pre-screened grade was overwritten")
    app.refresh_from_db()
    assert app.risk_grade == PrescreenLog.objects.get(pk=app.prescreen_id).grade
    services.application_update(actor=w.user("am_wang"), application=app, purpose="门店装修")
