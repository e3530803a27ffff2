"""The role-aware home page: each role starts on its own desk (`lendpilot.desk`). It sums up every
package, so it lives at the project level above them all; it reads only their selectors, scoped to the
acting user. A channel partner's desk points to its portal."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone

from lendpilot.customers.selectors import customers_visible
from lendpilot.desk import desk_for
from lendpilot.org.access import actor_of
from lendpilot.org.calendar.selectors import provisional_years_ahead
from lendpilot.org.roles import DataScope, Perm, Role
from lendpilot.org.selectors import regions_all, staff_visible
from lendpilot.products.selectors import products_visible
from lendpilot.sales.selectors import follow_ups_overdue

RECENT_CUSTOMERS = 5


def _customers_by_region(customers) -> list[dict]:
    """Customer counts per region, in region order, with the region's name in the current language."""
    counts = dict(customers.order_by().values_list("region_id").annotate(n=Count("id")))
    return [{"region": region.name, "count": counts[region.pk]} for region in regions_all() if region.pk in counts]


@login_required
def home(request):
    actor = actor_of(request.user)
    today = timezone.localdate()
    desk = desk_for(actor, today=today)
    context = {"scope_label": DataScope(actor.scope).label, "role_label": Role(actor.role).label if actor.role else "",
               "today": today, **desk}
    if actor.can(Perm.VIEW_CUSTOMERS):
        customers = customers_visible(actor)
        context["customer_count"] = customers.count()
        # Managers of people see where their book lies; an account manager sees the latest own customers.
        if actor.scope in (DataScope.ALL, DataScope.REGION, DataScope.TEAM):
            context["customers_by_region"] = _customers_by_region(customers)
        if actor.role in (Role.ACCOUNT_MANAGER, Role.TEAM_LEAD):
            context["recent_customers"] = list(customers[:RECENT_CUSTOMERS])
            # The manager's own next steps that fell due and were not followed up (D4 activities).
            context["overdue"] = list(follow_ups_overdue(actor).select_related("opportunity")[:RECENT_CUSTOMERS * 2])
    if actor.can(Perm.VIEW_STAFF):
        context["staff_count"] = staff_visible(actor).count()
    if actor.can(Perm.VIEW_PRODUCTS):
        context["product_count"] = products_visible(actor, active_only=True).count()
    if actor.can(Perm.MANAGE_CALENDAR):
        context["calendar_provisional"] = provisional_years_ahead(today=today)
    return render(request, "core/home.html", context)
