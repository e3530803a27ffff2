"""A confirmed sanctions hit freezes the customer's lending: no submission, no payout, nothing changed."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from lendpilot.compliance.screening import services as screening
from lendpilot.compliance.screening.models import ScreeningHit
from lendpilot.compliance.screening.names import Subject
from lendpilot.compliance.screening.selectors import customer_ref
from lendpilot.compliance.screening.watchlist_file import WatchRow
from lendpilot.core.errors import Conflict
from lendpilot.lending import services
from lendpilot.lending.models import Application, Contract, Loan
from lendpilot.lending.tests.conftest import approve_all, draft, submitted
from lendpilot.org.roles import Role
from lendpilot.org.services import staff_create
from lendpilot.testing import PASSWORD


def _freeze(world, customer) -> None:
    officer = world.user("compliance")
    second = staff_create(actor=None, username="compliance2", password=PASSWORD, name="合规复核",
                          employee_no="E9001", role=Role.COMPLIANCE_OFFICER).user
    screening.watch_list_import(actor=officer, name="UN", version="1",
                                rows=[WatchRow(2, customer.name, (), (), None, "")])
    screening.screening_run(actor=officer, subjects=[Subject(customer_ref(customer.pk), customer.name)])
    hit = ScreeningHit.objects.get()
    screening.hit_propose(actor=officer, hit=hit, decision="confirmed", note="name and list agree")
    screening.hit_decide(actor=second, hit=hit, approve=True)


def test_a_frozen_applicant_cannot_be_submitted(lending_world):
    world = lending_world
    app = draft(world)
    _freeze(world, app.applicant)
    with pytest.raises(ValidationError) as caught:
        services.application_submit(actor=world.user("am_wang"), application=app, today=date(2025, 6, 2))
    assert "applicant" in caught.value.message_dict
    app.refresh_from_db()
    assert app.status == Application.Status.DRAFT


def test_a_frozen_borrower_is_not_paid_out(lending_world):
    world = lending_world
    app = approve_all(world, submitted(world), ["risk_l1", "risk_l3"])
    contract = services.contract_generate(actor=world.user("operations"), application=app)
    services.contract_sign(actor=world.user("operations"), contract=contract)
    _freeze(world, app.applicant)
    with pytest.raises(Conflict):
        services.loan_disburse(actor=world.user("operations"), contract=contract)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SIGNED
    assert not Loan.objects.filter(contract=contract).exists()
