"""The EOD pushes each partner's month down to channels: the loans its applications brought in, their balance
and vintage cells; a rerun of the date changes nothing, conduct figures already on the month are kept, and the
monthly re-tiering reads the fresh facts."""

from datetime import date
from decimal import Decimal

import pytest

from lendpilot.channels.models import MonthFact, Partner, TierChange, VintageCell
from lendpilot.channels.services import partners_retier
from lendpilot.lending.models import Application, Contract, Loan
from lendpilot.monitoring import services
from lendpilot.monitoring.tests.conftest import make_loan

pytestmark = pytest.mark.django_db


def _partner_loan(world, partner: Partner, principal: str) -> Loan:
    customer = world.customers["am_wang_person"]
    application = Application.objects.create(
        number="AP-CH0001", applicant=customer, product=world.products["credit"], amount=Decimal(principal),
        term_months=12, repayment_method="equal_instalment", annual_rate=Decimal("0.12"), purpose="经营周转",
        risk_grade="B", monthly_income=Decimal("50000"), monthly_debt_payments=Decimal("0"),
        created_by=customer.manager, status=Application.Status.DISBURSED, partner=partner)
    contract = Contract.objects.create(
        application=application, number="CT-CH0001", principal=Decimal(principal), annual_rate=Decimal("0.12"),
        apr=Decimal("0.12"), term_months=12, repayment_method="equal_instalment", generated_by=customer.manager,
        status=Contract.Status.DISBURSED)
    loan = make_loan(world, principal=principal, disbursed_on=date(2025, 1, 10))
    Loan.objects.filter(pk=loan.pk).update(contract=contract)
    return loan


def test_eod_loads_partner_facts_idempotently_and_retiering_reads_them(world):
    partner = Partner.objects.get(login=world.staff["partner"])
    _partner_loan(world, partner, "1000000")
    make_loan(world, customer="am_chen_person", principal="500000")  # the bank's own: no partner's
    services.eod_run(actor=None, business_date=date(2025, 1, 31))
    january = MonthFact.objects.get(partner=partner, month=date(2025, 1, 1))
    assert (january.loans, january.disbursed, january.balance) == (1, Decimal("1000000"), Decimal("1000000"))
    services.eod_run(actor=None, business_date=date(2025, 4, 15))  # nothing paid since 10 February: 64 days
    cell = VintageCell.objects.get(partner=partner, cohort=date(2025, 1, 1), mob=3)
    assert cell.disbursed == Decimal("1000000") and cell.m1 == cell.m2 == Decimal("1000000") and cell.m3 == 0
    MonthFact.objects.filter(partner=partner, month=date(2025, 4, 1)).update(complaints=2)
    rows = (MonthFact.objects.count(), VintageCell.objects.count())
    services.eod_run(actor=None, business_date=date(2025, 4, 15), rerun=True)
    assert (MonthFact.objects.count(), VintageCell.objects.count()) == rows
    april = MonthFact.objects.get(partner=partner, month=date(2025, 4, 1))
    assert april.complaints == 2 and april.loans == 0 and april.balance == Decimal("1000000")
    assert partners_retier(actor=world.user("director"), month=date(2025, 4, 1)) == 1
    placed = TierChange.objects.get(partner=partner, month=date(2025, 4, 1))
    assert placed.metrics["loans"] == 1 and Decimal(placed.metrics["disbursed"]) == Decimal("1000000")
