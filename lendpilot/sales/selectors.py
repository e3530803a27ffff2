"""Scoped reads of sales. An account manager sees the leads and opportunities they own (and leads they
submitted); a team lead their team's, a head their region's, including the region's unassigned leads;
a channel partner only the leads it submitted."""

from collections import OrderedDict
from collections.abc import Iterable
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lendpilot.customers.models import Customer
from lendpilot.org.access import Actor, require, scope_filter
from lendpilot.org.models import IndustryExpertise, ProductFamiliarity, SkillProfile, Staff, Team
from lendpilot.org.roles import DataScope, Perm, Role
from lendpilot.sales import assignment
from lendpilot.sales.funnel import OPEN_NODES, FunnelFigures, Move, Node, funnel
from lendpilot.sales.models import Activity, Lead, Opportunity, PlaybookEntry, ResourcePack, Transition

OWNER = "owner"
MAX_OPEN_OPPORTUNITIES = getattr(settings, "SALES_MAX_OPEN_OPPORTUNITIES", 60)
"""How many open opportunities an account manager carries at most; assignment fills up to this."""


def leads_visible(actor: Actor, *, status: str | None = None, search: str | None = None,
                  source: str | None = None) -> QuerySet[Lead]:
    if not (actor.is_system or actor.can(Perm.VIEW_SALES) or actor.can(Perm.CREATE_LEAD)):
        require(actor, Perm.VIEW_SALES)
    qs = Lead.objects.select_related("region", "product", "owner", "customer")
    staff = actor.staff
    if actor.scope == DataScope.ALL:
        pass
    elif staff is None:
        qs = qs.none()
    elif actor.role == Role.CHANNEL_PARTNER or actor.scope == DataScope.NONE:
        qs = qs.filter(created_by=staff)
    else:
        owned = scope_filter(actor, Lead.objects.all(), owner=OWNER).values("pk")
        unowned = Q(owner__isnull=True, created_by=staff) if actor.scope == DataScope.OWN \
            else Q(owner__isnull=True, region_id=staff.region_id)
        qs = qs.filter(Q(pk__in=owned) | unowned)
    if status and actor.role != Role.CHANNEL_PARTNER:
        # A partner sees each lead only as received: filtering by the bank's statuses would reveal them.
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    if search:
        qs = qs.filter(name__icontains=search)
    return qs.order_by("-received_at", "-id")


def lead_get(actor: Actor, lead_id: int) -> Lead:
    lead = leads_visible(actor).filter(pk=lead_id).first()
    if lead is None:
        raise Http404("no such lead")
    return lead


RECEIVED = "received"
"""The only status a channel partner sees of its leads: screening and de-duplication happen inside the bank."""


def lead_status_shown(actor: Actor, lead: Lead) -> str:
    """The lead's status as this reader may see it: a partner sees every lead as received (staff see
    the bank's own screening and merging)."""
    return RECEIVED if actor.role == Role.CHANNEL_PARTNER else lead.status


def lead_worked_shown(actor: Actor) -> bool:
    """Whether the reader may see who works a lead and how it got there (staff yes, a partner no)."""
    return actor.role != Role.CHANNEL_PARTNER


def lead_customer_shown(actor: Actor, lead: Lead) -> int | None:
    """The linked customer's id only when that customer lies in the reader's scope."""
    if lead.customer_id is None or actor.role == Role.CHANNEL_PARTNER or not actor.can(Perm.VIEW_CUSTOMERS):
        return None
    if actor.scope == DataScope.ALL:
        return lead.customer_id
    return lead.customer_id if scope_filter(actor, Customer.objects.filter(pk=lead.customer_id),
                                            owner="manager").exists() else None


def lead_reasons_shown(actor: Actor, lead: Lead) -> list[str]:
    """Screening reasons are the bank's own (a blacklist hit among them): never shown to a partner."""
    if actor.role == Role.CHANNEL_PARTNER:
        return []
    return list(lead.disqualification_reasons)


def opportunities_visible(actor: Actor, *, node: str | None = None, owner_id: int | None = None,
                          open_only: bool = False) -> QuerySet[Opportunity]:
    require(actor, Perm.VIEW_SALES)
    qs = scope_filter(actor, Opportunity.objects.select_related("owner", "customer", "product"), owner=OWNER)
    if node:
        qs = qs.filter(node=node)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    if open_only:
        qs = qs.filter(node__in=OPEN_NODES)
    return qs


def opportunity_get(actor: Actor, opportunity_id: int) -> Opportunity:
    opp = opportunities_visible(actor).filter(pk=opportunity_id).first()
    if opp is None:
        raise Http404("no such opportunity")
    return opp


