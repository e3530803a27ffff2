"""In a real browser: a case from the account manager's form through three different approvers to
disbursement by operations (C2 four eyes, contract, loan with its schedule)."""

import pytest
from playwright.sync_api import expect

from lendpilot.lending.models import Application, Loan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def checklists(live_world, trained_scorecard):
    from lendpilot.lending.services import checklist_item_set
    from lendpilot.lending.tests.conftest import activate_scorecard

    activate_scorecard(live_world, trained_scorecard)

    checklist_item_set(actor=None, product=live_world.products["credit"], code="id_card", label="身份证")
    checklist_item_set(actor=None, product=live_world.products["credit"], code="income_proof", label="收入证明",
                       kind="verification")
    return live_world



def test_case_goes_from_submission_through_three_approvers_to_disbursement(checklists, page_as):
    world = checklists
    page = page_as("am_wang")
    page.goto("/lending/applications/new/")
    page.select_option("#id_applicant", str(world.customers["am_wang_person"].pk))
    page.select_option("#id_product", str(world.products["credit"].pk))
    page.fill("#id_amount", "200000")
    page.fill("#id_term_months", "12")
    page.select_option("#id_repayment_method", "equal_principal")
    page.fill("#id_annual_rate", "0.09")
    page.fill("#id_fee_amount", "0")
    page.fill("#id_purpose", "门店装修")
    page.fill("#id_monthly_income", "40000")
    page.fill("#id_monthly_debt_payments", "15000")
    # A thin credit file: the pre-screen grades it C or D, which needs initial, secondary and final review.
    page.fill("#id_employment_years", "0")
    page.fill("#id_bureau_inquiries_6m", "10")
    page.fill("#id_bureau_overdue_24m", "5")
    page.locator("#id_bureau_overdue_24m").dispatch_event("change")
    expect(page.locator("#prescreen-result")).to_be_visible()
    expect(page.locator("#prescreen-reasons li")).to_have_count(3)
    page.click("#application-save")
    expect(page.locator("#application-status")).to_be_visible()
    application = Application.objects.get()
    case_url = f"/lending/applications/{application.pk}/"
    for _ in range(2):
        page.locator("#checklist input[name=evidence]").first.fill("原件已核")
        page.locator("#checklist button[type=submit]").first.click()
    page.click("#application-submit")
    expect(page.locator("#decision-history")).to_be_visible()
    application.refresh_from_db()
    assert application.route == [1, 2, 3]

    # The submitter may not decide; each level is a different risk officer.
    assert page.goto(case_url).ok
    expect(page.locator("#decision-form")).to_have_count(0)
    for officer in ("risk_l1", "risk_l2", "risk_l3"):
        approver = page_as(officer)
        approver.goto(case_url)
        approver.select_option("#id_outcome", "approve")
        approver.fill("#id_reason", "资料齐全，同意")
        approver.click("#decision-save")
        expect(approver.locator("#decision-history tbody tr")).to_have_count(["risk_l1", "risk_l2", "risk_l3"]
                                                                             .index(officer) + 1)
    application.refresh_from_db()
    assert application.status == "approved"

    operations = page_as("operations")
    operations.goto(case_url)
    operations.click("#contract-generate")
    operations.click("#contract-sign")
    expect(operations.locator("#contract-pdf")).to_be_visible()
    operations.click("#loan-disburse")
    expect(operations.locator("#payout-amount")).to_be_visible()
    operations.check("#id_confirm")
    operations.click("#payout-confirm")
    expect(operations.locator("#schedule-table tbody tr")).to_have_count(12)
    loan = Loan.objects.get()
    assert loan.principal == application.amount


DEMO_STEPS = ("lendpilot.org.demo", "lendpilot.products.demo", "lendpilot.customers.demo", "lendpilot.scoring.demo",
              "lendpilot.lending.demo")


def test_demo_bank_cases_of_03m_4m_and_25m_reach_a_decision_through_the_pages(page_as):
    """The demo bank's own officers: reviews at L1 and L2 take any amount, L3 decides up to its limit and
    the director above it; every queue row says who can act."""
    from decimal import Decimal

    from lendpilot.core.seeding import SeedContext
    from lendpilot.demo.steps import run_steps
    from lendpilot.testing import PASSWORD

    ctx = SeedContext.create(scale="tiny", seed=5, show_progress=False)
    ctx.password = PASSWORD
    run_steps(ctx, steps=DEMO_STEPS)
    amounts = [Decimal("300000"), Decimal("4000000"), Decimal("25000000")]
    cases = {a.amount: a for a in Application.objects.filter(status="in_review", amount__in=amounts)}
    assert sorted(cases) == amounts
    pages = {}

    def officer_page(level: int):
        username = "director" if level == 4 else f"risk_l{level}"
        if username not in pages:
            pages[username] = page_as(username)
        return pages[username]

    for amount in amounts:
        app = cases[amount]
        decided = 0
        while app.status == "in_review":
            officer = officer_page(app.current_level)
            officer.goto(f"/lending/queues/{app.current_level}/")
            cells = officer.locator("#queue-table td.waiting-for")
            for n in range(cells.count()):  # nobody's queue shows a case without who can act on it
                assert int(cells.nth(n).get_attribute("data-able")) >= 1
            mine = officer.locator(f"#queue-table tr:has(a:text-is('{app.number}')) td.waiting-for")
            expect(mine).to_have_attribute("data-you-can-act", "yes")
            expect(mine).to_contain_text(f"L{app.current_level}")
            officer.locator(f"#queue-table a:text-is('{app.number}')").click()
            expect(officer.locator("#decision-form")).to_be_visible()
            officer.select_option("#id_outcome", "approve")
            officer.fill("#id_reason", "资料齐全，同意" if app.step == len(app.route) - 1 else "建议同意")
            officer.click("#decision-save")
            decided += 1
            expect(officer.locator("#decision-history tbody tr")).to_have_count(decided)
            app.refresh_from_db()
        assert app.status == "approved", (amount, app.route)
        assert decided == len(app.route)
    assert cases[Decimal("25000000")].route[-1] == 4  # above the final approvers' limit: the director decided
