"""Reads of insights scoped to the acting user (FEATURES B9, F1): which slices a user may look at, the keys
of a drill-down, slice labels, and the alert strip of the command centre.

Scope rule: the director (and the other whole-bank roles) sees every slice; a regional head sees the own
region and the teams and managers in it; a team lead the own team and its members; an account manager the
own figures. A slice outside the scope is refused with PermissionDenied (403) saying why; a slice whose key
does not exist is a 404. Product, channel and tier slices are whole-bank figures, for whole-bank roles only.
"""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from lendpilot.channels.models import Partner
from lendpilot.customers.models import Customer
from lendpilot.insights.catalogue import ALL, DIMENSIONS, Slice
from lendpilot.monitoring.models import PortfolioAlert
from lendpilot.monitoring.selectors import alerts_for
from lendpilot.org.access import Actor, actor_of, require
from lendpilot.org.models import Region, Staff, Team
from lendpilot.org.roles import DataScope, Perm, Role
from lendpilot.products.models import Product
from lendpilot.sales.models import Lead

CHANNELS: tuple[str, ...] = (*Lead.Source.values, "none")
TIERS: tuple[str, ...] = (*Customer.Tier.values, "none")
# What a slice may be broken down into on the next level.
CHILDREN = {"all": ("region", "team", "manager", "product", "channel", "partner", "tier"),
            "region": ("team", "manager"),
            "team": ("manager",)}


def insights_actor(user) -> Actor:
    acting = actor_of(user)
    require(acting, Perm.VIEW_INSIGHTS)
    return acting


def default_slice(acting: Actor) -> Slice:
    """The slice a user's command centre opens on: the bank, the region, the team or the own figures."""
    staff = acting.staff
    if acting.scope == DataScope.ALL or acting.is_system:
        return ALL
    if acting.scope == DataScope.REGION and staff and staff.region_id:
        return Slice("region", str(staff.region_id))
    if acting.scope == DataScope.TEAM and staff and staff.team_id:
        return Slice("team", str(staff.team_id))
    if acting.scope == DataScope.OWN and staff:
        return Slice("manager", str(staff.pk))
    raise PermissionDenied(_("your role has no figures to show"))


def _exists(sl: Slice) -> bool:
    if sl.dimension == "all":
        return True
    if sl.dimension == "region":
        return Region.objects.filter(pk=sl.key).exists()
    if sl.dimension == "team":
        return Team.objects.filter(pk=sl.key).exists()
    if sl.dimension == "manager":
        return Staff.objects.filter(pk=sl.key).exists()
    if sl.dimension == "product":
        return Product.objects.filter(pk=sl.key).exists()
    if sl.dimension == "channel":
        return sl.key in CHANNELS
    if sl.dimension == "partner":
        return Partner.objects.filter(pk=sl.key).exists()
    return sl.key in TIERS


def _staff_region(staff_id) -> int | None:
    row = Staff.objects.filter(pk=staff_id).values_list("team__region_id", "region_id").first()
    return (row[0] or row[1]) if row else None


def check_slice(acting: Actor, sl: Slice) -> Slice:
    """The slice if the user may see it. A region, team or manager outside the user's scope is a 404, like
    one that does not exist, so that no answer tells which staff or teams exist elsewhere; a dimension
    the role may not see at all (or a role without figures) is PermissionDenied."""
    def absent() -> Http404:
        return Http404(_("no %(dimension)s %(key)s") % {"dimension": sl.dimension, "key": sl.key})

    if not _exists(sl):
        raise absent()
    if acting.is_system or acting.scope == DataScope.ALL:
        return sl
    staff = acting.staff
    if staff is None or acting.scope == DataScope.NONE:
        raise PermissionDenied(_("your role has no figures to show"))
    if sl.dimension not in ("region", "team", "manager"):
        raise PermissionDenied(_("%(dimension)s figures cover the whole bank; your scope is %(scope)s") % {
            "dimension": sl.dimension, "scope": DataScope(acting.scope).label})
    if not _within_scope(acting.scope, staff, sl):
        raise absent()
    return sl


def _within_scope(scope: str, staff: Staff, sl: Slice) -> bool:
    """Whether a region, team or manager slice lies inside a regional, team or own scope."""
    if scope == DataScope.REGION:
        return ((sl.dimension == "region" and sl.key == str(staff.region_id))
                or (sl.dimension == "team" and Team.objects.filter(pk=sl.key, region_id=staff.region_id).exists())
                or (sl.dimension == "manager" and _staff_region(sl.key) == staff.region_id))
    if scope == DataScope.TEAM:
        return ((sl.dimension == "team" and sl.key == str(staff.team_id))
                or (sl.dimension == "manager" and Staff.objects.filter(pk=sl.key, team_id=staff.team_id).exists()))
    return sl.dimension == "manager" and sl.key == str(staff.pk)


