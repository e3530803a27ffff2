"""Money paths of issue 15, each checked against figures computed here by hand or with numpy-financial:
the annualised rate of every method with and without fees, settlement quotes and early settlement
(single posting and import), overpayments held as credit, due dates rolled past holidays, back-dated
repayments after penalty accrued by the EOD, product terms on contracts and loans, re-used references."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import numpy_financial as npf
import pytest
from django.core.exceptions import ValidationError

from lendpilot.core.business_calendar import next_business_day
from lendpilot.core.reference import RepaymentMethod
from lendpilot.lending import services
from lendpilot.lending.allocation import accrue_penalty
from lendpilot.lending.imports import RepaymentImportError, repayments_import
from lendpilot.lending.models import Instalment, Loan, Repayment
from lendpilot.lending.schedule import add_months, annualised_rate, build_schedule
from lendpilot.lending.tests.conftest import disbursed_loan
from lendpilot.products.services import product_update

D = Decimal
P200K, RATE6 = D("200000.00"), D("0.06")


def fen(x) -> Decimal:
    return D(str(x)).quantize(D("0.01"), rounding=ROUND_HALF_UP)


def draw(w, *, amount=P200K, rate=RATE6, term=12, method=RepaymentMethod.EQUAL_INSTALMENT, on=date(2024, 1, 15),
         product="credit") -> Loan:
    line = services.credit_line_create(actor=w.user("risk_l1"), customer=w.customers["am_wang_person"],
                                       product=w.products[product], limit=D("20000000"), annual_rate=rate,
                                       expires_on=date(2030, 1, 1))
    return services.credit_line_draw(actor=w.user("operations"), line=line, amount=amount, term_months=term,
                                     repayment_method=method, drawn_on=on)


def post(w, loan, ref, amount, on, **kw) -> Repayment:
    return services.repayment_post(actor=w.user("operations"), loan=loan, external_ref=ref, amount=D(amount),
                                   value_date=on, **kw)


# ------------------------------------------------------------------------------------------ APR (item 2)

def _monthly_irr_apr(principal, fees, rows) -> Decimal:
    flows = [float(-(principal - fees))] + [float(r.payment) for r in rows]
    return D(str(npf.irr(flows) * 12)).quantize(D("0.000001"), rounding=ROUND_HALF_UP)


@pytest.mark.parametrize("fees", [D("0"), D("4000.00")])
@pytest.mark.parametrize("method", [RepaymentMethod.EQUAL_INSTALMENT, RepaymentMethod.EQUAL_PRINCIPAL,
                                    RepaymentMethod.INTEREST_FIRST])
def test_monthly_methods_apr_is_monthly_irr_times_twelve(method, fees):
    rows = build_schedule(principal=P200K, annual_rate=RATE6, periods=12, method=method, start=date(2024, 1, 15))
    apr = annualised_rate(principal=P200K, rows=rows, periods=12, fees=fees)
    assert abs(apr - _monthly_irr_apr(P200K, fees, rows)) <= D("0.000001")
    if fees == 0 and method == RepaymentMethod.INTEREST_FIRST:
        assert apr == D("0.060000")  # interest-first without fees: exactly the contract rate


@pytest.mark.parametrize(("term", "fees", "expected"), [
    (12, D("0"), D("0.060000")),                 # 212,000 / 200,000 - 1, one yearly period
    (12, D("4000.00"), D("0.081633")),           # 212,000 / 196,000 - 1
    (6, D("0"), D("0.060000")),                  # 206,000 / 200,000 - 1 per half year, x 2
    (6, D("4000.00"), D("0.102041")),            # (206,000 / 196,000 - 1) x 2
    (24, D("0"), D("0.060000")),                 # 224,000 / 200,000 - 1 per two years, / 2
])
def test_bullet_apr_uses_the_period_of_its_single_cash_flow(term, fees, expected):
    rows = build_schedule(principal=P200K, annual_rate=RATE6, periods=term, method=RepaymentMethod.BULLET,
                          start=date(2024, 1, 15))
    by_hand = ((rows[0].payment / (P200K - fees) - 1) * 12 / term).quantize(D("0.000001"), rounding=ROUND_HALF_UP)
    assert by_hand == expected
    assert annualised_rate(principal=P200K, rows=rows, periods=term, fees=fees) == expected


# ------------------------------------------------------------------------- settlement and credit (item 1)

def _paid_first(w, loan) -> Instalment:
    first = loan.instalments.get(seq=1)
    post(w, loan, f"{loan.number}-1", first.principal_due + first.interest_due, first.due_date)
    return first


def test_settlement_quotes_on_three_dates(lending_world):
    w = lending_world
    loan = draw(w)
    first = _paid_first(w, loan)
    # The first due date (15 Feb 2024, Spring Festival) rolled to Sunday 18 Feb, a make-up working day.
    assert first.due_date == date(2024, 2, 18)
    balance = P200K - first.principal_due
    assert balance == D("183786.71")  # 200,000 - (17,213.29 payment - 1,000.00 interest)
    daily = balance * RATE6 / 360
    for on, days in [(date(2024, 2, 20), 5), (date(2024, 3, 1), 15), (date(2024, 3, 14), 28)]:
        quote = services.quote_settlement(loan, on)
        assert (quote.principal, quote.due_principal, quote.due_penalty, quote.fee) == (balance, 0, 0, 0)
        assert quote.interest == fen(daily * days), on
    assert services.quote_settlement(loan, date(2024, 3, 1)).interest == D("459.47")


def test_settlement_quote_after_a_missed_instalment_includes_penalty_and_the_fee(lending_world):
    w = lending_world
    product_update(actor=None, product=w.products["credit"], settlement_fee_rate=D("0.01"))
    loan = draw(w)
    first = _paid_first(w, loan)
    second = loan.instalments.get(seq=2)  # due 15 March 2024, left unpaid
    on = date(2024, 4, 1)  # 17 days late; period from 15 March
    quote = services.quote_settlement(loan, on)
    penalty = fen(second.principal_due * RATE6 * D("1.5") / 360 * 17)
    not_due = P200K - first.principal_due - second.principal_due
    assert (quote.due_principal, quote.due_interest, quote.due_penalty) == (
        second.principal_due, second.interest_due, penalty)
    assert quote.principal == not_due
    assert quote.interest == fen(not_due * RATE6 / 360 * 17)
    assert quote.fee == fen(not_due * D("0.01"))
    rep = post(w, loan, "SETTLE", quote.total, on, kind="settlement")
    loan.refresh_from_db()
    assert loan.status == Loan.Status.SETTLED and loan.outstanding_principal == 0 and loan.unapplied_credit == 0
    assert (rep.penalty_part, rep.fee_part, rep.unapplied) == (penalty, quote.fee, 0)
    assert rep.interest_part == second.interest_due + quote.interest
    assert not loan.instalments.filter(is_settled=False).exists()


def test_settlement_short_of_the_quote_is_refused_naming_the_amount(lending_world):
    w = lending_world
    loan = draw(w)
    _paid_first(w, loan)
    with pytest.raises(ValidationError) as exc:
        post(w, loan, "SHORT", "180000.00", date(2024, 3, 1), kind="settlement")
    assert "amount" in exc.value.message_dict and "184,246.18" in exc.value.message_dict["amount"][0]


def test_payoff_by_import_pays_interest_to_the_value_date_only(lending_world):
    w = lending_world
    loan = draw(w)
    _paid_first(w, loan)
    text = ("external_ref,loan_number,amount,value_date,kind\n"
            f"PAYOFF,{loan.number},190000.00,2024-03-01,settlement\n")
    result = repayments_import(actor=w.user("operations"), text=text)
    assert result.posted == 1
    rep = Repayment.objects.get(external_ref="PAYOFF")
    assert (rep.interest_part, rep.principal_part) == (D("459.47"), D("183786.71"))
    assert rep.unapplied == D("190000.00") - D("183786.71") - D("459.47")  # 5,753.82 to refund
    loan.refresh_from_db()
    assert loan.status == Loan.Status.SETTLED and loan.unapplied_credit == D("5753.82")


def test_undeclared_overpayment_is_credit_never_future_interest(lending_world):
    w = lending_world
    loan = draw(w)
    first = _paid_first(w, loan)
    rep = post(w, loan, "BIG", "190000.00", date(2024, 3, 1))  # nothing falls due before 15 March
    assert (rep.penalty_part, rep.interest_part, rep.principal_part, rep.unapplied) == (0, 0, 0, D("190000.00"))
    loan.refresh_from_db()
    assert loan.unapplied_credit == D("190000.00") and loan.outstanding_principal == P200K - first.principal_due
    # On the next due date the credit pays that instalment, and only it: no overdue, no future interest.
    services.loans_update_delinquency(as_of=date(2024, 3, 15))
    loan.refresh_from_db()
    second = loan.instalments.get(seq=2)
    assert second.is_settled and second.interest_paid == second.interest_due == D("918.93")
    assert loan.unapplied_credit == D("190000.00") - D("17213.29")
    assert loan.days_past_due == 0 and not loan.instalments.filter(seq=3, interest_paid__gt=0).exists()


def test_declared_prepayment_through_the_import_recalculates(lending_world):
    w = lending_world
    loan = draw(w)
    _paid_first(w, loan)
    text = ("external_ref,loan_number,amount,value_date,kind,prepayment_mode\n"
            f"PRE,{loan.number},50459.47,2024-03-01,prepayment,shorten_term\n")
    repayments_import(actor=w.user("operations"), text=text)
    rep = Repayment.objects.get(external_ref="PRE")
    assert (rep.kind, rep.interest_part, rep.principal_part) == ("prepayment", D("459.47"), D("50000.00"))
    loan.refresh_from_db()
    assert loan.outstanding_principal == D("133786.71")


# ------------------------------------------------------------------------------------ holidays (item 3)

def test_due_date_on_a_holiday_rolls_and_payment_on_the_rolled_date_is_on_time(lending_world):
    w = lending_world
    loan = draw(w, on=date(2024, 9, 1))
    first = loan.instalments.get(seq=1)
    assert add_months(date(2024, 9, 1), 1) == date(2024, 10, 1)  # National Day
    assert first.due_date == next_business_day(date(2024, 10, 1)) == date(2024, 10, 8)
    assert first.interest_due == D("1000.00")  # the roll does not change the period's interest
    rep = post(w, loan, "OCT", first.principal_due + first.interest_due, date(2024, 10, 8))
    services.loans_update_delinquency(as_of=date(2024, 10, 8))
    loan.refresh_from_db()
    assert rep.penalty_part == 0 and loan.days_past_due == 0 and loan.risk_class == 1


def test_a_product_without_the_roll_keeps_the_holiday_due_date(lending_world):
    w = lending_world
    product_update(actor=None, product=w.products["credit"], roll_business_days=False)
    loan = draw(w, on=date(2024, 9, 1))
    assert loan.instalments.get(seq=1).due_date == date(2024, 10, 1)
    services.loans_update_delinquency(as_of=date(2024, 10, 8))
    loan.refresh_from_db()
    assert (loan.days_past_due, loan.risk_class) == (7, 2)


# --------------------------------------------------------------------------------- back-dated (item 4)

def _eod_penalty(loan, through: date) -> None:
    """What the EOD's penalty stage leaves on the instalments: penalty accrued to `through`."""
    opened = list(loan.instalments.filter(is_settled=False).order_by("seq"))
    for inst, acc in zip(opened, accrue_penalty(services.open_instalments(opened), value_date=through,
                                                annual_rate=loan.annual_rate, multiplier=loan.penalty_multiplier),
                         strict=True):
        inst.penalty_accrued, inst.penalty_through = inst.penalty_paid + acc.penalty, acc.penalty_through
        inst.save(update_fields=["penalty_accrued", "penalty_through"])


