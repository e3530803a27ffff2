"""Opportunities: creation on an existing customer, moves through the five nodes with their guards,
and the pass that lets the funnel follow the loan application (sales reads lending's state)."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, F, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_batch_event, record_event, snapshot
from lendpilot.core.field_values import read_money
from lendpilot.customers.models import Customer
from lendpilot.lending.models import Application
from lendpilot.org.access import Actor, actor_of, require, staff_in_scope
from lendpilot.org.roles import Perm
from lendpilot.products.models import Product
from lendpilot.sales.funnel import OPEN_NODES, LossReason, Node, move_problem
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


LOAN_NODE: dict[str, str] = {
    Application.Status.IN_REVIEW: Node.QUALIFICATION, Application.Status.RETURNED: Node.QUALIFICATION,
    Application.Status.APPROVED: Node.SIGNING, Application.Status.CONTRACTED: Node.SIGNING,
    Application.Status.SIGNED: Node.SIGNING, Application.Status.DISBURSED: Node.WON,
    Application.Status.REJECTED: Node.LOST, Application.Status.WITHDRAWN: Node.LOST,
}
"""Where the loan application's state puts its opportunity (the funnel follows the loan)."""
LOAN_DRIVEN_NODES = (Node.QUALIFICATION, Node.SIGNING, Node.WON)
LOAN_LOSS = {Application.Status.REJECTED: LossReason.DECLINED, Application.Status.WITHDRAWN: LossReason.WITHDRAWN}
RANK = {node: n for n, node in enumerate((*OPEN_NODES, Node.WON))}


def manual_move_problem(from_node: str, to_node: str, loss_reason: str) -> str | None:
    """Why a person may not make this move: the qualification review, signing and won follow the loan
    application, and so does a loss for a declined or withdrawn application."""
    if to_node in LOAN_DRIVEN_NODES:
        return _("%(node)s follows the loan application: it is reached when the application is submitted, "
                 "approved or disbursed, never by hand") % {"node": Node(to_node).label}
    if from_node in (Node.QUALIFICATION, Node.SIGNING) and to_node != Node.LOST:
        return _("the opportunity follows its loan application from here on")
    if to_node == Node.LOST and loss_reason in LOAN_LOSS.values():
        return _("a declined or withdrawn application closes the opportunity by itself")
    return None


@transaction.atomic
def opportunity_move(*, actor, opportunity: Opportunity, to_node: str, loss_reason: str = "",
                     note: str = "", at: datetime | None = None) -> Opportunity:
    """Move forward through the nodes a person works (screening, first contact, proposal) or close as
    lost with a reason. The qualification review, signing and won are never moved by hand: they follow
    the loan application (`opportunities_follow_loans`)."""
    acting = actor_of(actor)
    check_worker(acting, opportunity)
    opp = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    problem = move_problem(opp.node, to_node, loss_reason=loss_reason)
    if problem:
        raise ValidationError({"loss_reason" if to_node == Node.LOST and opp.is_open
                               and to_node in Node.values else "node": problem})
    problem = manual_move_problem(opp.node, to_node, loss_reason)
    if problem:
        raise ValidationError({"loss_reason" if to_node == Node.LOST else "node": problem})
    before = snapshot(opp, ["node", "loss_reason", "application_id"])
    now = at or timezone.now()
    src = opp.node
    opp.node = to_node
    opp.node_entered_at = now
    opp.loss_reason = loss_reason if to_node == Node.LOST else ""
    opp.closed_at = now if to_node == Node.LOST else None
    opp.save(update_fields=["node", "node_entered_at", "loss_reason", "closed_at"])
    Transition.objects.create(opportunity=opp, from_node=src, to_node=to_node, at=now, actor=acting.staff,
                              actor_label=acting.label, note=(note or "")[:300])
    record_event(actor=acting.user, event_code="sales.opportunity_moved", obj=opp, before=before,
                 after=snapshot(opp, ["node", "loss_reason", "application_id"]))
    return opp


def _link_customers(opportunities: QuerySet[Opportunity]) -> int:
    """Open opportunities from a lead whose person has since become a customer (same ID number or phone)
    take that customer, so that the customer's loan application can be found."""
    rows = list(opportunities.filter(customer__isnull=True, lead__isnull=False)
                .values_list("pk", "lead__id_number_hash", "lead__phone_hash"))
    if not rows:
        return 0
    by_id = dict(Customer.objects.filter(id_number_hash__in=[r[1] for r in rows if r[1]])
                 .values_list("id_number_hash", "pk"))
    by_phone = dict(Customer.objects.filter(phone_hash__in=[r[2] for r in rows if r[2]])
                    .values_list("phone_hash", "pk"))
    found = [Opportunity(pk=pk, customer_id=by_id.get(id_hash) or by_phone.get(phone_hash))
             for pk, id_hash, phone_hash in rows if by_id.get(id_hash) or by_phone.get(phone_hash)]
    Opportunity.objects.bulk_update(found, ["customer"])
    return len(found)


