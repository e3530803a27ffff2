"""The bank's working day through the pages only, each step by the role that owns it (issue 18, Done when):
a partner submits a lead -> the team lead assigns it -> the account manager makes first contact, registers
the customer and saves a proposal -> the application with its live pre-screen -> initial, secondary and
final review of a CNY 4M case -> the contract as a PDF, signed -> two operations officers pay it out ->
operations posts a repayment -> the director's home shows the payout and the manager's month-to-date
commission has moved. No API call, no admin page, no manual move of the funnel past the proposal: the
opportunity follows the loan.

Each step leaves a screenshot: in a temporary directory by default, or in the directory named by
LENDPILOT_SCREENSHOTS (`LENDPILOT_SCREENSHOTS=docs/screenshots pytest -m browser ...` refreshes the
README's pictures)."""

import os
import random
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lendpilot.customers.models import Customer
from lendpilot.customers.synthetic import make_bank_card, make_id_number, make_mobile
from lendpilot.incentives.commission import DEFAULT_PLAN
from lendpilot.incentives.services import commission_plan_publish
from lendpilot.lending.models import Application, Loan, Repayment
from lendpilot.lending.services import checklist_item_set
from lendpilot.org.roles import Role
from lendpilot.org.services import staff_create
from lendpilot.sales.models import Lead, Opportunity
from lendpilot.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AMOUNT = Decimal("4000000")
CUSTOMER_NAME = "陈晓东"


