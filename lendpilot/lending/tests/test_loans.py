"""Contracts, disbursement, repayments (allocation, penalty, early repayment, idempotency), days past due and
classification (set-based), manual downgrade and two-person upgrade, credit lines."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lendpilot.core.errors import Conflict
from lendpilot.lending import services
from lendpilot.lending.models import Application, ClassificationChange, CreditLine, Instalment, Loan, Repayment
from lendpilot.lending.selectors import portfolio_quality
from lendpilot.lending.tests.conftest import approve_all, disbursed_loan, submitted
from lendpilot.org.access import actor_of

D = Decimal


def test_contract_disclosures_block_signing_when_missing(lending_world):
    w = lending_world
    app = approve_all(w, submitted(w), ["risk_l1", "risk_l3"])
    with pytest.raises(PermissionDenied):
        services.contract_generate(actor=w.user("am_wang"), application=app)
    contract = services.contract_generate(actor=w.user("operations"), application=app)
    assert contract.apr == D("0.080000") and len(contract.schedule) == 12
    assert services.disclosure_gaps(contract) == []
    contract.disclosures.pop("penalty_rate")
    contract.save()
    with pytest.raises(ValidationError) as err:
        services.contract_sign(actor=w.user("operations"), contract=contract)
    assert "penalty_rate" in err.value.message_dict["disclosures"][0]
    contract.refresh_from_db()
    assert contract.status == "generated"


def test_disbursement_creates_loan_and_schedule_once(lending_world):
    w = lending_world
    loan = disbursed_loan(w)
    assert loan.principal == D("300000.00") and loan.outstanding_principal == loan.principal
    inst = list(loan.instalments.order_by("seq"))
    assert len(inst) == 12 and sum(i.principal_due for i in inst) == loan.principal
    assert inst[0].due_date == date(2025, 2, 10) and inst[0].due_day == date(2025, 2, 10).toordinal()
    app = Application.objects.get(pk=loan.contract.application_id)
    assert app.status == Application.Status.DISBURSED
    with pytest.raises(Conflict):
        services.loan_disburse(actor=w.user("operations"), contract=loan.contract)
    assert Loan.objects.count() == 1


def test_regular_repayments_and_idempotent_reference(lending_world):
    w = lending_world
    loan = disbursed_loan(w)
    first = loan.instalments.get(seq=1)
    payment = first.principal_due + first.interest_due
    rep = services.repayment_post(actor=w.user("operations"), loan=loan, external_ref="CB-1", amount=payment,
                                  value_date=date(2025, 2, 10))
    assert (rep.penalty_part, rep.interest_part, rep.principal_part) == (D("0"), first.interest_due,
                                                                           first.principal_due)
    first.refresh_from_db()
    assert first.is_settled
    loan.refresh_from_db()
    assert loan.outstanding_principal == D("300000.00") - first.principal_due
    with pytest.raises(Conflict) as err:
        services.repayment_post(actor=w.user("operations"), loan=loan, external_ref="CB-1", amount=payment,
                                value_date=date(2025, 2, 10))
    assert err.value.field == "external_ref"
    assert Repayment.objects.count() == 1
    loan.refresh_from_db()
    assert loan.outstanding_principal == D("300000.00") - first.principal_due


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"amount": "-5"}, "amount"), ({"amount": "abc"}, "amount"), ({"amount": "1.001"}, "amount"),
    ({"external_ref": ""}, "external_ref"), ({"value_date": "2025-13-01"}, "value_date"),
    ({"value_date": "2999-01-01"}, "value_date"),
])
def test_bad_repayments_name_the_field(lending_world, kwargs, field):
    w = lending_world
    loan = disbursed_loan(w)
    args = {"external_ref": "X", "amount": "100.00", "value_date": "2025-02-10", **kwargs}
    with pytest.raises(ValidationError) as err:
        services.repayment_post(actor=w.user("operations"), loan=loan, **args)
    assert field in err.value.message_dict
    assert not Repayment.objects.exists()


def test_overdue_penalty_then_interest_then_principal(lending_world):
    w = lending_world
    loan = disbursed_loan(w)
    first = loan.instalments.get(seq=1)
    # 20 days late on instalment 1: penalty = principal x 8% x 1.5 / 360 x 20
    expected_penalty = (first.principal_due * D("0.08") * D("1.5") / 360 * 20).quantize(D("0.01"))
    rep = services.repayment_post(actor=w.user("operations"), loan=loan, external_ref="CB-late",
                                  amount=D("1000.00"), value_date=date(2025, 3, 2))
    assert rep.penalty_part == expected_penalty
    assert rep.interest_part == D("1000.00") - expected_penalty  # interest of instalment 1 is 2,000
    assert rep.principal_part == 0
    first.refresh_from_db()
    assert first.penalty_accrued == expected_penalty and not first.is_settled


def test_early_repayment_recalculates_the_schedule(lending_world):
    w = lending_world
    loan = disbursed_loan(w)
    first = loan.instalments.get(seq=1)
    services.repayment_post(actor=w.user("operations"), loan=loan, external_ref="CB-1",
                            amount=first.principal_due + first.interest_due, value_date=date(2025, 2, 10))
    old_second = loan.instalments.get(seq=2)
    rep = services.repayment_post(actor=w.user("operations"), loan=loan, external_ref="CB-pre",
                                  amount=D("100000.00"), value_date=date(2025, 2, 25), prepayment=True)
    loan.refresh_from_db()
    # 15 days accrued on the balance, actual/360
    balance = D("300000.00") - first.principal_due
    assert rep.interest_part == (balance * D("0.08") / 360 * 15).quantize(D("0.01"))
    assert loan.outstanding_principal == balance - rep.principal_part
    open_rows = loan.instalments.filter(is_settled=False).order_by("seq")
    assert sum(i.principal_due for i in open_rows) == loan.outstanding_principal
    assert open_rows.count() == 11
    assert open_rows[1].principal_due + open_rows[1].interest_due < old_second.principal_due + old_second.interest_due
    assert sum(i.principal_due for i in loan.instalments.all()) == loan.principal


def test_full_settlement_by_early_repayment(lending_world):
    w = lending_world
    loan = disbursed_loan(w)
    rep = services.repayment_post(actor=w.user("operations"), loan=loan, external_ref="CB-all",
                                  amount=D("310000.00"), value_date=date(2025, 1, 25), prepayment=True)
    loan.refresh_from_db()
    assert loan.status == Loan.Status.SETTLED and loan.outstanding_principal == 0
    assert rep.principal_part == D("300000.00") and rep.interest_part == D("1000.00")
    assert rep.unapplied == D("9000.00")


def test_days_past_due_and_classification_set_based(lending_world, django_assert_max_num_queries):
    w = lending_world
    loan = disbursed_loan(w)  # first due 2025-02-10
    other = disbursed_loan(w, customer="am_wang_company", disbursed_on=date(2025, 5, 10))
    for as_of, dpd, klass in [(date(2025, 2, 10), 0, 1), (date(2025, 2, 11), 1, 2), (date(2025, 5, 11), 90, 2),
                              (date(2025, 5, 12), 91, 3), (date(2025, 11, 7), 270, 3), (date(2025, 11, 8), 271, 4),
                              (date(2026, 2, 5), 360, 4), (date(2026, 2, 6), 361, 5)]:
        with django_assert_max_num_queries(11):  # constant: loans holding credit, 3 UPDATEs, the audit record
            services.loans_update_delinquency(as_of=as_of)
        loan.refresh_from_db()
        assert (loan.days_past_due, loan.risk_class) == (dpd, klass), as_of
    # Paying the oldest instalment moves days past due to the next unpaid one.
    services.loans_update_delinquency(as_of=date(2025, 3, 15))
    first = loan.instalments.get(seq=1)
    services.repayment_post(actor=w.user("operations"), loan=loan, external_ref="CB-late1",
                            amount=first.principal_due + first.interest_due + D("500"), value_date=date(2025, 3, 5))
    services.loans_update_delinquency(as_of=date(2025, 3, 15))
    loan.refresh_from_db()
    assert loan.days_past_due == 5  # instalment 2 was due 10 March
    other.refresh_from_db()
    assert other.days_past_due == 0 and other.risk_class == 1


def test_manual_downgrade_and_two_person_upgrade(lending_world):
    w = lending_world
    loan = disbursed_loan(w)
    with pytest.raises(ValidationError):
        services.loan_downgrade(actor=w.user("risk_l2"), loan=loan, to_class=3, reason="")
    services.loan_downgrade(actor=w.user("risk_l2"), loan=loan, to_class=3, reason="借款人涉诉")
    services.loans_update_delinquency(as_of=date(2025, 2, 1))
    loan.refresh_from_db()
    assert loan.risk_class == 3  # the manual class is a floor over a current loan
    with pytest.raises(ValidationError):
        services.loan_downgrade(actor=w.user("risk_l2"), loan=loan, to_class=2, reason="x")
    change = services.loan_upgrade_request(actor=w.user("risk_l2"), loan=loan, to_class=1, reason="诉讼已和解")
    loan.refresh_from_db()
    assert loan.risk_class == 3 and change.status == ClassificationChange.Status.PENDING
    with pytest.raises(ValidationError):
        services.loan_upgrade_decide(actor=w.user("risk_l2"), change=change, approve=True)
    services.loan_upgrade_decide(actor=w.user("risk_l3"), change=change, approve=True)
    loan.refresh_from_db()
    assert loan.risk_class == 1 and loan.manual_class is None
    with pytest.raises(PermissionDenied):
        services.loan_downgrade(actor=w.user("am_wang"), loan=loan, to_class=5, reason="x")


def test_npl_ratio(lending_world):
    w = lending_world
    a = disbursed_loan(w)
    disbursed_loan(w, customer="am_wang_company", disbursed_on=date(2025, 5, 10))
    services.loan_downgrade(actor=w.user("risk_l2"), loan=a, to_class=4, reason="欺诈嫌疑")
    quality = portfolio_quality(actor_of(w.user("director")))
    assert quality["npl"] == D("300000.00") and quality["npl_ratio"] == D("0.5000")


def test_credit_line_draw_freeze_reduce(lending_world):
    w = lending_world
    line = services.credit_line_create(actor=w.user("risk_l2"), customer=w.customers["am_wang_person"],
                                       product=w.products["credit"], limit=D("200000"), annual_rate=D("0.09"),
                                       expires_on=date(2099, 1, 1))
    loan = services.credit_line_draw(actor=w.user("operations"), line=line, amount=D("120000"), term_months=12,
                                     repayment_method="equal_principal", drawn_on=date(2025, 1, 10))
    line.refresh_from_db()
    assert loan.credit_line == line and line.utilised == D("120000.00")
    borrower = w.customers["am_wang_person"]
    borrower.refresh_from_db()
    assert borrower.lifecycle_status == borrower.Lifecycle.ACTIVE  # a draw is a payout: the portrait knows at once
    with pytest.raises(Conflict) as err:
        services.credit_line_draw(actor=w.user("operations"), line=line, amount=D("90000"), term_months=12,
                                  repayment_method="equal_principal", drawn_on=date(2025, 1, 10))
    assert err.value.field == "amount"
    first = loan.instalments.get(seq=1)
    services.repayment_post(actor=w.user("operations"), loan=loan, external_ref="CL-1",
                            amount=first.principal_due + first.interest_due, value_date=date(2025, 2, 10))
    line.refresh_from_db()
    assert line.utilised == D("120000.00") - first.principal_due  # revolving: repaid principal frees the line
    services.credit_line_set_status(actor=w.user("risk_l2"), line=line, status="frozen", reason="预警：涉诉")
    with pytest.raises(Conflict) as err:
        services.credit_line_draw(actor=w.user("operations"), line=line, amount=D("1000"), term_months=12,
                                  repayment_method="equal_principal", drawn_on=date(2025, 2, 11))
    assert err.value.field == "status"
    services.credit_line_set_status(actor=w.user("risk_l2"), line=line, status="reduced", reason="降额",
                                     limit=D("110000"))
    line.refresh_from_db()
    assert line.status == CreditLine.Status.REDUCED and line.available == D("0.00")
    assert Loan.objects.filter(credit_line=line).count() == 1
    assert Instalment.objects.filter(loan__credit_line=line).count() == 12
