"""A loan a channel partner brought in is a joint loan: its booking is refused when the bank's part would break
the single-partner cap (share of net tier-1 capital) or the all-partners cap (share of total loans), and is
booked once the limits allow it. Nothing is written by a refused payout."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from lendpilot.channels.models import Partner
from lendpilot.lending import services
from lendpilot.lending.models import Contract, Loan
from lendpilot.lending.tests.conftest import approve_all, engine_prescreen
from lendpilot.testing import make_loan

pytestmark = pytest.mark.django_db


def _signed_partner_contract(world, partner: Partner) -> Contract:
    log = engine_prescreen(world, customer="am_wang_person", product="credit", amount="300000", term=12, grade="A")
    app = services.application_create(
        actor=world.user("am_wang"), applicant=world.customers["am_wang_person"], product=world.products["credit"],
        amount=Decimal("300000"), term_months=12, repayment_method="equal_instalment", annual_rate=Decimal("0.08"),
        purpose="流动资金周转", monthly_income=Decimal("50000"), monthly_debt_payments=Decimal("5000"),
        prescreen=log, partner=partner)
    for entry in app.checklist.select_related("item"):
        services.checklist_mark(actor=world.user("am_wang"), application=app, item_code=entry.item.code,
                                evidence="已核验")
    app = approve_all(world, services.application_submit(actor=world.user("am_wang"), application=app,
                                                         today=date(2025, 6, 2)), ["risk_l1", "risk_l3"])
    contract = services.contract_generate(actor=world.user("operations"), application=app)
    services.contract_sign(actor=world.user("operations"), contract=contract)
    return contract


def _pay_out(world, contract):
    return services.loan_disburse(actor=world.user("operations"), contract=contract, disbursed_on=date(2025, 6, 10))


def test_joint_loan_over_the_single_partner_cap_is_refused_at_booking(lending_world, settings):
    world = lending_world
    partner = Partner.objects.get(login=world.staff["partner"])
    make_loan(world, amount="5000000", on=date(2025, 1, 10))  # the bank's own book: the 50% cap has room
    contract = _signed_partner_contract(world, partner)
    # 25% of 800,000 is 200,000; the bank funds 70% of 300,000 = 210,000.
    settings.CHANNELS_NET_TIER1_CAPITAL = "800000"
    with pytest.raises(ValidationError) as refused:
        _pay_out(world, contract)
    assert "net tier-1 capital" in str(refused.value.message_dict["amount"])
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SIGNED and not Loan.objects.filter(contract=contract).exists()
    settings.CHANNELS_NET_TIER1_CAPITAL = "840000"  # 25% is exactly 210,000: at the cap fits
    loan = _pay_out(world, contract)
    assert loan.contract_id == contract.pk and loan.principal == Decimal("300000")


def test_joint_loan_breaking_the_all_partners_share_of_total_loans_is_refused(lending_world):
    world = lending_world
    partner = Partner.objects.get(login=world.staff["partner"])
    make_loan(world, amount="200000", on=date(2025, 1, 10))  # 210,000 of 410,000 would be with partners
    contract = _signed_partner_contract(world, partner)
    with pytest.raises(ValidationError) as refused:
        _pay_out(world, contract)
    assert "all partners" in str(refused.value.message_dict["amount"])
    assert Loan.objects.count() == 1


def test_an_application_names_only_a_listed_partner(lending_world):
    world = lending_world
    partner = Partner.objects.get(login=world.staff["partner"])
    Partner.objects.filter(pk=partner.pk).update(status=Partner.Status.DELISTED)
    partner.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        _signed_partner_contract(world, partner)
    assert "partner" in refused.value.message_dict
