from datetime import date
from decimal import Decimal

from lendpilot.service.referrals import capped_reward, qualifies, qualifies_on


def test_reward_is_due_when_the_loan_stayed_current_for_n_months():
    assert qualifies_on(date(2026, 1, 15), current_months=3) == date(2026, 4, 15)
    assert qualifies_on(date(2026, 1, 31), current_months=3) == date(2026, 4, 30)
    args = {"disbursed_on": date(2026, 1, 15), "current_months": 3, "ever_past_due": False}
    assert not qualifies(today=date(2026, 4, 14), **args)
    assert qualifies(today=date(2026, 4, 15), **args)


def test_no_reward_without_disbursement_or_after_a_missed_payment():
    assert not qualifies(disbursed_on=None, today=date(2026, 9, 1), current_months=3, ever_past_due=False)
    assert not qualifies(disbursed_on=date(2026, 1, 15), today=date(2026, 9, 1), current_months=3,
                         ever_past_due=True)


def test_rewards_are_capped_per_year():
    cap = Decimal("2000.00")
    assert capped_reward(Decimal("200"), paid_this_year=Decimal("1000"), yearly_cap=cap) == Decimal("200.00")
    assert capped_reward(Decimal("200"), paid_this_year=Decimal("1900"), yearly_cap=cap) == Decimal("100.00")
    assert capped_reward(Decimal("200"), paid_this_year=Decimal("2000"), yearly_cap=cap) == Decimal("0.00")