def test_back_dated_partial_repayment_revalues_penalty_dpd_and_class(lending_world):
    w = lending_world
    loan = draw(w)
    _paid_first(w, loan)
    second = loan.instalments.get(seq=2)
    assert (second.due_date, second.principal_due, second.interest_due) == (date(2024, 3, 15), D("16294.36"),
                                                                            D("918.93"))
    daily = second.principal_due * D("0.09") / 360
    _eod_penalty(loan, date(2024, 4, 4))  # 20 days overdue
    services.loans_update_delinquency(as_of=date(2024, 4, 4))
    second.refresh_from_db()
    assert second.penalty_accrued == fen(daily * 20) == D("81.47")
    rep = post(w, loan, "BACK", "10000.00", date(2024, 3, 25))  # value date 10 days before the accrual
    second.refresh_from_db()
    penalty_to_25 = fen(daily * 10)  # 40.74
    principal_paid = D("10000.00") - penalty_to_25 - D("918.93")
    reaccrued = fen((second.principal_due - principal_paid) * D("0.09") / 360 * 10)
    assert (rep.penalty_part, rep.interest_part, rep.principal_part) == (penalty_to_25, D("918.93"), principal_paid)
    assert second.penalty_accrued == penalty_to_25 + reaccrued == D("58.88")
    assert second.penalty_through == date(2024, 4, 4)
    assert rep.revaluation["penalty_taken_back"] == "40.73" and rep.revaluation["penalty_reaccrued"] == "18.14"