def _behind_their_loan(opportunities: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
    """Open opportunities whose loan application (the linked one, else the customer's latest since the
    opportunity opened) is further along than the opportunity; annotated with that application."""
    latest = (Application.objects.filter(applicant_id=OuterRef("customer_id"), created_at__gte=OuterRef("created_at"))
              .exclude(status=Application.Status.DRAFT).order_by("-created_at", "-id"))
    app_id = Coalesce(F("application_id"), Subquery(latest.values("pk")[:1]))
    node_rank = Case(*[When(node=node, then=Value(rank)) for node, rank in RANK.items()], output_field=IntegerField())
    loan_rank = Case(*[When(loan_status=status, then=Value(RANK.get(node, len(RANK))))
                       for status, node in LOAN_NODE.items()], default=Value(-1), output_field=IntegerField())
    return (opportunities.filter(node__in=OPEN_NODES)
            .annotate(loan_id=app_id)
            .annotate(loan_status=Subquery(Application.objects.filter(pk=OuterRef("loan_id")).values("status")[:1]),
                      loan_number=Subquery(Application.objects.filter(pk=OuterRef("loan_id")).values("number")[:1]))
            .annotate(node_rank=node_rank, loan_rank=loan_rank)
            .filter(loan_rank__gt=F("node_rank")))


def _path(src: str, target: str) -> list[str]:
    if target == Node.LOST:
        return [Node.LOST]
    return [node for node in (*OPEN_NODES, Node.WON) if RANK[src] < RANK[node] <= RANK[target]]


@transaction.atomic
def opportunities_follow_loans(*, actor: object = None, within: QuerySet[Opportunity] | None = None
                               ) -> dict[str, int]:
    """Move open opportunities to where their loan application is: submitted -> qualification review,
    approved or contracted -> signing, disbursed -> won, declined or withdrawn -> lost with that reason.
    One set-based pass (sales reads lending's state; lending never calls back); each move is a history
    row naming the application and its state. `within` limits the pass (a page passes what its reader
    sees). Idempotent: a second pass moves nothing."""
    acting = actor_of(actor)
    scope = Opportunity.objects.filter(node__in=OPEN_NODES)
    if within is not None:
        scope = scope.filter(pk__in=within.values("pk"))
    _link_customers(scope)
    rows = list(_behind_their_loan(scope).select_for_update(skip_locked=True, of=("self",))
                .only("id", "node", "loss_reason", "application_id", "customer_id", "created_at"))
    counts = {"moved": 0, "won": 0, "lost": 0}
    now = timezone.now()
    transitions = []
    status_labels = dict(Application.Status.choices)
    for opp in rows:
        target = LOAN_NODE[opp.loan_status]  # type: ignore[attr-defined]
        note = f"{opp.loan_number} {status_labels[opp.loan_status]}"[:300]  # type: ignore[attr-defined]
        src = opp.node
        for dst in _path(src, target):
            transitions.append(Transition(opportunity=opp, from_node=src, to_node=dst, at=now, actor=None,
                                          actor_label="lending", note=note))
            src = dst
        opp.node, opp.node_entered_at, opp.application_id = target, now, opp.loan_id  # type: ignore[attr-defined]
        opp.loss_reason = LOAN_LOSS.get(opp.loan_status, "")  # type: ignore[attr-defined]
        opp.closed_at = now if target in (Node.WON, Node.LOST) else None
        counts["moved"] += 1
        counts[target] = counts.get(target, 0) + 1
    if not rows:
        return counts
    Opportunity.objects.bulk_update(rows, ["node", "node_entered_at", "application", "loss_reason", "closed_at"])
    Transition.objects.bulk_create(transitions)
    record_batch_event(actor=acting.user, event_code="sales.opportunity_synced", summary={
        "moved": {str(o.pk): [o.node, o.loan_number] for o in rows}, **counts})  # type: ignore[attr-defined]
    return counts


opportunities_sync_lending = opportunities_follow_loans
"""The earlier name of the pass, kept for the API's sync endpoint and the nightly task."""
