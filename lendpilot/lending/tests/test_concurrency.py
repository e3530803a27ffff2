"""Races that must end with exactly one winner (PostgreSQL, parallel threads, row locks and constraints).

SQLite serialises every writer on one database lock, so these races cannot happen there; the tests
skip on SQLite and run in CI against PostgreSQL."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, connections

from lendpilot.core.errors import Conflict
from lendpilot.lending import services
from lendpilot.lending.models import CreditLine, Decision, Loan, Repayment
from lendpilot.lending.tests.conftest import activate_scorecard, approve_all, disbursed_loan, submitted
from lendpilot.org.roles import Role
from lendpilot.org.services import staff_create

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres_only(live_world, trained_scorecard):
    if connection.vendor != "postgresql":
        pytest.skip("row-lock races need PostgreSQL; SQLite serialises all writers (CI runs these on PostgreSQL)")
    activate_scorecard(live_world, trained_scorecard)  # cases are graded by the pre-screen engine


def race(*calls):
    """Run the calls at the same moment in threads; return (results, errors)."""
    start = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            start.wait()
            results.append(call())
        except Exception as exc:  # noqa: BLE001 - collected for the assertions
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_two_approvers_at_once_one_wins(live_world, postgres_only):
    w = live_world
    app = submitted(w)
    second_l1 = staff_create(actor=None, username="risk_l1b", password="x-Lendpilot-1", name="风控1B",
                             employee_no="E9101", role=Role.RISK_OFFICER, approval_level=1,
                             approval_limit=Decimal("1000000"))
    # Both approvers opened the case at step 0 (the page and the API send the step they showed).
    results, errors = race(
        lambda: services.application_decide(actor=w.user("risk_l1"), application=app, outcome="approve",
                                            expected_step=0),
        lambda: services.application_decide(actor=second_l1.user, application=app, outcome="approve",
                                            expected_step=0),
    )
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], Conflict)
    assert Decision.objects.filter(application=app).count() == 1
    app.refresh_from_db()
    assert app.step == 1


def test_same_repayment_posted_twice_in_parallel_posts_once(live_world, postgres_only):
    w = live_world
    loan = disbursed_loan(w)
    first = loan.instalments.get(seq=1)
    amount = first.principal_due + first.interest_due

    def post():
        return services.repayment_post(actor=w.user("operations"), loan=loan, external_ref="CB-RACE", amount=amount,
                                       value_date=date(2025, 2, 10))

    results, errors = race(post, post, post, post)
    assert len(results) == 1 and len(errors) == 3
    assert all(isinstance(e, Conflict) and e.field == "external_ref" for e in errors)
    assert Repayment.objects.filter(external_ref="CB-RACE").count() == 1
    loan.refresh_from_db()
    assert loan.outstanding_principal == loan.principal - first.principal_due


def test_two_draws_exceeding_the_limit_together_one_wins(live_world, postgres_only):
    w = live_world
    line = services.credit_line_create(actor=w.user("risk_l2"), customer=w.customers["am_wang_person"],
                                       product=w.products["credit"], limit=Decimal("200000"),
                                       annual_rate=Decimal("0.09"), expires_on=date(2099, 1, 1))

    def draw():
        return services.credit_line_draw(actor=w.user("operations"), line=line, amount=Decimal("150000"),
                                         term_months=12, repayment_method="equal_principal",
                                         drawn_on=date(2025, 1, 10))

    results, errors = race(draw, draw)
    assert len(results) == 1 and len(errors) == 1 and isinstance(errors[0], Conflict)
    line.refresh_from_db()
    assert line.utilised == Decimal("150000.00")
    assert Loan.objects.filter(credit_line=line).count() == 1


def test_freeze_blocks_draws_at_once(live_world, postgres_only):
    w = live_world
    line = services.credit_line_create(actor=w.user("risk_l2"), customer=w.customers["am_wang_person"],
                                       product=w.products["credit"], limit=Decimal("400000"),
                                       annual_rate=Decimal("0.09"), expires_on=date(2099, 1, 1))
    services.credit_line_set_status(actor=w.user("risk_l2"), line=line, status="frozen", reason="预警")
    results, errors = race(*[lambda: services.credit_line_draw(
        actor=w.user("operations"), line=line, amount=Decimal("10000"), term_months=12,
        repayment_method="equal_principal", drawn_on=date(2025, 1, 10))] * 3)
    assert not results and len(errors) == 3
    assert CreditLine.objects.get(pk=line.pk).utilised == 0


def test_two_approvers_deciding_the_same_step_at_once_get_one_200_and_one_409(live_world, postgres_only):
    """Both opened the secondary review (step 1); the slower one must not approve the final level instead."""
    from django.test import Client

    w = live_world
    app = approve_all(w, submitted(w, grade="C"), ["risk_l1"])
    assert app.step == 1 and app.route == [1, 2, 3]
    second_l2 = staff_create(actor=None, username="risk_l2b", password="x-Lendpilot-1", name="风控2B",
                             employee_no="E9102", role=Role.RISK_OFFICER, approval_level=2,
                             approval_limit=Decimal("4000000"))

    def post(user):
        client = Client()
        client.force_login(user)
        return client.post(f"/api/v1/lending/applications/{app.pk}/decide",
                           {"outcome": "approve", "reason": "复审同意", "expected_step": 1},
                           content_type="application/json").status_code

    for _ in range(3):  # the race is repeated on fresh cases: the answer never depends on who wins
        results, errors = race(lambda: post(w.user("risk_l2")), lambda: post(second_l2.user))
        assert errors == [] and sorted(results) == [200, 409]
        app.refresh_from_db()
        assert app.step == 2 and app.status == "in_review"
        assert Decision.objects.filter(application=app, step=1).count() == 1
        assert not Decision.objects.filter(application=app, step=2).exists()
        app = approve_all(w, submitted(w, grade="C", customer="am_wang_company", product="mortgage",
                                       amount="600000", method="interest_first", rate="0.06", term=24),
                          ["risk_l1"])
