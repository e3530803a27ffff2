"""Opportunities: creation on an existing customer, moves through the five nodes with their guards,
and the pass that lets the funnel follow the loan application (sales reads lending's state)."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event, snapshot
from lendpilot.core.field_values import read_money
from lendpilot.customers.models import Customer
from lendpilot.lending.models import Application
from lendpilot.org.access import Actor, actor_of, require, staff_in_scope
from lendpilot.org.roles import Perm
from lendpilot.products.models import Product
from lendpilot.sales.funnel import LossReason, Node, move_problem
from lendpilot.sales.models import Opportunity, Tier, Transition
from lendpilot.sales.selectors import opportunities_visible

SUBMITTED = (Application.Status.IN_REVIEW, Application.Status.RETURNED, Application.Status.APPROVED,
             Application.Status.CONTRACTED, Application.Status.SIGNED, Application.Status.DISBURSED)
DECLINED = (Application.Status.REJECTED, Application.Status.WITHDRAWN)


def check_worker(acting: Actor, opportunity: Opportunity) -> None:
    """The actor may work opportunities and this one lies in their scope."""
    require(acting, Perm.WORK_OPPORTUNITIES)
    if not acting.is_system and not opportunities_visible(acting).filter(pk=opportunity.pk).exists():
        raise PermissionDenied(_("this opportunity is outside your scope"))


@transaction.atomic
def opportunity_create(*, actor, customer: Customer, product: Product | None = None, amount=None,
                       tier: str = Tier.STANDARD, name: str = "", at: datetime | None = None) -> Opportunity:
    """An opportunity on an existing customer, owned by the customer's manager."""
    acting = actor_of(actor)
    require(acting, Perm.WORK_OPPORTUNITIES)
    errors: dict[str, str] = {}
    if not acting.is_system and not staff_in_scope(acting, customer.manager):
        raise PermissionDenied(_("this customer is outside your scope"))
    if tier not in Tier.values:
        errors["tier"] = _("unknown tier %(tier)s") % {"tier": tier}
    value = read_money(amount, field="amount", errors=errors, positive=True)
    if errors:
        raise ValidationError(errors)
    now = at or timezone.now()
    opp = Opportunity.objects.create(customer=customer, name=(name or customer.name)[:100], owner=customer.manager,
                                     tier=tier, industry=customer.industry, product=product, amount=value,
                                     created_at=now, node_entered_at=now)
    Transition.objects.create(opportunity=opp, from_node="", to_node=Node.SCREENING, at=now, actor=acting.staff,
                              actor_label=acting.label)
    record_event(actor=acting.user, event_code="sales.opportunity_created", obj=opp,
                 after=snapshot(opp, ["customer_id", "owner_id", "node", "product_id", "amount"]))
    return opp


def _submitted_application(opportunity: Opportunity) -> Application | None:
    if opportunity.customer_id is None:
        return None
    return (Application.objects.filter(applicant_id=opportunity.customer_id, status__in=SUBMITTED)
            .order_by("-submitted_at", "-id").first())


@transaction.atomic
def opportunity_move(*, actor, opportunity: Opportunity, to_node: str, loss_reason: str = "",
                     note: str = "", at: datetime | None = None) -> Opportunity:
    """Move to another node if the transitions table and the guards allow it:
    - the qualification review needs a submitted loan application of the customer (lending's state);
    - won needs that application disbursed."""
    acting = actor_of(actor)
    check_worker(acting, opportunity)
    opp = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    problem = move_problem(opp.node, to_node, loss_reason=loss_reason)
    if problem:
        raise ValidationError({"loss_reason" if to_node == Node.LOST and opp.is_open
                               and to_node in Node.values else "node": problem})
    if to_node in (Node.QUALIFICATION, Node.SIGNING, Node.WON):
        application = _submitted_application(opp)
        if application is None:
            raise ValidationError({"node": _("the qualification review needs a submitted loan application "
                                             "of the customer")})
        opp.application = application
        if to_node == Node.WON and application.status != Application.Status.DISBURSED:
            raise ValidationError({"node": _("won only when the loan is disbursed")})
    before = snapshot(opp, ["node", "loss_reason", "application_id"])
    now = at or timezone.now()
    src = opp.node
    opp.node = to_node
    opp.node_entered_at = now
    opp.loss_reason = loss_reason if to_node == Node.LOST else ""
    opp.closed_at = now if to_node in (Node.WON, Node.LOST) else None
    opp.save(update_fields=["node", "node_entered_at", "loss_reason", "closed_at", "application"])
    Transition.objects.create(opportunity=opp, from_node=src, to_node=to_node, at=now, actor=acting.staff,
                              actor_label=acting.label, note=(note or "")[:300])
    record_event(actor=acting.user, event_code="sales.opportunity_moved", obj=opp, before=before,
                 after=snapshot(opp, ["node", "loss_reason", "application_id"]))
    return opp


@transaction.atomic
def opportunities_sync_lending(*, actor=None) -> dict[str, int]:
    """Close open opportunities from the lending state: a disbursed application -> won; a rejected or
    withdrawn one -> lost (declined). Reads lending; idempotent."""
    acting = actor_of(actor)
    counts = {"won": 0, "lost": 0}
    rows = (Opportunity.objects.select_for_update()
            .filter(node__in=[Node.QUALIFICATION, Node.SIGNING], application__isnull=False)
            .filter(Q(application__status=Application.Status.DISBURSED) | Q(application__status__in=DECLINED))
            .select_related("application"))
    now = timezone.now()
    for opp in rows:
        application = opp.application
        if application is None:  # the query asks for an application; None only if it vanished meanwhile
            continue
        src = opp.node
        if application.status == Application.Status.DISBURSED:
            path = [Node.SIGNING, Node.WON] if src == Node.QUALIFICATION else [Node.WON]
            opp.loss_reason = ""
            counts["won"] += 1
        else:
            path = [Node.LOST]
            opp.loss_reason = LossReason.DECLINED
            counts["lost"] += 1
        for dst in path:
            Transition.objects.create(opportunity=opp, from_node=src, to_node=dst, at=now, actor=None,
                                      actor_label="lending", note=application.number)
            src = dst
        opp.node, opp.node_entered_at, opp.closed_at = path[-1], now, now
        opp.save(update_fields=["node", "node_entered_at", "closed_at", "loss_reason"])
        record_event(actor=acting.user, event_code="sales.opportunity_synced", obj=opp,
                     after={"node": opp.node, "application": application.number})
    return counts


