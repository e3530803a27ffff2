"""The money paths through the API: the settlement quote, a declared settlement, the loan's credit, the
import of a payoff (streamed upload) and a re-used reference refused with a 422 naming the row."""

from datetime import date
from decimal import Decimal as D

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from lendpilot.lending.models import Loan
from lendpilot.lending.tests.test_money_paths import draw, post

API = "/api/v1/lending"


def login(world, key) -> Client:
    client = Client()
    client.force_login(world.user(key))
    return client


def test_quote_then_settlement_by_the_api(lending_world):
    w = lending_world
    loan = draw(w)
    first = loan.instalments.get(seq=1)
    post(w, loan, "P1", first.principal_due + first.interest_due, first.due_date)
    ops = login(w, "operations")
    quote = ops.get(f"{API}/loans/{loan.pk}/settlement-quote", {"value_date": "2024-03-01"})
    assert quote.status_code == 200, quote.content
    body = quote.json()
    assert (D(body["principal"]), D(body["interest"]), D(body["total"])) == (
        D("183786.71"), D("459.47"), D("184246.18"))
    assert ops.get(f"{API}/loans/{loan.pk}/settlement-quote", {"value_date": "2023-01-01"}).status_code == 422
    answer = ops.post(f"{API}/repayments", {"loan_number": loan.number, "external_ref": "API-S",
                                            "amount": "184300.00", "value_date": "2024-03-01",
                                            "kind": "settlement"}, content_type="application/json")
    assert answer.status_code == 201, answer.content
    assert D(answer.json()["unapplied"]) == D("53.82") and answer.json()["kind"] == "settlement"
    detail = ops.get(f"{API}/loans/{loan.pk}").json()
    assert detail["status"] == Loan.Status.SETTLED and D(detail["unapplied_credit"]) == D("53.82")


def test_import_payoff_and_reused_reference_by_the_api(lending_world):
    w = lending_world
    loan = draw(w, on=date(2024, 1, 15))
    first = loan.instalments.get(seq=1)
    ops = login(w, "operations")
    csv = ("external_ref,loan_number,amount,value_date,kind\n"
           f"F1,{loan.number},{first.principal_due + first.interest_due},2024-02-18,\n"
           f"F2,{loan.number},184246.18,2024-03-01,提前结清\n")
    r = ops.post(f"{API}/repayments/import", {"file": SimpleUploadedFile("r.csv", csv.encode())})
    assert r.status_code == 200, r.content
    assert r.json()["posted"] == 2 and D(r.json()["allocated"]["interest"]) == D("1000.00") + D("459.47")
    again = ops.post(f"{API}/repayments/import", {"file": SimpleUploadedFile("r.csv", csv.encode())})
    assert again.status_code == 200 and again.json()["already_posted"] == 2
    changed = csv.replace("184246.18", "184246.19")
    refused = ops.post(f"{API}/repayments/import", {"file": SimpleUploadedFile("r.csv", changed.encode())})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["file", "row", 3, "external_ref"]
