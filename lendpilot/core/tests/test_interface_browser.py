"""In a real browser, the interface every role works in:

- the top bar holds at most seven groups whose drop-down menus show only what the role may use, with a
  readable contrast, breadcrumbs under it and a search box that finds what the person may see;
- axe-core (from the npm registry, `npm ci`; see package.json) finds no serious or critical accessibility
  violation on the main page of every package, each visited by a role that works there;
- on a 390 px phone, the home, customer, opportunity, application and command-centre pages do not scroll
  sideways;
- a keyboard user who moves a kanban card keeps the focus on that card.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import get_resolver, reverse
from playwright.sync_api import expect

from lendpilot.sales import services as sales_services
from lendpilot.sales.tests.factories import submitted_application
from lendpilot.testing import PASSWORD, make_loan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
# The main page of every package, each with a role that owns it; every role's home page as well.
MAIN_PAGES: dict[str, list[str]] = {
    "director": ["home", "products:list", "org:staff_list", "planning:plans", "market:data", "talent:reviews",
                 "insights:cockpit", "insights:review", "customers:segments"],
    "east_head": ["home"],
    "east_a_lead": ["home"],
    "am_wang": ["home", "customers:list", "sales:kanban", "incentives:statements", "compliance:my_trainings"],
    "risk_l1": ["home", "scoring:overview", "channels:desk", "lending:applications", "monitoring:alerts"],
    "operations": ["home", "lending:loans", "market:capacity", "service:complaints"],
    "compliance": ["home", "compliance:desk", "org:lockouts"],
    "partner": ["home", "sales:leads"],
}
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
}"""
CONTRAST = """(el) => {
  const rgb = (text) => text.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  let bg = el;
  while (bg && getComputedStyle(bg).backgroundColor.replace(/\\s/g, "").match(/rgba\\(0,0,0,0\\)|transparent/)) {
    bg = bg.parentElement;
  }
  const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(rgb(getComputedStyle(bg).backgroundColor))];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


@pytest.fixture
def open_as(chromium, live_server):
    """A signed-in page per user in its own context (the CSP let through only for axe's injected script)."""
    contexts = []
    get_resolver().url_patterns  # noqa: B018 (imports every page's module before the first, timed, request)

    def open_page(username: str, *, viewport: dict | None = None, bypass_csp: bool = False):
        context = chromium.new_context(base_url=live_server.url, locale="zh-CN", bypass_csp=bypass_csp,
                                       viewport=viewport or {"width": 1280, "height": 800})
        context.set_default_timeout(10_000)
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


def test_the_menu_groups_open_show_what_the_role_may_use_and_lead_to_breadcrumbs(live_world, open_as):
    page = open_as("director")
    page.click("#language-switch button[data-language='en']")  # the English labels are the code's own
    groups = page.locator("#main-nav [data-nav-group]")
    assert 1 <= groups.count() <= 7
    expect(page.locator("#nav-sales")).to_be_hidden()
    page.click("#nav-group-customers")
    expect(page.locator("#nav-sales")).to_be_visible()
    page.click("#nav-sales")
    page.wait_for_url("**/sales/")
    crumbs = page.locator("#breadcrumbs li")
    expect(crumbs).to_have_text(["Home", "Customers & sales", "Pipeline"])
    expect(page.locator("#nav-group-customers")).to_have_class("nav-link dropdown-toggle active")
    # WCAG AA: the menu text stands out from the bar by 4.5:1 at least.
    for element in page.locator("#main-nav .nav-link").all():
        assert element.evaluate(CONTRAST) >= 4.5
    partner = open_as("partner")
    shown = set(partner.locator("#main-nav [data-nav-group]").evaluate_all(
        "groups => groups.map(g => g.dataset.navGroup)"))
    assert "administration" not in shown and "risk" not in shown and "desk" in shown


def test_the_search_box_finds_a_loan_by_its_number_within_scope(live_world, open_as):
    loan = make_loan(live_world, customer="am_wang_person")
    page = open_as("am_wang")
    page.fill("#nav-search-q", loan.number)
    page.press("#nav-search-q", "Enter")
    page.wait_for_url("**/search/?q=*")
    page.click(f'[data-hit="loan-{loan.pk}"] a')
    page.wait_for_url(f"**/lending/loans/{loan.pk}/")
    other = open_as("am_chen")
    other.fill("#nav-search-q", loan.number)
    other.press("#nav-search-q", "Enter")
    other.wait_for_url("**/search/?q=*")
    expect(other.locator(f'[data-hit="loan-{loan.pk}"]')).to_have_count(0)


def test_no_serious_accessibility_violation_on_any_main_page(live_world, open_as):
    if not AXE.exists():
        pytest.skip(f"ACCESSIBILITY CHECKS SKIPPED: {AXE} is missing; run `npm ci` (or `make browser`)")
    found = {}
    for username, names in MAIN_PAGES.items():
        page = open_as(username, bypass_csp=True)
        for name in names:
            path = reverse(name)
            response = page.goto(path)
            assert response is not None and response.status == 200, (username, path)
            page.wait_for_load_state("networkidle")
            page.add_script_tag(path=str(AXE))
            violations = page.evaluate(AXE_RUN)
            if violations:
                found[f"{username} {path}"] = violations
    assert found == {}


def test_the_main_pages_fit_a_phone(live_world, open_as):
    world = live_world
    customer = world.customers["am_wang_company"]
    opportunity = sales_services.opportunity_create(actor=world.user("am_wang"), customer=customer,
                                                    product=world.products["credit"], amount="150000")
    application = submitted_application(world, customer)
    pages = {
        "director": ["/", reverse("insights:cockpit")],
        "am_wang": ["/", reverse("customers:detail", args=[customer.pk]),
                    reverse("sales:opportunity", args=[opportunity.pk]),
                    reverse("lending:application", args=[application.pk])],
    }
    too_wide = {}
    for username, paths in pages.items():
        page = open_as(username, viewport=PHONE)
        for path in paths:
            page.goto(path)
            page.wait_for_load_state("networkidle")
            width = page.evaluate("document.scrollingElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide[path] = width
    assert too_wide == {}


def test_a_kanban_move_by_keyboard_keeps_the_focus_on_the_card(live_world, open_as):
    world = live_world
    opportunity = sales_services.opportunity_create(
        actor=world.user("am_wang"), customer=world.customers["am_wang_person"],
        product=world.products["credit"], amount="150000")
    page = open_as("am_wang")
    page.goto(reverse("sales:kanban"))
    card = page.locator(f'[data-node="screening"] [data-opportunity="{opportunity.pk}"]')
    card.locator("[data-move-to]").focus()
    page.keyboard.press("Enter")
    moved = page.locator(f'[data-node="first_contact"] [data-opportunity="{opportunity.pk}"]')
    expect(moved).to_be_visible()
    expect(moved.locator("[data-move-to]")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(f'[data-node="proposal"] [data-opportunity="{opportunity.pk}"] a')).to_be_focused()