# Cards a board column shows; the rest of a column is one click away, a page at a time. A director's
# board over a whole bank would otherwise render thousands of cards on every load.
KANBAN_COLUMN_CARDS = 15


def _kanban_cards(actor: Actor, owner_id: int | None) -> QuerySet[Opportunity]:
    return (opportunities_visible(actor, owner_id=owner_id, open_only=True)
            .only("id", "name", "node", "tier", "amount", "node_entered_at", "owner__name", "product__name_zh",
                  "product__name_en", "customer_id")
            .select_related("owner", "product"))


def kanban(actor: Actor, *, owner_id: int | None = None,
           per_column: int = KANBAN_COLUMN_CARDS) -> "OrderedDict[str, tuple[list[Opportunity], int]]":
    """Open opportunities by node: the `per_column` longest waiting of each column, and the column's count
    (two statements: the cards ranked within their node, and the counts)."""
    cards = _kanban_cards(actor, owner_id)
    counts = dict(cards.order_by().values_list("node").annotate(n=Count("id")))
    ranked = cards.annotate(place=Window(RowNumber(), partition_by=[F("node")],
                                         order_by=[F("node_entered_at").asc(), F("id").asc()]))
    columns: OrderedDict[str, tuple[list[Opportunity], int]] = OrderedDict(
        (node, ([], counts.get(node, 0))) for node in OPEN_NODES)
    for opp in ranked.filter(place__lte=per_column).order_by("node_entered_at", "id"):
        columns[opp.node][0].append(opp)
    return columns


def kanban_column(actor: Actor, *, node: str, owner_id: int | None = None) -> QuerySet[Opportunity]:
    """Every open opportunity of one board column, longest waiting first (the column's own page)."""
    if node not in OPEN_NODES:
        raise Http404("no such column")
    return _kanban_cards(actor, owner_id).filter(node=node).order_by("node_entered_at", "id")


def transitions_of(opportunity: Opportunity) -> QuerySet[Transition]:
    return opportunity.transitions.select_related("actor").order_by("at", "id")


# Who acted when no staff member did: the daily jobs, and lending moving an opportunity with its loan.
SYSTEM_ACTORS = {"system": gettext_lazy("System"), "lending": gettext_lazy("Loan book")}


def actor_names(labels: Iterable[str]) -> dict[str, str]:
    """Each recorded actor label (a username, "system", "lending") as a reader reads it: the staff member's
    name, never the login name; the job's name for the system."""
    wanted = set(labels)
    names = dict(Staff.objects.filter(user__username__in=wanted).values_list("user__username", "name"))
    return {label: names.get(label) or str(SYSTEM_ACTORS.get(label, SYSTEM_ACTORS["system"])) for label in wanted}


def activities_visible(actor: Actor) -> QuerySet[Activity]:
    require(actor, Perm.VIEW_SALES)
    return scope_filter(actor, Activity.objects.select_related("opportunity", "owner"), owner="opportunity__owner")


def follow_ups_overdue(actor: Actor, *, today: date | None = None, mine: bool = True) -> QuerySet[Activity]:
    """Next steps that fell due before today and were not followed up (the manager's home page)."""
    today = today or timezone.localdate()
    qs = activities_visible(actor).filter(follow_up_done=False, next_step_on__lt=today,
                                          opportunity__node__in=OPEN_NODES)
    if mine and actor.staff is not None:
        qs = qs.filter(opportunity__owner=actor.staff)
    return qs.order_by("next_step_on", "id")


def playbook_for(opportunity: Opportunity) -> QuerySet[PlaybookEntry]:
    """Scripts for the opportunity's node and tier (or any tier), then every objection answer."""
    return (PlaybookEntry.objects.filter(is_active=True)
            .filter(Q(kind=PlaybookEntry.Kind.SCRIPT, node=opportunity.node, tier__in=["", opportunity.tier])
                    | Q(kind=PlaybookEntry.Kind.OBJECTION))
            .order_by("kind", "-usage_count", "id"))


def playbook_search(actor: Actor, *, text: str | None = None, kind: str | None = None,
                    node: str | None = None, tier: str | None = None) -> QuerySet[PlaybookEntry]:
    require(actor, Perm.VIEW_SALES)
    qs = PlaybookEntry.objects.filter(is_active=True)
    if text:
        qs = qs.filter(Q(title__icontains=text) | Q(body__icontains=text))
    if kind:
        qs = qs.filter(kind=kind)
    if node:
        qs = qs.filter(node=node)
    if tier:
        qs = qs.filter(tier__in=["", tier])
    return qs.order_by("kind", "node", "-usage_count", "id")


