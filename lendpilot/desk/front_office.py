"""The desks of the people who meet customers: the account manager (today's tasks, the pipeline, offers to
push, alerts on own loans, the month's commission so far) and the channel partner (its own portal)."""

from datetime import date
from decimal import Decimal

from django.db.models import Count, Sum
from django.urls import NoReverseMatch, reverse

from lendpilot.incentives.selectors import my_commission_month_to_date
from lendpilot.monitoring.selectors import alerts_for
from lendpilot.org.access import Actor
from lendpilot.org.roles import Perm
from lendpilot.sales.funnel import OPEN_NODES, Node
from lendpilot.sales.scenarios.selectors import offers_visible, tasks_visible
from lendpilot.sales.selectors import opportunities_visible

SHOWN = 8


def pipeline(actor: Actor) -> list[dict]:
    """Open opportunities per funnel node, in funnel order, with their count and amount."""
    figures = {row["node"]: row for row in opportunities_visible(actor, open_only=True).order_by().values(
        "node").annotate(n=Count("id"), amount=Sum("amount"))}
    return [{"node": node, "label": Node(node).label, "count": figures.get(node, {}).get("n", 0),
             "amount": figures.get(node, {}).get("amount") or Decimal(0)} for node in OPEN_NODES]


def manager_desk(actor: Actor, *, today: date) -> dict:
    out: dict = {"month_to_date": my_commission_month_to_date(actor, today=today)}
    if actor.can(Perm.VIEW_SALES):
        tasks = tasks_visible(actor, mine=True).filter(due_on__lte=today)
        out.update(tasks_today=list(tasks[:SHOWN]), task_count=tasks.count(), pipeline=pipeline(actor),
                   offers=list(offers_visible(actor, live_only=True)[:SHOWN]))
    if actor.can(Perm.VIEW_MONITORING) and actor.user is not None:
        alerts = alerts_for(actor.user)
        out.update(loan_alerts=list(alerts[:SHOWN]), loan_alert_count=alerts.count())
    return out


def partner_portal_url() -> str | None:
    try:
        return reverse("sales:partner_portal")
    except NoReverseMatch:
        return None


def partner_desk(actor: Actor, *, today: date) -> dict:
    """A partner works in its own portal: submissions, their progress and its fees."""
    return {"partner_portal_url": partner_portal_url()}
