from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lendpilot.customers.models import Customer
from lendpilot.service.models import Referral
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