def playbook_entries_managed(actor: Actor) -> QuerySet[PlaybookEntry]:
    """Every entry, drafts and withdrawn ones included, for those who write the playbook (C7)."""
    require(actor, Perm.MANAGE_PLAYBOOKS)
    return PlaybookEntry.objects.order_by("-is_active", "kind", "node", "id")


def managers_in_scope(actor: Actor) -> QuerySet[Staff]:
    return scope_filter(actor, Staff.objects.filter(role=Role.ACCOUNT_MANAGER, is_active=True)
                        .select_related("team", "region"), owner="").order_by("employee_no")


def funnel_figures(actor: Actor, *, since: datetime | None = None, owner_id: int | None = None,
                   drop_threshold: float = 0.15) -> FunnelFigures:
    """Conversion, drop-offs, durations and cycle over the visible opportunities created since `since`."""
    opps = opportunities_visible(actor, owner_id=owner_id)
    if since is not None:
        opps = opps.filter(created_at__gte=since)
    rows = (Transition.objects.filter(opportunity__in=opps.values("pk"))
            .values_list("opportunity_id", "from_node", "to_node", "at").iterator(chunk_size=5000))
    return funnel((Move(*row) for row in rows), drop_threshold=drop_threshold)


def resource_packs_visible(actor: Actor) -> QuerySet[ResourcePack]:
    """Packs of the teams in the actor's scope (a team lead's own team, a head's region, all for the director)."""
    require(actor, Perm.VIEW_SALES)
    qs = ResourcePack.objects.prefetch_related("customers", "scripts").order_by("team_id", "name")
    if actor.scope == DataScope.ALL:
        return qs
    staff = actor.staff
    if staff is None:
        return qs.none()
    return qs.filter(team__in=teams_in_scope(actor))


def teams_in_scope(actor: Actor) -> QuerySet[Team]:
    qs = Team.objects.order_by("code")
    staff = actor.staff
    if actor.scope == DataScope.ALL:
        return qs
    if staff is None:
        return qs.none()
    if actor.scope == DataScope.REGION:
        return qs.filter(region_id=staff.region_id)
    return qs.filter(pk=staff.team_id) if staff.team_id else qs.none()


# --- what assignment reads ---------------------------------------------------------------------------


def managers_for_assignment(acting: Actor, manager_ids: list[int] | None = None) -> list[Staff]:
    """Active account managers in the actor's scope; naming one outside it is a ValidationError."""
    qs = managers_in_scope(acting)
    if manager_ids is None:
        return list(qs)
    found = {m.pk: m for m in qs.filter(pk__in=manager_ids)}
    missing = [pk for pk in manager_ids if pk not in found]
    if missing:
        raise ValidationError({"manager_ids": _("managers %(ids)s are not account managers in your scope")
                               % {"ids": ", ".join(map(str, missing))}})
    return [found[pk] for pk in dict.fromkeys(manager_ids)]


def open_counts(manager_ids: list[int]) -> dict[int, int]:
    rows = (Opportunity.objects.filter(owner_id__in=manager_ids).exclude(node__in=[Node.WON, Node.LOST])
            .values("owner_id").annotate(n=Count("id")))
    return {row["owner_id"]: row["n"] for row in rows}


def manager_features(managers: list[Staff], *, max_open: int = MAX_OPEN_OPPORTUNITIES
                     ) -> list[assignment.ManagerFeatures]:
    ids = [m.pk for m in managers]
    ind: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    for staff_id, industry, level in IndustryExpertise.objects.filter(staff_id__in=ids).values_list(
            "staff_id", "industry", "level"):
        ind[staff_id][industry] = level
    prod: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    for staff_id, category, level in ProductFamiliarity.objects.filter(staff_id__in=ids).values_list(
            "staff_id", "category", "level"):
        prod[staff_id][category] = level
    conv = dict(SkillProfile.objects.filter(staff_id__in=ids).values_list("staff_id",
                                                                          "existing_customer_conversion_rate"))
    load = open_counts(ids)
    return [assignment.ManagerFeatures(ind[pk], prod[pk], float(conv.get(pk, 0)), load.get(pk, 0),
                                       max(0, max_open - load.get(pk, 0))) for pk in ids]


def lead_features(leads: list[Lead]) -> list[assignment.LeadFeatures]:
    return [assignment.LeadFeatures(lead.industry, lead.product.category if lead.product is not None else "",
                                    lead.customer_id is not None) for lead in leads]
