"""In a real browser: a risk officer opens the alert queue, works an alert's first step and closes it."""

from datetime import date

import pytest
from playwright.sync_api import expect

from lendpilot.monitoring import services
from lendpilot.monitoring.models import Alert
from lendpilot.monitoring.tests.conftest import make_loan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def test_alert_is_worked_to_closure(live_world, page_as):
    loan = make_loan(live_world)
    services.eod_run(actor=None, business_date=date(2025, 2, 14))
    alert = Alert.objects.get(loan=loan)
    page = page_as("risk_l1")
    page.goto("/monitoring/")
    page.click(f"text={loan.number}")
    expect(page.locator("#alert-severity")).to_have_text("S1")
    page.fill("#outcome-manager_call", "客户承诺本周还款")
    page.click("#complete-manager_call")
    expect(page.locator("#outcome-manager_call")).to_have_count(0)
    page.fill("#close-reason", "逾期已结清")
    page.click("#close-submit")
    expect(page.locator("#close-form")).to_have_count(0)
    alert.refresh_from_db()
    assert alert.status == "closed" and alert.close_reason == "逾期已结清"
    assert alert.interventions.get(kind="manager_call").status == "done"
