"""CSV repayment import: all or nothing, per-row errors, idempotent on re-import, same allocation as one post."""

from datetime import date
from decimal import Decimal

import pytest

from lendpilot.lending import services
from lendpilot.lending.imports import RepaymentImportError, repayments_import
from lendpilot.lending.models import Repayment
from lendpilot.lending.tests.conftest import disbursed_loan

D = Decimal


def _csv(lines):
    return "external_ref,loan_number,amount,value_date\n" + "\n".join(lines) + "\n"


def test_import_posts_all_and_is_idempotent(lending_world):
    w = lending_world
    a = disbursed_loan(w)
    b = disbursed_loan(w, customer="am_wang_company", disbursed_on=date(2025, 1, 20))
    pa = a.instalments.get(seq=1)
    text = _csv([f"R1,{a.number},{pa.principal_due + pa.interest_due},2025-02-10",
                 f"R2,{b.number},500.00,2025-02-25", f"R3,{a.number},100.00,2025-03-01"])
    result = repayments_import(actor=w.user("operations"), text=text)
    assert (result.rows, result.posted, result.already_posted) == (3, 3, 0)
    pa.refresh_from_db()
    assert pa.is_settled
    a.refresh_from_db()
    assert a.outstanding_principal == a.principal - pa.principal_due
    r3 = Repayment.objects.get(external_ref="R3")
    # Nothing of instalment 2 (due 10 March) is due on 1 March: held as the loan's credit.
    assert (r3.interest_part, r3.unapplied) == (D("0.00"), D("100.00"))
    a.refresh_from_db()
    assert a.unapplied_credit == D("100.00")
    again = repayments_import(actor=w.user("operations"), text=text)
    assert (again.posted, again.already_posted) == (0, 3)
    assert Repayment.objects.count() == 3


def test_import_matches_single_posting(lending_world):
    w = lending_world
    a = disbursed_loan(w)
    b = disbursed_loan(w, customer="am_wang_company")
    lines = [("2025-03-01", "3000.00"), ("2025-03-20", "50000.00"), ("2025-05-02", "7.77")]
    repayments_import(actor=w.user("operations"), text=_csv(
        [f"I{n},{a.number},{amount},{day}" for n, (day, amount) in enumerate(lines)]))
    for n, (day, amount) in enumerate(lines):
        services.repayment_post(actor=w.user("operations"), loan=b, external_ref=f"S{n}", amount=D(amount),
                                value_date=date.fromisoformat(day))
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.outstanding_principal == b.outstanding_principal
    cols = ["seq", "principal_paid", "interest_paid", "penalty_paid", "penalty_accrued", "is_settled"]
    assert list(a.instalments.values_list(*cols)) == list(b.instalments.values_list(*cols))


def test_bad_rows_are_reported_and_nothing_is_written(lending_world):
    w = lending_world
    a = disbursed_loan(w)
    text = _csv([f"OK1,{a.number},100.00,2025-02-10", f"BAD1,{a.number},-5,2025-02-10",
                 "BAD2,LN-NOPE,100.00,2025-02-10", f"BAD3,{a.number},abc,2025-02-31",
                 f"OK1,{a.number},1.00,2025-02-10"])
    with pytest.raises(RepaymentImportError) as err:
        repayments_import(actor=w.user("operations"), text=text)
    reported = {(e.row, e.field) for e in err.value.errors}
    assert {(3, "amount"), (4, "loan_number"), (5, "amount"), (5, "value_date"), (6, "external_ref")} <= reported
    assert not Repayment.objects.exists()
    with pytest.raises(RepaymentImportError) as err:
        repayments_import(actor=w.user("operations"), text="ref,amount\nx,1\n")
    assert {e.field for e in err.value.errors} == {"external_ref", "loan_number", "value_date"}