class Shots:
    """Numbered full-page screenshots of the walk."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def take(self, page, name: str) -> None:
        self.count += 1
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{name}.png"), full_page=True)


@pytest.fixture
def shots(tmp_path) -> Shots:
    chosen = os.environ.get("LENDPILOT_SCREENSHOTS")
    return Shots(Path(chosen).resolve() if chosen else tmp_path / "screenshots")


@pytest.fixture
def page_as(chromium, live_server):
    """A signed-in page per person, each in its own browser context; the walk is long and the machine may
    be busy, so a step waits up to 30 s (a failing step still fails)."""
    contexts = []

    def open_page(username: str):
        context = chromium.new_context(base_url=live_server.url, locale="zh-CN",
                                       viewport={"width": 1280, "height": 900})
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("#login-submit")
        page.wait_for_url("**/")
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def bank(live_world):
    """The test bank made ready for the day: an active scorecard for the pre-screen, the mortgage
    checklist, the commission plan, and a second operations officer for payouts above the threshold."""
    from lendpilot.scoring import synthetic, training
    from lendpilot.scoring.services import scorecard_activate, scorecard_version_store

    w = live_world
    result = training.train(synthetic.training_frame(3000, seed=11), target="bad", with_cv=False)
    for family in ("credit", "mortgage"):
        scorecard_activate(actor=w.user("risk_l2"), version=scorecard_version_store(
            actor=w.user("risk_l1"), family=family, result=result))
    checklist_item_set(actor=None, product=w.products["mortgage"], code="title_deed", label="房产证")
    commission_plan_publish(actor=w.user("director"), name="2026 销售提成方案", spec=DEFAULT_PLAN)
    w.staff["operations_2"] = staff_create(actor=None, username="operations_2", password=PASSWORD, name="运营复核",
                                           employee_no="E9002", role=Role.OPERATIONS)
    rng = random.Random(18)
    w.person = {"id_number": make_id_number(rng), "phone": make_mobile(rng), "bank_account": make_bank_card(rng)}
    return w


def partner_submits_a_lead(w, page_as, shots):
    partner = page_as("partner")
    shots.take(partner, "partner-home")
    portal = partner.locator("#home-partner-portal")
    if portal.count():
        portal.click()
    else:
        pytest.skip("the partner portal page (sales:partner_portal) does not exist yet")
    partner.select_option("#id_kind", "person")
    partner.fill("#id_name", CUSTOMER_NAME)
    partner.fill("#id_phone", w.person["phone"])
    partner.fill("#id_id_number", w.person["id_number"])
    partner.select_option("#id_industry", "F")
    partner.select_option("#id_region", str(w.regions["east"].pk))
    partner.select_option("#id_product", str(w.products["mortgage"].pk))
    partner.fill("#id_amount_wanted", str(AMOUNT))
    partner.click("#partner-submit")
    expect(partner.locator("#partner-submissions tbody tr[data-lead]")).to_have_count(1)
    shots.take(partner, "partner-submits-a-lead")
    lead = Lead.objects.get(name=CUSTOMER_NAME)
    assert lead.status == Lead.Status.QUALIFIED, lead.disqualification_reasons
    return lead


def team_lead_assigns(w, page_as, shots, lead):
    team_lead = page_as("east_a_lead")
    team_lead.goto("/sales/assignment/")
    box = team_lead.locator(f'#assignment-candidates input[name="lead"][value="{lead.pk}"]')
    expect(box).not_to_be_checked()  # the screen starts with nothing selected
    box.check()
    team_lead.click("#assignment-preview")
    team_lead.select_option(f'select[name="override-{lead.pk}"]', str(w.staff["am_wang"].pk))
    shots.take(team_lead, "team-lead-assigns")
    team_lead.click("#assignment-apply")
    opportunity = Opportunity.objects.get(lead=lead)
    assert opportunity.owner == w.staff["am_wang"] and opportunity.node == "screening"
    return opportunity


def manager_makes_first_contact(w, manager, shots, opportunity):
    manager.goto("/sales/")
    manager.locator(f'[data-opportunity="{opportunity.pk}"] a').first.click()
    manager.select_option("#id_act-kind", "call")
    manager.select_option("#id_act-outcome", "positive")
    manager.fill("#id_act-notes", "客户有经营周转需求，名下商铺可作抵押")
    manager.click("#activity-form button[type=submit]")
    expect(manager.locator("#move-next")).to_have_attribute("data-move-to", "first_contact")
    manager.click("#move-next")
    expect(manager.locator("#move-next")).to_have_attribute("data-move-to", "proposal")
    shots.take(manager, "manager-first-contact")
    # The customer is registered from what the partner handed in; the opportunity finds it by ID number.
    manager.goto("/customers/new/")
    manager.select_option("#id_kind", "person")
    manager.fill("#id_name", CUSTOMER_NAME)
    manager.fill("#id_id_number", w.person["id_number"])
    manager.fill("#id_phone", w.person["phone"])
    manager.fill("#id_bank_account", w.person["bank_account"])
    manager.select_option("#id_industry", "F")
    manager.select_option("#id_region", str(w.regions["east"].pk))
    manager.click("#customer-save")
    expect(manager.locator("#pii-id_number")).to_be_visible()
    return Customer.objects.get(name=CUSTOMER_NAME)


def manager_saves_a_proposal(w, manager, shots, opportunity):
    manager.goto(f"/sales/opportunities/{opportunity.pk}/")
    manager.select_option("#id_prop-product", str(w.products["mortgage"].pk))
    manager.fill("#id_prop-amount", str(AMOUNT))
    manager.fill("#id_prop-term_months", "60")
    manager.select_option("#id_prop-repayment_method", "equal_instalment")
    manager.fill("#id_prop-annual_rate", "0.06")
    manager.click("#proposal-form button[type=submit]")
    expect(manager.locator("#proposals tbody tr")).to_have_count(1)
    manager.click("#move-next")
    expect(manager.locator("#open-application")).to_be_visible()
    shots.take(manager, "manager-proposal")


def manager_applies_with_live_prescreen(w, manager, shots, customer):
    manager.click("#open-application")
    manager.select_option("#id_applicant", str(customer.pk))
    manager.select_option("#id_product", str(w.products["mortgage"].pk))
    manager.fill("#id_amount", str(AMOUNT))
    manager.fill("#id_term_months", "60")
    manager.select_option("#id_repayment_method", "equal_instalment")
    manager.fill("#id_annual_rate", "0.06")
    manager.fill("#id_fee_amount", "0")
    manager.fill("#id_purpose", "经营周转")
    manager.fill("#id_monthly_income", "400000")
    manager.fill("#id_monthly_debt_payments", "20000")
    manager.fill("#id_employment_years", "12")
    manager.fill("#id_bureau_inquiries_6m", "1")
    manager.fill("#id_bureau_overdue_24m", "0")
    manager.fill("#id_collateral_value", "8000000")
    manager.fill("#id_age", "45")
    manager.locator("#id_age").dispatch_event("change")
    expect(manager.locator("#prescreen-result")).to_be_visible()
    shots.take(manager, "application-live-prescreen")
    manager.click("#application-save")
    expect(manager.locator("#application-status")).to_be_visible()
    shots.take(manager, "application-created")
    application = Application.objects.get(applicant=customer)
    manager.locator("#checklist input[name=evidence]").first.fill("房产证原件已核")
    manager.locator("#checklist button[type=submit]").first.click()
    expect(manager.locator("#checklist .badge.bg-success")).to_have_count(1)
    form = manager.locator("#collateral-form")
    if not form.is_visible():
        manager.locator("details:has(#collateral-form) > summary").click()
    form.locator("select[name$=kind]").select_option("real_estate")
    form.locator("input[name$=description]").fill("上海市浦东新区商铺一套")
    form.locator("input[name$=valuation]").fill("8000000")
    form.locator("input[name$=valuer]").fill("上海房地产估价有限公司")
    form.locator("input[name$=valued_on]").fill(timezone.localdate().isoformat())
    form.locator("button[type=submit]").click()
    expect(manager.locator("#case-collateral")).not_to_contain_text("stated")
    manager.click("#application-submit")
    expect(manager.locator("#decision-history")).to_be_visible()
    shots.take(manager, "application-submitted")
    application.refresh_from_db()
    assert application.status == "in_review" and application.route == [1, 2, 3]
    return application


def manager_sees_the_opportunity_follow(manager, shots, opportunity, node: str) -> None:
    """The opportunity moves with its loan application when its page loads; nobody moves it by hand. The
    page asks the server to follow the loans as it loads and reloads itself when something moved."""
    for _attempt in range(5):
        manager.goto(f"/sales/opportunities/{opportunity.pk}/")
        manager.wait_for_load_state("networkidle")
        opportunity.refresh_from_db()
        if opportunity.node == node:
            break
    assert opportunity.node == node, f"the opportunity stayed at {opportunity.node}, its loan says {node}"
    assert not opportunity.transitions.filter(to_node=node).exclude(actor_label="lending").exists()
    manager.goto(f"/sales/opportunities/{opportunity.pk}/")
    shots.take(manager, f"opportunity-follows-the-loan-{node}")


def officers_review_and_approve(page_as, shots, application):
    for n, officer in enumerate(("risk_l1", "risk_l2", "risk_l3"), start=1):
        reviewer = page_as(officer)
        queue = reviewer.locator("#home-risk-queue")
        expect(queue).to_be_visible()
        if n == 1:
            shots.take(reviewer, "risk-officer-desk")
        queue.locator(f"a:text-is('{application.number}')").click()
        expect(reviewer.locator("#decision-form")).to_be_visible()
        reviewer.select_option("#id_outcome", "approve")
        reviewer.fill("#id_reason", "资料齐全，抵押充足，同意" if n == 3 else "建议同意")
        reviewer.click("#decision-save")
        expect(reviewer.locator("#decision-history tbody tr")).to_have_count(n)
        shots.take(reviewer, f"review-level-{n}")
    application.refresh_from_db()
    assert application.status == "approved"


def operations_contracts_and_pays_out(page_as, shots, application):
    operations = page_as("operations")
    expect(operations.locator("#home-operations")).to_be_visible()
    operations.locator(f"#home-to-contract a:text-is('{application.number}')").click()
    operations.click("#contract-generate")
    pdf = operations.request.get(operations.locator("#contract-pdf").get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"].startswith("application/pdf") and pdf.body()[:4] == b"%PDF"
    operations.click("#contract-sign")
    shots.take(operations, "contract-signed")
    operations.click("#loan-disburse")
    expect(operations.locator("#payout-amount")).to_be_visible()
    expect(operations.locator("#payout-two-people")).to_be_visible()  # CNY 4M takes two officers
    operations.check("#id_confirm")
    shots.take(operations, "payout-confirmation")
    operations.click("#payout-confirm")
    operations.wait_for_url(f"**/lending/applications/{application.pk}/*")
    assert not Loan.objects.filter(contract__application=application).exists()  # requested, not yet paid
    second = page_as("operations_2")
    second.goto(f"/lending/applications/{application.pk}/")
    second.click("#loan-disburse")
    second.check("#id_confirm")
    second.click("#payout-confirm")
    second.wait_for_url("**/lending/loans/*/")
    loan = Loan.objects.get(contract__application=application)
    assert loan.principal == AMOUNT
    shots.take(second, "payout-confirmed")
    return operations, loan


def operations_posts_a_repayment(operations, shots, loan):
    operations.goto("/lending/repayments/")
    operations.fill("#id_loan_number", loan.number)
    operations.fill("#id_external_ref", "BANK-20260-0001")
    operations.fill("#id_amount", "50000")
    operations.fill("#id_value_date", timezone.localdate().isoformat())
    operations.click("#repayment-post")
    expect(operations.locator("#recent-repayments")).to_contain_text(loan.number)
    shots.take(operations, "repayment-posted")
    assert Repayment.objects.filter(loan=loan).count() == 1


def test_the_working_day_through_the_pages(bank, page_as, shots):
    w = bank
    lead = partner_submits_a_lead(w, page_as, shots)
    opportunity = team_lead_assigns(w, page_as, shots, lead)

    manager = page_as("am_wang")
    before = manager.locator("#commission-month-to-date").get_attribute("data-total")
    shots.take(manager, "manager-desk-before")
    customer = manager_makes_first_contact(w, manager, shots, opportunity)
    manager_saves_a_proposal(w, manager, shots, opportunity)
    application = manager_applies_with_live_prescreen(w, manager, shots, customer)
    manager_sees_the_opportunity_follow(manager, shots, opportunity, "qualification")

    officers_review_and_approve(page_as, shots, application)
    operations, loan = operations_contracts_and_pays_out(page_as, shots, application)
    operations_posts_a_repayment(operations, shots, loan)

    director = page_as("director")
    row = director.locator(f'#home-latest-disbursements tr[data-loan="{loan.number}"]')
    expect(row).to_be_visible()
    after = row.locator(".month-to-date").get_attribute("data-total")
    assert Decimal(after) > Decimal(before)
    shots.take(director, "director-desk")

    manager.goto("/")
    expect(manager.locator("#commission-month-to-date")).to_have_attribute("data-total", after)
    shots.take(manager, "manager-desk-after")
    manager_sees_the_opportunity_follow(manager, shots, opportunity, "won")
    assert opportunity.application_id == application.pk