def children_keys(acting: Actor, parent: Slice, dimension: str) -> list[tuple[str, str]]:
    """(key, label) of every segment of `dimension` inside `parent` (which the user must be allowed to see).
    Rejects a dimension that cannot be drilled into from the parent (ValueError naming the reason)."""
    if dimension not in DIMENSIONS or dimension == "all":
        raise ValueError(_("unknown drill-down dimension %(dimension)s") % {"dimension": dimension})
    if dimension not in CHILDREN.get(parent.dimension, ()):
        raise ValueError(_("a %(parent)s slice cannot be broken down by %(dimension)s") % {
            "parent": parent.dimension, "dimension": dimension})
    if dimension == "region":
        return [(str(r.pk), r.name) for r in Region.objects.order_by("code")]
    if dimension == "team":
        teams = Team.objects.order_by("code")
        if parent.dimension == "region":
            teams = teams.filter(region_id=parent.key)
        return [(str(pk), name) for pk, name in teams.values_list("pk", "name")]
    if dimension == "manager":
        people = Staff.objects.filter(role__in=[Role.ACCOUNT_MANAGER, Role.TEAM_LEAD]).order_by("employee_no")
        if parent.dimension == "region":
            people = people.filter(Q(team__region_id=parent.key) | Q(team__isnull=True, region_id=parent.key))
        elif parent.dimension == "team":
            people = people.filter(team_id=parent.key)
        return [(str(pk), name) for pk, name in people.values_list("pk", "name")]
    if dimension == "product":
        return [(str(p.pk), p.name) for p in Product.objects.order_by("code")]
    if dimension == "channel":
        return [*((str(v), str(label)) for v, label in Lead.Source.choices), ("none", _("No lead"))]
    if dimension == "partner":
        return [(str(pk), name) for pk, name in Partner.objects.order_by("name").values_list("pk", "name")]
    return [*((str(v), str(label)) for v, label in Customer.Tier.choices), ("none", _("No customer yet"))]


def slice_label(sl: Slice) -> str:
    """The name of a slice in the current language ("East China", "Team east-a", ...)."""
    if sl.dimension == "all":
        return _("Whole bank")
    if sl.key == "none":
        return _("none")
    if sl.dimension == "region":
        region = Region.objects.filter(pk=sl.key).first()
        return region.name if region else sl.key
    if sl.dimension == "team":
        return Team.objects.filter(pk=sl.key).values_list("name", flat=True).first() or sl.key
    if sl.dimension == "manager":
        return Staff.objects.filter(pk=sl.key).values_list("name", flat=True).first() or sl.key
    if sl.dimension == "product":
        product = Product.objects.filter(pk=sl.key).first()
        return product.name if product else sl.key
    if sl.dimension == "channel":
        return str(dict(Lead.Source.choices).get(sl.key, sl.key))
    if sl.dimension == "partner":
        return Partner.objects.filter(pk=sl.key).values_list("name", flat=True).first() or sl.key
    return str(dict(Customer.Tier.choices).get(sl.key, sl.key))


def parent_of(acting: Actor, sl: Slice) -> Slice | None:
    """The slice one level up that the user may still see (for the breadcrumb), or None."""
    if sl.dimension == "all":
        return None
    candidates = [ALL]
    if sl.dimension == "team":
        region = Team.objects.filter(pk=sl.key).values_list("region_id", flat=True).first()
        candidates.insert(0, Slice("region", str(region)))
    if sl.dimension == "manager":
        team, region = Staff.objects.filter(pk=sl.key).values_list("team_id", "team__region_id").first() or (None, None)
        candidates[:0] = [s for s in (Slice("team", str(team)) if team else None,
                                      Slice("region", str(region)) if region else None) if s]
    for candidate in candidates:
        try:
            return check_slice(acting, candidate)
        except (PermissionDenied, Http404):
            continue
    return None


def alert_strip(acting: Actor, *, today: date, limit: int = 6) -> dict:
    """The open early-warning alerts in the user's scope (worst first) and, for whole-bank users, the
    portfolio alerts of the last two weeks (EWMA band breaches of overdue and NPL rates)."""
    open_alerts = alerts_for(acting) if acting.can(Perm.VIEW_MONITORING) or acting.is_system else None
    rows = list(open_alerts.select_related("loan")[:limit]) if open_alerts is not None else []
    count = open_alerts.count() if open_alerts is not None else 0
    portfolio = []
    if acting.scope == DataScope.ALL or acting.is_system:
        portfolio = list(PortfolioAlert.objects.filter(business_date__gte=today - timedelta(days=14))
                         .order_by("-business_date", "segment")[:limit])
    return {"alerts": rows, "alert_count": count, "portfolio_alerts": portfolio}
