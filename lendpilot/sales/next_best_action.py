"""The next best action on a customer (FEATURES D1, D3, D7), from the portrait and the sales state.

Pure rules, no ORM: the Customer 360 page gathers a `Situation` and asks `next_best_actions` for the
actions that apply, most urgent first. The rules, in order of priority:

1. ``collection_visit`` -- a loan is past due: visit before anything is sold.
2. ``call_about_offer`` -- a live pre-approved offer has not been discussed yet (its task is open).
3. ``assign_dedicated_manager`` -- a high-value customer whose manager is not dedicated (carries more
   customers than a dedicated manager may).
4. ``needs_interview`` -- no needs questionnaire on file (or older than a year).
5. ``advisory_visit`` -- a high-value borrower with a post-loan advisory task open.
6. ``follow_up_opportunity`` -- an open opportunity has an overdue next step.
7. ``check_in`` -- no contact for 90 days or more (or never) with an active customer.

Rejects nothing: missing data means the rule does not fire. Each action carries a reason code and the
figures the reason names, so the page can say why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

DEDICATED_MAX_CUSTOMERS = 40
QUESTIONNAIRE_MAX_AGE_DAYS = 365
CHECK_IN_AFTER_DAYS = 90

PRIORITY = ("collection_visit", "call_about_offer", "assign_dedicated_manager", "needs_interview",
            "advisory_visit", "follow_up_opportunity", "check_in")


@dataclass(frozen=True)
class Situation:
    today: date
    max_days_past_due: int = 0
    high_value: bool = False
    manager_customers: int = 0  # how many customers the current manager carries
    questionnaire_on: date | None = None
    undiscussed_offer_ids: tuple[int, ...] = ()
    open_advisory_tasks: int = 0
    overdue_follow_ups: int = 0
    last_contact_on: date | None = None
    is_borrower: bool = False
    is_active: bool = True


@dataclass(frozen=True)
class Action:
    code: str
    priority: int
    facts: dict[str, object] = field(default_factory=dict)


def next_best_actions(s: Situation, *, dedicated_max: int = DEDICATED_MAX_CUSTOMERS) -> list[Action]:
    """Every action whose rule fires, most urgent first (empty when nothing is due)."""
    found: list[tuple[str, dict[str, object]]] = []
    if s.max_days_past_due > 0:
        found.append(("collection_visit", {"days_past_due": s.max_days_past_due}))
    if s.undiscussed_offer_ids:
        found.append(("call_about_offer", {"offer_ids": list(s.undiscussed_offer_ids)}))
    if s.high_value and s.manager_customers > dedicated_max:
        found.append(("assign_dedicated_manager", {"manager_customers": s.manager_customers,
                                                   "limit": dedicated_max}))
    if s.questionnaire_on is None or (s.today - s.questionnaire_on).days > QUESTIONNAIRE_MAX_AGE_DAYS:
        found.append(("needs_interview", {"answered_on": s.questionnaire_on.isoformat()
                                          if s.questionnaire_on else None}))
    if s.high_value and s.is_borrower and s.open_advisory_tasks:
        found.append(("advisory_visit", {"tasks": s.open_advisory_tasks}))
    if s.overdue_follow_ups:
        found.append(("follow_up_opportunity", {"overdue": s.overdue_follow_ups}))
    silent = None if s.last_contact_on is None else (s.today - s.last_contact_on).days
    if s.is_active and (silent is None or silent >= CHECK_IN_AFTER_DAYS):
        found.append(("check_in", {"days_since_contact": silent}))
    return [Action(code, PRIORITY.index(code), facts) for code, facts in found]


def next_best_action(s: Situation, *, dedicated_max: int = DEDICATED_MAX_CUSTOMERS) -> Action | None:
    """The most urgent action, or None."""
    actions = next_best_actions(s, dedicated_max=dedicated_max)
    return actions[0] if actions else None
