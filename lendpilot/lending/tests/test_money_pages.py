"""The repayment page: settlement quote for a chosen date, early settlement and regular posting through the
page, and the loan page showing credit and the re-valuation of a back-dated repayment."""

from datetime import date
from decimal import Decimal as D

from django.test import Client
from django.urls import reverse

from lendpilot.lending.models import Loan, Repayment
from lendpilot.lending.tests.test_money_paths import draw, post


def login(world, key) -> Client:
    client = Client()
    client.force_login(world.user(key))
    return client


def test_settlement_quote_and_early_settlement_through_the_page(lending_world):
    w = lending_world
    loan = draw(w)
    first = loan.instalments.get(seq=1)
    post(w, loan, "P1", first.principal_due + first.interest_due, first.due_date)
    ops = login(w, "operations")
    url = reverse("lending:loan_repay", args=[loan.pk])
    page = ops.get(url, {"value_date": "2024-03-01"})
    assert page.status_code == 200
    html = page.content.decode().replace(",", "")  # grouping follows the language
    assert "459.47" in html and "184246.18" in html  # interest to 1 March and the settling amount
    bad = ops.post(url, {"kind": "settlement", "value_date": "2024-03-01", "amount": "1000.00",
                         "external_ref": "S1"})
    assert bad.status_code == 200 and 'data-field="amount"' in bad.content.decode()
    assert not Repayment.objects.filter(external_ref="S1").exists()
    done = ops.post(url, {"kind": "settlement", "value_date": "2024-03-01", "amount": "184246.18",
                          "external_ref": "S1", "prepayment_mode": "reduce_payment"})
    assert done.status_code == 302
    loan.refresh_from_db()
    assert loan.status == Loan.Status.SETTLED and loan.unapplied_credit == 0
    assert Repayment.objects.get(external_ref="S1").source == Repayment.Source.MANUAL


def test_overpayment_credit_and_revaluation_show_on_the_loan_page(lending_world):
    w = lending_world
    loan = draw(w)
    post(w, loan, "OVER", "20000.00", date(2024, 2, 18))  # 17,213.29 due; the rest is credit
    page = login(w, "operations").get(reverse("lending:loan", args=[loan.pk])).content.decode().replace(",", "")
    assert 'id="loan-credit"' in page and "2786.71" in page


def test_bad_quote_date_and_viewer_without_posting_right(lending_world):
    w = lending_world
    loan = draw(w)
    url = reverse("lending:loan_repay", args=[loan.pk])
    assert login(w, "operations").get(url, {"value_date": "not-a-date"}).status_code == 200
    viewer = login(w, "risk_l1")
    assert viewer.get(url).status_code == 200
    assert viewer.post(url, {"kind": "regular", "value_date": "2024-02-18", "amount": "1.00",
                             "external_ref": "X"}).status_code == 403
    assert D(loan.outstanding_principal) == D("200000.00")
