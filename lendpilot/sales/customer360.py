"""The Customer 360 read (FEATURES B2, B4, D1, D3, D7): one customer's portrait (from customers), loans
and products held (from lending), open opportunities, last contacts, live pre-approved offers, open
tasks, and the next best action. It lives in sales because sales is the lowest floor that may read all
of these. Out of the actor's scope the customer is a 404 (`customers.selectors.customer_get`); each
section appears only if the actor's role may read it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Max, Q
from django.utils import timezone

from lendpilot.customers.models import Customer
from lendpilot.customers.selectors import customer_get, customer_portrait
from lendpilot.org.access import Actor
from lendpilot.org.roles import Perm
from lendpilot.sales.funnel import OPEN_NODES
from lendpilot.sales.models import ManagerTask, PreApprovedOffer
from lendpilot.sales.next_best_action import Action, Situation, next_best_actions
from lendpilot.sales.scenarios.selectors import offers_visible, tasks_visible
from lendpilot.sales.selectors import activities_visible, opportunities_visible

RECENT_CONTACTS = 10


@dataclass
class Customer360:
    customer: Customer
    portrait: dict
    loans: list = field(default_factory=list)
    products_held: list = field(default_factory=list)
    opportunities: list = field(default_factory=list)
    contacts: list = field(default_factory=list)
    offers: list = field(default_factory=list)
    tasks: list = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    situation: Situation | None = None

    @property
    def next_action(self) -> Action | None:
        return self.actions[0] if self.actions else None


def customer_360(actor: Actor, customer_id: int, *, today: date | None = None) -> Customer360:
    today = today or timezone.localdate()
    customer = customer_get(actor, customer_id)
    portrait = customer_portrait(actor=actor, customer=customer)
    view = Customer360(customer=customer, portrait=portrait)
    if actor.can(Perm.VIEW_LENDING) or actor.is_system:
        from lendpilot.lending.selectors import loans_visible

        view.loans = list(loans_visible(actor).filter(borrower=customer).order_by("-disbursed_on", "-id")[:20])
        held = {}
        for loan in view.loans:
            if loan.status == "active":
                held.setdefault(loan.product_id, loan.product)
        view.products_held = list(held.values())
    open_tasks = 0
    overdue = 0
    last_contact = None
    undiscussed: tuple[int, ...] = ()
    if actor.can(Perm.VIEW_SALES) or actor.is_system:
        view.opportunities = list(opportunities_visible(actor, open_only=True).filter(customer=customer)
                                  .order_by("-node_entered_at")[:20])
        contacts = activities_visible(actor).filter(opportunity__customer=customer)
        view.contacts = list(contacts.order_by("-happened_at", "-id")[:RECENT_CONTACTS])
        agg = contacts.aggregate(last=Max("happened_at"), overdue=Count(
            "pk", filter=Q(follow_up_done=False, next_step_on__lt=today, opportunity__node__in=OPEN_NODES)))
        last_contact = timezone.localdate(agg["last"]) if agg["last"] else None
        overdue = agg["overdue"]
        view.offers = list(offers_visible(actor, customer_id=customer.pk).filter(
            status=PreApprovedOffer.Status.OFFERED, valid_until__gte=today))
        view.tasks = list(tasks_visible(actor, customer_id=customer.pk))
        open_tasks = sum(1 for t in view.tasks if t.kind == ManagerTask.Kind.ADVISORY)
        discussing = {t.offer_id for t in view.tasks if t.kind == ManagerTask.Kind.OFFER}
        undiscussed = tuple(o.pk for o in view.offers if o.pk in discussing)
    facts = portrait.get("facts") or {}
    needs = portrait.get("needs") or {}
    view.situation = Situation(
        today=today, max_days_past_due=int(facts.get("max_days_past_due") or 0),
        high_value=bool(portrait.get("high_value")),
        manager_customers=Customer.objects.filter(manager_id=customer.manager_id).count(),
        questionnaire_on=date.fromisoformat(needs["answered_on"]) if needs.get("answered_on") else None,
        undiscussed_offer_ids=undiscussed, open_advisory_tasks=open_tasks, overdue_follow_ups=overdue,
        last_contact_on=last_contact, is_borrower=int(facts.get("active_loans") or 0) > 0,
        is_active=customer.lifecycle_status != Customer.Lifecycle.CHURNED)
    view.actions = next_best_actions(view.situation)
    return view
