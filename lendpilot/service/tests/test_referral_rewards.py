from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lendpilot.customers.models import Customer
from lendpilot.org.access import actor_of
from lendpilot.service.models import Referral
from lendpilot.service.selectors import repeat_loan_rates
from lendpilot.service.services.referrals import referral_approve, referral_code, referral_register, referrals_check
from lendpilot.testing import build_world, make_loan

pytestmark = pytest.mark.django_db


def test_reward_earned_after_three_current_months_then_approved():
    world = build_world()
    referrer, referred = world.customers["am_wang_company"], world.customers["am_wang_person"]
    referral = referral_register(actor=world.user("am_wang"), code=referral_code(referrer), referred=referred,
                                 candidates=Customer.objects.all(), today=date(2026, 1, 5))
    make_loan(world, customer="am_wang_person", on=date(2026, 1, 15))
    assert referrals_check(today=date(2026, 4, 14)) == 0
    assert referrals_check(today=date(2026, 4, 15)) == 1
    referral.refresh_from_db()
    assert referral.status == "qualified" and referral.reward == Decimal("200.00")
    assert referrals_check(today=date(2026, 4, 16)) == 0
    with pytest.raises(PermissionDenied):
        referral_approve(actor=world.user("am_wang"), referral=referral)
    assert referral_approve(actor=world.user("director"), referral=referral).status == "approved"


def test_a_wrong_code_or_a_second_referral_is_refused():
    world = build_world()
    referred = world.customers["am_wang_person"]
    with pytest.raises(ValidationError):
        referral_register(actor=world.user("am_wang"), code="NOPE", referred=referred,
                          candidates=Customer.objects.all())
    referral_register(actor=world.user("am_wang"), code=referral_code(world.customers["am_zhao_person"]),
                      referred=referred, candidates=Customer.objects.all())
    with pytest.raises(ValidationError):
        referral_register(actor=world.user("am_wang"), code=referral_code(world.customers["am_sun_person"]),
                          referred=referred, candidates=Customer.objects.all())
    assert Referral.objects.count() == 1


def test_the_reward_follows_the_tier_of_the_referred_loan_s_principal(settings):
    settings.LENDPILOT_REFERRAL = {"current_months": 3, "yearly_cap": "5000.00",
                                   "reward_tiers": [["0", "200.00"], ["300000", "500.00"], ["1000000", "1000.00"]]}
    world = build_world()
    referrer = world.customers["am_wang_company"]
    earned = {}
    for key, amount in (("am_wang_person", "100000"), ("am_zhao_person", "300000"), ("am_sun_person", "1200000")):
        referral = referral_register(actor=world.user("director"), code=referral_code(referrer),
                                     referred=world.customers[key], candidates=Customer.objects.all(),
                                     today=date(2026, 1, 5))
        make_loan(world, customer=key, amount=amount, on=date(2026, 1, 15))
        earned[amount] = referral
    referrals_check(today=date(2026, 4, 15))
    rewards = {amount: Referral.objects.get(pk=r.pk).reward for amount, r in earned.items()}
    assert rewards == {"100000": Decimal("200.00"), "300000": Decimal("500.00"), "1200000": Decimal("1000.00")}


def test_repeat_loan_rate_per_tier_and_manager_counts_customers_who_borrowed_again():
    world = build_world()
    make_loan(world, customer="am_wang_person", on=date(2026, 1, 15))
    make_loan(world, customer="am_wang_person", on=date(2026, 3, 15))
    make_loan(world, customer="am_wang_company", on=date(2026, 2, 15))
    rows = {r["label"]: r for r in repeat_loan_rates(actor_of(world.user("am_wang")), dimension="manager")}
    assert list(rows) == [world.staff["am_wang"].name]  # another manager's borrowers stay out of scope
    mine = rows[world.staff["am_wang"].name]
    assert (mine["borrowers"], mine["repeat"], mine["rate"]) == (2, 1, Decimal("0.5000"))
    by_tier = repeat_loan_rates(actor_of(world.user("director")), dimension="tier")
    assert sum(r["borrowers"] for r in by_tier) == 2 and sum(r["repeat"] for r in by_tier) == 1
