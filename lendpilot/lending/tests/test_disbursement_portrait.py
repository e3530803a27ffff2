"""A payout shows on the borrower's Customer 360 at once: the customer stops being a prospect who never
borrowed (潜在客户 / 未贷户) without waiting for the nightly portrait run."""

from datetime import date

from django.test import Client, override_settings
from django.urls import reverse

from lendpilot.compliance.models import AuditEvent
from lendpilot.customers import services as customer_services
from lendpilot.customers.models import Customer, CustomerTag
from lendpilot.customers.portrait.demo import seed_reference
from lendpilot.lending import services
from lendpilot.lending.tests.conftest import approve_all, submitted


def tags_of(customer) -> set[str]:
    return set(CustomerTag.objects.filter(customer=customer).values_list("tag__name_zh", flat=True))


@override_settings(LENDPILOT_DISBURSEMENT_SECOND_PERSON_ABOVE="10000000")
def test_a_4m_payout_makes_the_customer_an_active_borrower_on_the_360_at_once(lending_world):
    w = lending_world
    seed_reference()
    customer_services.portrait_recompute(actor=w.user("director"), as_of=date(2025, 6, 1))
    customer = w.customers["am_wang_company"]
    assert customer.lifecycle_status == Customer.Lifecycle.PROSPECT
    assert {"潜在客户", "未贷户"} <= tags_of(customer)
    viewer = Client()
    viewer.force_login(w.user("am_wang"))
    page = viewer.get(reverse("sales:customer_360", args=[customer.pk])).content.decode()
    assert "潜在客户" in page and "未贷户" in page

    app = approve_all(w, submitted(w, customer="am_wang_company", product="mortgage", amount="4000000",
                                   income="2000000", term=36), ["risk_l1", "risk_l2", "risk_l3"])
    contract = services.contract_generate(actor=w.user("operations"), application=app)
    services.contract_sign(actor=w.user("operations"), contract=contract)
    loan = services.loan_disburse(actor=w.user("operations"), contract=contract, disbursed_on=date(2025, 6, 10))

    customer.refresh_from_db()
    assert customer.lifecycle_status == Customer.Lifecycle.ACTIVE and customer.tier == "growth"
    assert customer.facts.max_single_loan == loan.principal == 4000000 and customer.facts.loans_count == 1
    assert not {"潜在客户", "未贷户"} & tags_of(customer) and "活跃客户" in tags_of(customer)
    page = viewer.get(reverse("sales:customer_360", args=[customer.pk])).content.decode()
    assert "潜在客户" not in page and "未贷户" not in page and "活跃客户" in page
    assert f'href="{reverse("lending:loan", args=[loan.pk])}">{loan.number}</a>' in page
    assert 'id="c360-push-offer"' in page and ('id="c360-log-activity"' in page or 'id="c360-new-lead"' in page)
    change = AuditEvent.objects.filter(event_code="customers.customer_updated", object_id=str(customer.pk)).last()
    assert change.after == {"lifecycle_status": "active", "tier": "growth"}
