"""Figures several desks share: the month's disbursements in scope and the latest ones with the account
manager's month-to-date commission next to each."""

from datetime import date
from decimal import Decimal

from django.db.models import Count, Sum

from lendpilot.incentives.selectors import commission_estimates
from lendpilot.lending.selectors import loans_visible, portfolio_quality
from lendpilot.org.access import Actor
from lendpilot.org.roles import Perm

LATEST = 8


def month_summary(actor: Actor, *, today: date) -> dict:
    """Disbursed this month and the book in the actor's scope: amount, loans, outstanding, NPL ratio."""
    if not actor.can(Perm.VIEW_LENDING):
        return {}
    month = today.replace(day=1)
    sold = loans_visible(actor).filter(disbursed_on__range=(month, today)).aggregate(
        amount=Sum("principal"), loans=Count("id"))
    quality = portfolio_quality(actor)
    return {"month": month, "disbursed": sold["amount"] or Decimal(0), "loans": sold["loans"],
            "outstanding": quality["total"], "npl_ratio": quality["npl_ratio"]}


def latest_disbursements(actor: Actor, *, today: date) -> list[dict]:
    """The newest loans paid out in scope, each with its manager's commission for the month so far (live,
    so it moves with the payout shown)."""
    if not actor.can(Perm.VIEW_LENDING):
        return []
    loans = list(loans_visible(actor).filter(disbursed_on__isnull=False).select_related(
        "borrower__manager").order_by("-disbursed_on", "-id")[:LATEST])
    managers = sorted({loan.borrower.manager_id for loan in loans if loan.borrower.manager_id})
    estimates = commission_estimates(actor, staff_ids=managers, today=today) \
        if actor.can(Perm.VIEW_INCENTIVES) else {}
    return [{"loan": loan, "manager": loan.borrower.manager, "estimate": estimates.get(loan.borrower.manager_id)}
            for loan in loans]
