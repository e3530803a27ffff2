from datetime import date

from django.test import Client

from lendpilot.monitoring import services
from lendpilot.monitoring.models import Alert, LoanMonthBucket
from lendpilot.monitoring.tests.conftest import make_loan

DAY = date(2025, 2, 28)  # a month end: buckets are written


def login(world, key):
    c = Client()
    c.force_login(world.user(key))
    return c


def test_pages_render_and_an_alert_is_worked_to_closure(world):
    make_loan(world)
    make_loan(world, customer="am_chen_company", disbursed_on=date(2024, 12, 10))
    services.eod_run(actor=None, business_date=DAY)
    assert LoanMonthBucket.objects.filter(month=date(2025, 2, 1)).count() == 2
    c = login(world, "risk_l1")
    for url in ("", "board/", "board/?mine=1", "line-reviews/", "industries/", "portfolio/", "eod/", "?status=closed"):
        assert c.get(f"/monitoring/{url}").status_code == 200, url
    alert = Alert.objects.order_by("-severity").first()
    page = c.get(f"/monitoring/alerts/{alert.pk}/")
    assert page.status_code == 200 and alert.loan.number in page.content.decode()
    step = alert.interventions.first()
    c.post(f"/monitoring/steps/{step.pk}/complete/", {"outcome": "已电话联系"})
    step.refresh_from_db()
    assert step.status == "done"
    c.post(f"/monitoring/alerts/{alert.pk}/close/", {"reason": ""})
    alert.refresh_from_db()
    assert alert.status == "open"
    c.post(f"/monitoring/alerts/{alert.pk}/close/", {"reason": "客户已结清逾期"})
    alert.refresh_from_db()
    assert alert.status == "closed"
    assert login(world, "partner").get("/monitoring/portfolio/").status_code == 403
    other = Alert.objects.get(loan__borrower__manager=world.staff["am_chen"])
    assert login(world, "am_wang").get(f"/monitoring/alerts/{other.pk}/").status_code == 404
