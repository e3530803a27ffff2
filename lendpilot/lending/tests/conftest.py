"""Helpers for lending tests: a case ready to submit, a case taken through approval, a disbursed loan."""

from datetime import date
from decimal import Decimal

import pytest

from lendpilot.lending import services
from lendpilot.lending.models import Application, Loan


def engine_prescreen(world, *, customer, product, amount, term: int, grade: str):
    """The engine's logged answer for an applicant, with the grade a test needs (the log is what the pre-screen
    writes; the route tests need every grade, which a trained card gives only for contrived applicants)."""
    from django.utils import timezone

    from lendpilot.scoring.models import PrescreenLog, ScorecardVersion

    product = world.products[product] if isinstance(product, str) else product
    version = ScorecardVersion.objects.filter(family=product.category, status="active").first() \
        or ScorecardVersion.objects.order_by("-id").first()
    return PrescreenLog.objects.create(
        month=timezone.localdate().replace(day=1), customer=world.customers[customer] if isinstance(customer, str)
        else customer, product=product, amount=Decimal(amount), term_months=term, scorecard_version=version,
        score={"A": 720.0, "B": 660.0, "C": 610.0, "D": 570.0, "E": 520.0}[grade],
        pd={"A": 0.02, "B": 0.05, "C": 0.1, "D": 0.2, "E": 0.4}[grade], grade=grade, decision="pass",
        inputs={"employment_years": 8.0, "bureau_inquiries_6m": 0, "bureau_overdue_24m": 0,
                "credit_history_months": 96})


def draft(world, *, customer="am_wang_person", product="credit", amount="300000", grade="A", term=12,
          method="equal_instalment", rate="0.0800", by="am_wang", income="50000", debts="5000"):
    log = engine_prescreen(world, customer=customer, product=product, amount=amount, term=term, grade=grade)
    app = services.application_create(
        actor=world.user(by), applicant=world.customers[customer], product=world.products[product],
        amount=Decimal(amount), term_months=term, repayment_method=method, annual_rate=Decimal(rate),
        purpose="流动资金周转", monthly_income=Decimal(income), monthly_debt_payments=Decimal(debts),
        prescreen=log)
    for entry in app.checklist.select_related("item"):
        services.checklist_mark(actor=world.user(by), application=app, item_code=entry.item.code, evidence="已核验")
    if world.products[product].collateral == "required":
        services.collateral_add(actor=world.user(by), application=app, kind="real_estate", description="上海房产",
                                valuation=Decimal(amount) * 2, valuer="上海评估所", valued_on=date(2025, 1, 2))
    return app


def submitted(world, **kwargs) -> Application:
    by = kwargs.get("by", "am_wang")
    app = draft(world, **kwargs)
    return services.application_submit(actor=world.user(by), application=app, today=date(2025, 6, 2))


def decide(world, app: Application, key: str, outcome: str = "approve", **kwargs):
    """A decision on the step the case is at now, as a page or client that just opened it would send."""
    app.refresh_from_db()
    return services.application_decide(actor=world.user(key), application=app, outcome=outcome,
                                       expected_step=app.step, **kwargs)


def approve_all(world, app: Application, approvers: list[str]) -> Application:
    for key in approvers:
        decide(world, app, key, reason="ok", today=date(2025, 6, 3))
    app.refresh_from_db()
    return app


def disbursed_loan(world, *, disbursed_on=date(2025, 1, 10), **kwargs) -> Loan:
    app = approve_all(world, submitted(world, **kwargs), ["risk_l1", "risk_l3"])
    contract = services.contract_generate(actor=world.user("operations"), application=app)
    services.contract_sign(actor=world.user("operations"), contract=contract)
    return services.loan_disburse(actor=world.user("operations"), contract=contract, disbursed_on=disbursed_on)


@pytest.fixture
def lending_world(world, trained_scorecard):
    from lendpilot.lending.services import checklist_item_set

    # Cases are graded by the pre-screen engine only, so the bank has an active scorecard.
    activate_scorecard(world, trained_scorecard)

    checklist_item_set(actor=None, product=world.products["credit"], code="id_card", label="身份证")
    checklist_item_set(actor=None, product=world.products["credit"], code="income_proof", label="收入证明",
                       kind="verification")
    checklist_item_set(actor=None, product=world.products["mortgage"], code="title_deed", label="房产证")
    return world


@pytest.fixture(scope="session")
def trained_scorecard():
    """A scorecard trained once per session on synthetic history (training takes seconds)."""
    from lendpilot.scoring import synthetic, training

    return training.train(synthetic.training_frame(3000, seed=11), target="bad", with_cv=False)


def activate_scorecard(world, result, families=("credit", "mortgage")):
    """The pre-screen engine's scorecard, trained by risk_l1 and activated by risk_l2 (maker-checker)."""
    from lendpilot.scoring.services import scorecard_activate, scorecard_version_store

    return [scorecard_activate(actor=world.user("risk_l2"),
                               version=scorecard_version_store(actor=world.user("risk_l1"), family=family,
                                                               result=result))
            for family in families]


@pytest.fixture
def scored_world(lending_world):
    """The lending world with an active scorecard, so the application page can pre-screen."""
    return lending_world
