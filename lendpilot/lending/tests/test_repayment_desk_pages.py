"""Money in through the pages (X1): operations post one repayment by loan number, or upload a repayment
file (CSV or Excel) that is previewed with its row errors and then posted whole; the settlement quote and
early settlement are reachable from the loan page; other roles change nothing."""

import io
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from lendpilot.lending.models import Repayment
from lendpilot.lending.tests.conftest import disbursed_loan
from lendpilot.lending.tests.test_pages import login


def single(loan, **changes):
    return {"loan_number": loan.number, "external_ref": "BANK-0001", "amount": "1000.00",
            "value_date": "2025-02-10", "kind": "regular", "prepayment_mode": "", **changes}


def test_operations_post_one_repayment_by_loan_number(lending_world):
    w = lending_world
    loan = disbursed_loan(w)
    ops = login(w, "operations")
    assert ops.get(reverse("lending:repayments_desk")).status_code == 200
    response = ops.post(reverse("lending:repayment_post"), single(loan), follow=True)
    repayment = Repayment.objects.get()
    page = response.content.decode()
    assert repayment.source == Repayment.Source.MANUAL and repayment.amount == 1000
    assert "BANK-0001" in page and loan.number in page and reverse("lending:loan", args=[loan.pk]) in page
    again = ops.post(reverse("lending:repayment_post"), single(loan))
    assert again.status_code == 400 and Repayment.objects.count() == 1
    unknown = ops.post(reverse("lending:repayment_post"), single(loan, loan_number="LN-NOPE", external_ref="B2"))
    assert unknown.status_code == 400 and 'data-field="loan_number"' in unknown.content.decode()


def test_other_roles_cannot_post(lending_world):
    w = lending_world
    loan = disbursed_loan(w)
    for key in ("am_wang", "risk_l1", "compliance"):
        client = login(w, key)
        assert client.get(reverse("lending:repayments_desk")).status_code == 403
        assert client.post(reverse("lending:repayment_post"), single(loan)).status_code == 403
        upload = SimpleUploadedFile("r.csv", b"external_ref,loan_number,amount,value_date\n")
        assert client.post(reverse("lending:repayments_upload"), {"file": upload}).status_code == 403
    assert not Repayment.objects.exists()


def test_file_is_previewed_with_row_errors_and_nothing_posted(lending_world):
    w = lending_world
    loan = disbursed_loan(w)
    ops = login(w, "operations")
    text = (f"external_ref,loan_number,amount,value_date\nF-1,{loan.number},1000.00,2025-02-10\n"
            f"F-2,LN-NOPE,50.00,2025-02-10\nF-3,{loan.number},abc,2025-02-11\n")
    page = ops.post(reverse("lending:repayments_upload"),
                    {"file": SimpleUploadedFile("feed.csv", text.encode())}).content.decode()
    assert 'id="repayment-preview-errors"' in page and "LN-NOPE" in page and 'id="repayment-file-post"' not in page
    assert "F-1" in page and w.customers["am_wang_person"].name in page
    assert not Repayment.objects.exists()


def test_excel_file_is_previewed_then_posted_whole(lending_world):
    w = lending_world
    loan = disbursed_loan(w)
    book = Workbook()
    sheet = book.active
    sheet.append(["external_ref", "loan_number", "amount", "value_date"])
    sheet.append(["X-1", loan.number, 1000, date(2025, 2, 10)])
    sheet.append(["X-2", loan.number, 2500.5, date(2025, 3, 10)])
    data = io.BytesIO()
    book.save(data)
    ops = login(w, "operations")
    page = ops.post(reverse("lending:repayments_upload"),
                    {"file": SimpleUploadedFile("feed.xlsx", data.getvalue())}).content.decode()
    assert 'id="repayment-file-post"' in page and "3,500.50" in page and not Repayment.objects.exists()
    token = page.split('name="token" value="')[1].split('"')[0]
    response = ops.post(reverse("lending:repayments_import"), {"token": token}, follow=True)
    assert sorted(Repayment.objects.values_list("external_ref", flat=True)) == ["X-1", "X-2"]
    assert "3,500.50" in response.content.decode()
    # The held file is gone: a second confirmation posts nothing more.
    ops.post(reverse("lending:repayments_import"), {"token": token})
    assert Repayment.objects.count() == 2


def test_settlement_quote_and_early_settlement_from_the_loan_page(lending_world):
    w = lending_world
    loan = disbursed_loan(w)
    ops = login(w, "operations")
    page = ops.get(reverse("lending:loan", args=[loan.pk])).content.decode()
    assert 'id="settlement-link"' in page
    quote_page = ops.get(reverse("lending:loan_repay", args=[loan.pk]) + "?kind=settlement&value_date=2025-02-20")
    assert 'id="quote-total"' in quote_page.content.decode()
    assert login(w, "am_wang").get(reverse("lending:loan", args=[loan.pk])).status_code == 200
