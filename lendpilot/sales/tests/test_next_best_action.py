"""The next best action rules (D1, D3, D7), on plain situations."""

from datetime import date, timedelta

from lendpilot.sales.next_best_action import Situation, next_best_action, next_best_actions

TODAY = date(2026, 6, 1)
CALM = dict(today=TODAY, questionnaire_on=TODAY - timedelta(days=30), last_contact_on=TODAY - timedelta(days=5))


def codes(s: Situation) -> list[str]:
    return [a.code for a in next_best_actions(s)]


def test_nothing_due_for_a_calm_customer():
    assert next_best_action(Situation(**CALM)) is None


def test_overdue_loan_comes_first_even_with_a_live_offer():
    s = Situation(**CALM, max_days_past_due=15, undiscussed_offer_ids=(7,))
    assert codes(s) == ["collection_visit", "call_about_offer"]
    assert next_best_action(s).facts == {"days_past_due": 15}


def test_live_offer_not_yet_discussed_means_call():
    assert next_best_action(Situation(**CALM, undiscussed_offer_ids=(3, 4))).facts == {"offer_ids": [3, 4]}


def test_high_value_with_a_crowded_manager_needs_a_dedicated_one():
    assert codes(Situation(**CALM, high_value=True, manager_customers=41)) == ["assign_dedicated_manager"]
    assert codes(Situation(**CALM, high_value=True, manager_customers=40)) == []
    assert codes(Situation(**CALM, high_value=False, manager_customers=400)) == []


def test_missing_or_stale_questionnaire_means_needs_interview():
    base = {**CALM, "questionnaire_on": None}
    assert codes(Situation(**base)) == ["needs_interview"]
    assert codes(Situation(**{**CALM, "questionnaire_on": TODAY - timedelta(days=366)})) == ["needs_interview"]
    assert codes(Situation(**{**CALM, "questionnaire_on": TODAY - timedelta(days=365)})) == []


def test_advisory_visit_for_high_value_borrowers_with_an_open_task():
    assert codes(Situation(**CALM, high_value=True, is_borrower=True, open_advisory_tasks=1)) == ["advisory_visit"]
    assert codes(Situation(**CALM, high_value=True, is_borrower=False, open_advisory_tasks=1)) == []


def test_check_in_after_ninety_silent_days_or_never():
    assert codes(Situation(**{**CALM, "last_contact_on": TODAY - timedelta(days=90)})) == ["check_in"]
    assert codes(Situation(**{**CALM, "last_contact_on": TODAY - timedelta(days=89)})) == []
    assert next_best_action(Situation(**{**CALM, "last_contact_on": None})).facts == {"days_since_contact": None}
    assert codes(Situation(**{**CALM, "last_contact_on": None, "is_active": False})) == []


def test_overdue_follow_up_on_an_opportunity():
    assert codes(Situation(**CALM, overdue_follow_ups=2)) == ["follow_up_opportunity"]
