"""Scoped reads of scenario marketing (FEATURES B3, D3, D7): an account manager sees the offers and
tasks of own customers (the customer's current manager decides, so a reassigned customer's offers move
with it), a team lead the team's, a head the region's; trigger rules are reference data every sales
role may read."""

from datetime import date

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from lendpilot.org.access import Actor, require, scope_filter
from lendpilot.org.roles import Perm
from lendpilot.sales.models import ManagerTask, PreApprovedOffer, TriggerRule, TriggerRun


def offers_visible(actor: Actor, *, status: str | None = None, node: str | None = None,
                   live_only: bool = False, customer_id: int | None = None) -> QuerySet[PreApprovedOffer]:
    require(actor, Perm.VIEW_SALES)
    qs = scope_filter(actor, PreApprovedOffer.objects.select_related("customer", "product", "rule", "manager"),
                      owner="customer__manager")
    if status:
        qs = qs.filter(status=status)
    if node:
        qs = qs.filter(node=node)
    if live_only:
        qs = qs.filter(status=PreApprovedOffer.Status.OFFERED, valid_until__gte=timezone.localdate())
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    return qs.order_by("-offered_on", "-id")


def offer_get(actor: Actor, offer_id: int) -> PreApprovedOffer:
    offer = offers_visible(actor).filter(pk=offer_id).first()
    if offer is None:
        raise Http404("no such offer")
    return offer


def tasks_visible(actor: Actor, *, status: str | None = ManagerTask.Status.OPEN, kind: str | None = None,
                  mine: bool = False, customer_id: int | None = None) -> QuerySet[ManagerTask]:
    require(actor, Perm.VIEW_SALES)
    qs = scope_filter(actor, ManagerTask.objects.select_related("customer", "owner", "offer", "offer__product"),
                      owner="owner")
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if mine and actor.staff is not None:
        qs = qs.filter(owner=actor.staff)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    return qs.order_by("due_on", "id")


def task_get(actor: Actor, task_id: int) -> ManagerTask:
    task = tasks_visible(actor, status=None).filter(pk=task_id).first()
    if task is None:
        raise Http404("no such task")
    return task


def trigger_rules(actor: Actor, *, active_only: bool = False) -> QuerySet[TriggerRule]:
    require(actor, Perm.VIEW_SALES)
    qs = TriggerRule.objects.prefetch_related("rule_products__product")
    if active_only:
        qs = qs.filter(active=True)
    return qs.order_by("node", "code")


def trigger_rule_get(actor: Actor, rule_id: int) -> TriggerRule:
    rule = trigger_rules(actor).filter(pk=rule_id).first()
    if rule is None:
        raise Http404("no such trigger rule")
    return rule


def trigger_runs(actor: Actor) -> QuerySet[TriggerRun]:
    require(actor, Perm.VIEW_SALES)
    return TriggerRun.objects.order_by("-started_at", "-id")


def offer_counts(actor: Actor, *, today: date | None = None) -> dict[str, int]:
    """Offers in scope by status, for the list page's header."""
    from django.db.models import Count

    rows = offers_visible(actor).order_by().values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}
