"""Reads of the review cycle, scoped to the acting user: action items, the funnel flows and the
conversion cells (FEATURES B9, B10, B11, F2, F4). Aggregation happens in the database."""

from django.db.models import Q, QuerySet

from lendpilot.core.models import ActionItem, ActionItemMember
from lendpilot.org.access import actor_of, require, scope_filter
from lendpilot.org.roles import Perm


def action_items_visible(user) -> QuerySet[ActionItem]:
    """Items the user may see: those whose owner lies in the user's data scope, plus those the user owns,
    opened or sits on the squad of (squads cross teams: a risk officer sees the items they work on)."""
    acting = actor_of(user)
    require(acting, Perm.VIEW_REVIEW)
    base = ActionItem.objects.all()
    in_scope = scope_filter(acting, base, owner="owner__staff")
    if acting.user is None:
        return in_scope
    mine = Q(owner_id=acting.user.pk) | Q(created_by_id=acting.user.pk) | Q(
        pk__in=ActionItemMember.objects.filter(user_id=acting.user.pk).values("item_id"))
    return base.filter(Q(pk__in=in_scope.values("pk")) | mine)


def action_items_for(user, *, status: str | None = None, source_kind: str | None = None,
                     overdue_only: bool = False, now=None) -> QuerySet[ActionItem]:
    qs = action_items_visible(user).select_related("owner__staff", "escalated_to__staff", "created_by")
    if status:
        qs = qs.filter(status=status)
    if source_kind:
        qs = qs.filter(source_kind=source_kind)
    if overdue_only:
        from django.utils import timezone

        qs = qs.filter(status__in=["open", "in_progress"], due_at__lt=now or timezone.now())
    return qs.order_by("due_at", "pk")