def test_back_dated_full_repayment_clears_dpd_and_class(lending_world):
    w = lending_world
    loan = draw(w)
    _paid_first(w, loan)
    second = loan.instalments.get(seq=2)
    _eod_penalty(loan, date(2024, 4, 4))
    services.loans_update_delinquency(as_of=date(2024, 4, 4))
    loan.refresh_from_db()
    assert (loan.days_past_due, loan.risk_class) == (20, 2)
    amount = second.principal_due + second.interest_due + fen(second.principal_due * D("0.09") / 360 * 10)
    rep = post(w, loan, "BACK", amount, date(2024, 3, 25))
    loan.refresh_from_db()
    second.refresh_from_db()
    assert second.is_settled and second.penalty_accrued == D("40.74") and rep.unapplied == 0
    assert (loan.days_past_due, loan.risk_class) == (0, 1)
    assert rep.revaluation["days_past_due"] == [20, 0] and rep.revaluation["risk_class"] == [2, 1]


def test_repayment_before_a_later_posted_one_is_refused_naming_the_value_date(lending_world):
    w = lending_world
    loan = draw(w)
    _paid_first(w, loan)
    with pytest.raises(ValidationError) as exc:
        post(w, loan, "EARLIER", "100.00", date(2024, 2, 1))
    assert "value_date" in exc.value.message_dict


