"""Property: for random loans and random repayment sequences (regular, over- and under-payments, declared
prepayments, settlements, back-dated after penalty accrued by the EOD, credit applied at the EOD), every
fen of cash received is either paid to principal, interest, penalty or fee, or held as the loan's credit;
outstanding principal never goes negative and equals the principal still open on the instalments."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lendpilot.core.reference import RepaymentMethod
from lendpilot.lending import services
from lendpilot.lending.allocation import accrue_penalty
from lendpilot.lending.models import Loan, Repayment

D = Decimal
START = date(2024, 1, 15)

loans = st.fixed_dictionaries({
    "amount": st.integers(min_value=10, max_value=499).map(lambda k: D(k * 1000) + D("0.37")),
    "term": st.integers(min_value=6, max_value=24),
    "rate": st.sampled_from([D("0.0435"), D("0.06"), D("0.0999"), D("0.18")]),
    "method": st.sampled_from([RepaymentMethod.EQUAL_INSTALMENT, RepaymentMethod.EQUAL_PRINCIPAL]),
})
steps = st.lists(st.tuples(
    st.integers(min_value=0, max_value=70),                     # days after the previous step
    st.sampled_from(["regular", "regular", "regular", "prepayment", "settlement", "eod", "backdated"]),
    st.integers(min_value=1, max_value=300),                    # amount, percent of the next payment
    st.booleans(),                                              # prepayment mode / settlement surplus
), min_size=1, max_size=10)


def _eod(loan: Loan, day: date) -> None:
    opened = list(loan.instalments.filter(is_settled=False).order_by("seq"))
    for inst, acc in zip(opened, accrue_penalty(services.open_instalments(opened), value_date=day,
                                                annual_rate=loan.annual_rate, multiplier=loan.penalty_multiplier),
                         strict=True):
        inst.penalty_accrued, inst.penalty_through = inst.penalty_paid + acc.penalty, acc.penalty_through
        inst.save(update_fields=["penalty_accrued", "penalty_through"])
    services.loans_update_delinquency(as_of=day, loan_ids=[loan.pk])


def _check(loan: Loan) -> None:
    loan.refresh_from_db()
    cash = loan.repayments.aggregate(s=Sum("amount"))["s"] or D("0")
    paid = loan.instalments.aggregate(p=Sum("principal_paid"), i=Sum("interest_paid"), n=Sum("penalty_paid"))
    fees = loan.repayments.aggregate(f=Sum("fee_part"))["f"] or D("0")
    allocated = sum((v or D("0") for v in paid.values()), D("0")) + fees
    assert allocated + loan.unapplied_credit == cash, (allocated, loan.unapplied_credit, cash)
    assert loan.outstanding_principal >= 0 and loan.unapplied_credit >= 0
    open_principal = sum((i.principal_due - i.principal_paid for i in loan.instalments.all()), D("0"))
    assert loan.outstanding_principal == open_principal
    for rep in loan.repayments.all():
        assert rep.penalty_part + rep.interest_part + rep.principal_part + rep.fee_part + rep.unapplied \
            == rep.amount + rep.credit_used, rep.external_ref


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(terms=loans, plan=steps)
def test_cash_received_equals_what_was_paid_plus_credit_to_the_fen(lending_world, terms, plan):
    w = lending_world
    with transaction.atomic():
        line = services.credit_line_create(actor=w.user("risk_l1"), customer=w.customers["am_wang_person"],
                                           product=w.products["credit"], limit=D("20000000"),
                                           annual_rate=terms["rate"], expires_on=date(2030, 1, 1))
        loan = services.credit_line_draw(actor=w.user("operations"), line=line, amount=terms["amount"],
                                         term_months=terms["term"], repayment_method=terms["method"],
                                         drawn_on=START)
        day, last_posted, horizon = START, START, START
        for n, (gap, kind, percent, flag) in enumerate(plan):
            day += timedelta(days=gap)
            loan.refresh_from_db()
            if loan.status != Loan.Status.ACTIVE:
                break
            if kind == "eod":
                _eod(loan, day)
                horizon = max(horizon, day)
                continue
            on = day
            if kind == "backdated":
                # Between the last posting and the EOD's accrual: a value date the EOD has already passed.
                on = last_posted + (horizon - last_posted) / 2 if horizon > last_posted else day
                kind = "regular"
            nxt = loan.instalments.filter(is_settled=False).order_by("seq").first()
            base = (nxt.principal_due + nxt.interest_due) if nxt else D("1000")
            amount = (base * percent / 100).quantize(D("0.01"))
            if kind == "settlement":
                amount = services.quote_settlement(loan, on).total - loan.unapplied_credit + (D("12.34") if flag
                                                                                              else D("0"))
            if amount <= 0:
                continue
            try:
                services.repayment_post(actor=w.user("operations"), loan=loan, external_ref=f"P{loan.pk}-{n}",
                                        amount=amount, value_date=on, kind=kind,
                                        prepayment_mode="shorten_term" if flag else "reduce_payment")
                last_posted = max(last_posted, on)
            except ValidationError:
                pass  # a refused posting (e.g. a prepayment short of what is due) changes nothing
            _check(loan)
        _check(loan)
        assert Repayment.objects.filter(loan=loan).count() <= len(plan)
        transaction.set_rollback(True)
