"""Contract and money out (C3): the contract as a Chinese PDF with the APR disclosure, the full schedule and
an embedded CJK font; the signature recorded and audited; the payout confirmed on a page showing amount,
masked account and payee; above the configured amount two operations officers; other roles change nothing."""

import io
from datetime import date

import pytest
from django.test import override_settings
from django.urls import reverse
from pypdf import PdfReader

from lendpilot.compliance.models import AuditEvent
from lendpilot.lending import services
from lendpilot.lending.contract_pdf import rmb_capitals
from lendpilot.lending.models import Contract, Loan
from lendpilot.lending.tests.conftest import approve_all, submitted
from lendpilot.lending.tests.test_pages import login
from lendpilot.org.roles import Role
from lendpilot.org.services import staff_create
from lendpilot.testing import PASSWORD


def approved(w):
    return approve_all(w, submitted(w), ["risk_l1", "risk_l3"])


def signed(w):
    contract = services.contract_generate(actor=w.user("operations"), application=approved(w),
                                          start=date(2025, 7, 1))
    return services.contract_sign(actor=w.user("operations"), contract=contract)


def second_officer(w):
    w.staff["operations_2"] = staff_create(actor=None, username="operations_2", password=PASSWORD,
                                           name="运营复核", employee_no="E9001", role=Role.OPERATIONS)
    return w.staff["operations_2"]


@pytest.mark.parametrize("amount, words", [("4000000", "肆佰万元整"), ("2500000.05", "贰佰伍拾万元零伍分"),
                                           ("100010", "壹拾万零壹拾元整")])
def test_amounts_in_chinese_capitals(amount, words):
    from decimal import Decimal

    assert rmb_capitals(Decimal(amount)) == words


def test_contract_pdf_is_chinese_with_apr_and_the_full_schedule(lending_world):
    w = lending_world
    ops = login(w, "operations")
    app = approved(w)
    response = ops.post(reverse("lending:contract", args=[app.pk]), follow=True)
    contract = Contract.objects.get()
    page = response.content.decode()
    assert contract.number in page and reverse("lending:contract_pdf", args=[app.pk]) in page  # the next step
    pdf = ops.get(reverse("lending:contract_pdf", args=[app.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    text = "".join(p.extract_text() for p in reader.pages)
    assert "借款合同" in text and "年化利率" in text and contract.number in text
    assert f"{contract.apr * 100:.4f}%" in text and "叁拾万元整" in text
    for row in contract.schedule:
        assert row["due_date"] in text
    fonts = {str(f) for p in reader.pages for f in p["/Resources"]["/Font"].values()
             for f in [f.get_object()["/BaseFont"]]}
    assert any("WenQuanYi" in name for name in fonts)  # embedded, not left to the reader's machine
    # Someone outside the case's scope gets no contract.
    assert login(w, "am_chen").get(reverse("lending:contract_pdf", args=[app.pk])).status_code == 404


def test_signature_is_recorded_and_audited_only_by_operations(lending_world):
    w = lending_world
    app = approved(w)
    login(w, "am_wang").post(reverse("lending:contract", args=[app.pk]))
    assert not Contract.objects.exists()
    services.contract_generate(actor=w.user("operations"), application=app)
    denied = login(w, "am_wang").post(reverse("lending:sign", args=[app.pk]))
    assert denied.status_code in (302, 403) and Contract.objects.get().status == "generated"
    response = login(w, "operations").post(reverse("lending:sign", args=[app.pk]), follow=True)
    contract = Contract.objects.get()
    assert contract.status == "signed" and contract.signed_recorded_by == w.staff["operations"]
    assert AuditEvent.objects.filter(event_code="lending.contract_signed").exists()
    assert reverse("lending:disburse", args=[app.pk]) in response.content.decode()


def test_payout_page_shows_amount_masked_account_and_payee_and_needs_the_tick(lending_world):
    w = lending_world
    contract = signed(w)
    app = contract.application
    ops = login(w, "operations")
    page = ops.get(reverse("lending:disburse", args=[app.pk])).content.decode()
    customer = w.customers["am_wang_person"]
    assert "300,000.00" in page and customer.name in page and customer.bank_account_masked in page
    assert 'id="payout-two-people"' not in page
    ops.post(reverse("lending:disburse", args=[app.pk]), {})
    assert not Loan.objects.exists()
    assert login(w, "am_wang").post(reverse("lending:disburse", args=[app.pk]), {"confirm": "on"}).status_code == 403
    assert not Loan.objects.exists()
    response = ops.post(reverse("lending:disburse", args=[app.pk]), {"confirm": "on"}, follow=True)
    loan = Loan.objects.get()
    assert response.redirect_chain[-1][0] == reverse("lending:loan", args=[loan.pk])
    assert loan.number in response.content.decode() and customer.bank_account_masked in response.content.decode()


@override_settings(LENDPILOT_DISBURSEMENT_SECOND_PERSON_ABOVE="250000")
def test_a_large_payout_takes_two_officers(lending_world):
    w = lending_world
    contract = signed(w)
    app = contract.application
    second_officer(w)
    first = login(w, "operations")
    url = reverse("lending:disburse", args=[app.pk])
    assert 'id="payout-two-people"' in first.get(url).content.decode()
    first.post(url, {"confirm": "on"})
    contract.refresh_from_db()
    assert contract.disbursement_requested_by == w.staff["operations"] and not Loan.objects.exists()
    assert AuditEvent.objects.filter(event_code="lending.disbursement_requested").exists()
    first.post(url, {"confirm": "on"})  # the requester may not confirm their own request
    assert not Loan.objects.exists()
    with pytest.raises(Exception, match="disbursement"):
        services.loan_disburse(actor=w.user("operations"), contract=contract)
    login(w, "operations_2").post(url, {"confirm": "on"})
    loan = Loan.objects.get()
    event = AuditEvent.objects.get(event_code="lending.loan_disbursed")
    assert loan.principal == contract.principal and event.after["requested_by"] == w.staff["operations"].pk


@override_settings(LENDPILOT_DISBURSEMENT_SECOND_PERSON_ABOVE="250000")
def test_the_api_keeps_the_two_officer_payout(lending_world):
    from lendpilot.lending.tests.test_api import API, client_for

    w = lending_world
    contract = signed(w)
    second_officer(w)
    first = client_for(w, "operations")
    url = f"{API}/contracts/{contract.pk}/disburse"
    assert first.post(url, {}, content_type="application/json").status_code == 422 and not Loan.objects.exists()
    assert first.post(f"{API}/contracts/{contract.pk}/disbursement-request").status_code == 200
    assert first.post(url, {}, content_type="application/json").status_code == 422 and not Loan.objects.exists()
    assert client_for(w, "operations_2").post(url, {}, content_type="application/json").status_code == 201
    assert Loan.objects.get().principal == contract.principal


def test_operations_desk_lists_contracts_to_sign_and_payouts(lending_world):
    w = lending_world
    contract = signed(w)
    to_sign = services.contract_generate(actor=w.user("operations"), application=approve_all(
        w, submitted(w, amount="200000"), ["risk_l1", "risk_l3"]))
    page = login(w, "operations").get(reverse("lending:operations_work")).content.decode()
    assert contract.number in page and to_sign.number in page
    assert reverse("lending:disburse", args=[contract.application_id]) in page
    assert login(w, "am_wang").get(reverse("lending:operations_work")).status_code == 403