# ------------------------------------------------------------------------------ product terms (item 5)

def test_product_terms_are_copied_to_contract_and_loan_disclosed_and_used(lending_world):
    w = lending_world
    product_update(actor=None, product=w.products["credit"], penalty_multiplier=D("1.3"),
                   allocation_order="interest,penalty,principal")
    w.products["credit"].refresh_from_db()
    assert w.products["credit"].terms_version == 2
    loan = disbursed_loan(w, amount="200000", rate="0.0600", disbursed_on=date(2024, 1, 15))
    contract = loan.contract
    assert (contract.penalty_multiplier, contract.allocation_order, contract.product_terms_version) == (
        D("1.300"), "interest,penalty,principal", 2)
    assert contract.disclosures["penalty_rate"] == "0.078000"  # 6% x 1.3
    assert contract.disclosures["allocation_order"] == "interest,penalty,principal"
    # A later change of the product does not reach the signed loan.
    product_update(actor=None, product=w.products["credit"], penalty_multiplier=D("1.5"))
    loan.refresh_from_db()
    assert (loan.penalty_multiplier, loan.allocation_order) == (D("1.300"), "interest,penalty,principal")
    first = loan.instalments.get(seq=1)
    late = date.fromordinal(first.due_date.toordinal() + 10)
    rep = post(w, loan, "LATE", str(first.interest_due), late)
    penalty = fen(first.principal_due * D("0.06") * D("1.3") / 360 * 10)
    # Interest first: the payment of exactly the interest leaves the penalty open.
    assert (rep.interest_part, rep.penalty_part) == (first.interest_due, 0)
    first.refresh_from_db()
    assert first.penalty_accrued == penalty


def test_contract_without_fee_discloses_bullet_apr_equal_to_the_rate(lending_world):
    rows = build_schedule(principal=P200K, annual_rate=RATE6, periods=12, method=RepaymentMethod.BULLET,
                          start=date(2024, 1, 15))
    assert annualised_rate(principal=P200K, rows=rows, periods=12) == RATE6


# ------------------------------------------------------------------------- re-used references (item 6)

def test_reused_reference_same_content_skips_other_content_refuses_the_file(lending_world):
    w = lending_world
    loan = draw(w)
    first = loan.instalments.get(seq=1)
    amount = first.principal_due + first.interest_due
    header = "external_ref,loan_number,amount,value_date\n"
    repayments_import(actor=w.user("operations"), text=header + f"R1,{loan.number},{amount},2024-02-18\n")
    again = repayments_import(actor=w.user("operations"),
                              text=header + f"R1,{loan.number},{amount},2024-02-18\n")
    assert (again.posted, again.already_posted) == (0, 1)
    other = header + f"R2,{loan.number},100.00,2024-03-15\nR1,{loan.number},999.00,2024-02-18\n"
    with pytest.raises(RepaymentImportError) as exc:
        repayments_import(actor=w.user("operations"), text=other)
    assert [(e.row, e.field) for e in exc.value.errors] == [(3, "external_ref")]
    assert not Repayment.objects.filter(external_ref="R2").exists()
