"""In a real browser: the director opens the market data, enters a competitor move on its page and sees it in
the benchmark, plans a pilot and sees its power before the start, and approves the pricing proposal a regional
head raised, which reprices the product."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from lendpilot.market import services
from lendpilot.market.models import OfferOutcome, Pilot, PilotStatus, PricingProposal, ProposalStatus
from lendpilot.products.models import Product
from lendpilot.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page_as(chromium, live_server):
    """A signed-in page per person, each in its own browser context; the walk is long and the machine may be
    busy, so a step waits up to 30 s (a failing step still fails)."""
    contexts = []

    def open_page(username: str):
        context = chromium.new_context(base_url=live_server.url, locale="zh-CN")
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
def market(live_world):
    """The LPR, one competitor profile, and two months of credit offers in East China whose take-up fell."""
    w = live_world
    today = timezone.localdate()
    services.lpr_record(actor=w.user("director"), effective=today - timedelta(days=10), tenor="1Y",
                        rate=Decimal("0.03"), source="中国人民银行授权全国银行间同业拆借中心")
    services.competitor_save(actor=w.user("director"), name="城商行甲", kind="城商行", profile="本地小微企业主",
                             source="年报", as_of=today)
    rows = []
    for days_back, take_up in ((59, 0.40), (29, 0.30)):
        rows += [OfferOutcome(product="credit", region=w.regions["east"], channel="branch", risk_grade="B",
                              amount=Decimal("200000"), rate=Decimal("0.0450"), competitor_rate=Decimal("0.040"),
                              accepted=i < 100 * take_up, offered_on=today - timedelta(days=days_back - i % 29))
                 for i in range(100)]
    OfferOutcome.objects.bulk_create(rows)
    return w


def test_director_enters_a_move_plans_a_pilot_and_approves_a_pricing_proposal(market, page_as):
    director = page_as("director")
    director.goto(director.locator("#nav-market").get_attribute("href") or "")  # the menu's link to the market
    director.wait_for_selector("#lpr-now")
    assert "4.50%" in director.inner_text("#lpr-now")  # LPR 3.00% + 150bp

    director.click("#enter-move")
    director.wait_for_selector("#entry-form")
    director.select_option("#id_product", "credit")
    director.select_option("#id_region", "EAST")
    director.fill("#id_apr_pct", "4.0")
    director.fill("#id_approval_days", "3")
    director.fill("#id_source", "客户经理走访")
    director.click("#entry-save")
    director.wait_for_selector("#benchmark")
    assert "城商行甲 4%" in director.inner_text("#benchmark")

    director.click("#market-nav a[href='/market/pilots/']")
    director.click("#pilot-new")
    director.fill("#id_name", "预填申请表")
    director.fill("#id_change", "客户经理使用预填表单, 减少补件")
    director.fill("#id_metric", "签约转化率")
    director.fill("#id_baseline_pct", "10")
    director.fill("#id_target_pct", "12")
    director.fill("#id_icc", "0.02")
    director.fill("#id_cases_per_cluster", "800")
    for box in director.locator("#pilot-form input[name=clusters]").all():
        box.check()
    director.click("#pilot-preview")
    director.wait_for_selector("#power-preview")
    assert "3841" in director.inner_text("#power-preview")
    director.click("#pilot-plan")
    director.wait_for_selector("#pilot-start")
    power = director.inner_text("#power")
    assert "3841" in power and "16.98" in power  # the cluster design effect 1 + 799 x 0.02
    director.click("#pilot-start")
    director.wait_for_selector("#decide-form")
    assert Pilot.objects.get().status == PilotStatus.RUNNING

    head = page_as("east_head")
    head.goto("/market/competition/")
    head.click("button[value=check]")
    head.wait_for_selector("#proposals tr[data-proposal]")
    proposal = PricingProposal.objects.get()
    assert proposal.spread_to_bp < proposal.spread_from_bp

    director.goto("/market/competition/")
    director.click(f"tr[data-proposal='{proposal.pk}'] .proposal-approve")
    director.wait_for_selector(".product-change")
    assert PricingProposal.objects.get().status == ProposalStatus.APPROVED
    credit = Product.objects.get(pk=market.products["credit"].pk)
    assert credit.min_annual_rate == proposal.min_rate_to < proposal.min_rate_from
    director.click(f"tr[data-proposal='{proposal.pk}'] .pricing-diff a")
    director.wait_for_url(f"**/products/{credit.pk}/")
    assert f"{credit.min_annual_rate * 100:.2f}".rstrip("0").rstrip(".") + "%" in director.content()
