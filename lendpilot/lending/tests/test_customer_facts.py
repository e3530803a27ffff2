"""Loan-book facts for the customer portrait, rebuilt set-based (FEATURES B2, D7)."""

from datetime import date
from decimal import Decimal

from lendpilot.customers.models import Customer, CustomerFacts, CustomerValue
from lendpilot.lending.customer_facts import refresh_customer_facts, refresh_customer_portrait
from lendpilot.lending.tests.conftest import disbursed_loan


def test_facts_sum_up_loans_and_follow_as_of(lending_world):
    world = lending_world
    disbursed_loan(world, amount="300000", disbursed_on=date(2025, 1, 10))
    disbursed_loan(world, amount="200000", disbursed_on=date(2025, 3, 10), grade="B")
    assert refresh_customer_facts(as_of=date(2025, 2, 1)) == 1
    facts = CustomerFacts.objects.get(customer=world.customers["am_wang_person"])
    assert facts.loans_count == 1 and facts.max_single_loan == Decimal("300000.00")
    refresh_customer_facts(as_of=date(2025, 6, 30))
    facts = CustomerFacts.objects.get(customer=world.customers["am_wang_person"])
    assert facts.loans_count == 2 and facts.active_loans == 2
    assert facts.max_single_loan == Decimal("300000.00") and facts.total_disbursed == Decimal("500000.00")
    assert facts.outstanding_balance == Decimal("500000.00")
    assert facts.first_disbursed_on == date(2025, 1, 10) and facts.last_disbursed_on == date(2025, 3, 10)
    assert facts.credit_band == "B"
    assert CustomerFacts.objects.count() == 1


def test_portrait_refresh_sets_tier_and_value_from_the_loan_book(lending_world):
    world = lending_world
    disbursed_loan(world, customer="am_wang_company", product="mortgage", amount="1000000", term=24,
                   method="equal_instalment", rate="0.0500")
    company = Customer.objects.filter(pk=world.customers["am_wang_company"].pk)
    assert company.get().tier == "growth"  # the payout moved the tier at once; the night run rebuilds it
    company.update(tier="micro")
    summary = refresh_customer_portrait(as_of=date(2025, 6, 30))
    assert summary["facts"] == 1 and summary["tier_changes"] == 1
    assert Customer.objects.get(pk=world.customers["am_wang_company"].pk).tier == "growth"
    assert CustomerValue.objects.filter(customer=world.customers["am_wang_company"]).exists()


def test_nightly_portrait_job_refreshes_the_tier_and_a_rerun_changes_nothing(lending_world):
    from lendpilot.lending.tasks import refresh_customer_portrait_task

    world = lending_world
    disbursed_loan(world, customer="am_wang_company", product="mortgage", amount="1000000", term=24,
                   method="equal_instalment", rate="0.0500")
    Customer.objects.filter(pk=world.customers["am_wang_company"].pk).update(tier="micro")  # set at the payout
    first = refresh_customer_portrait_task.enqueue(business_date="2025-06-30").return_value
    again = refresh_customer_portrait_task.enqueue(business_date="2025-06-30").return_value
    assert Customer.objects.get(pk=world.customers["am_wang_company"].pk).tier == "growth"
    assert first["tier_changes"] == 1 and again["tier_changes"] == 0
