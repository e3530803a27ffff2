"""Action items and agile squads (FEATURES B11): the services that open, move and escalate them.

Why here and not in core: the tables are core's (`lendpilot.core.models.ActionItem`, people as logins) and
the pure rules are core's (`lendpilot.core.action_items`: status moves, the business-hours SLA clock), but
every service needs the organisation -- the acting user's permissions and data scope, and the owner's
superior to escalate to -- and opening items from alerts and from the funnel diagnostics reads monitoring
and sales. Insights is the floor that may read all of them, so the services live here.

Rules:
- an item has an owner (a staff member in the creator's scope, or the creator), a squad of members with
  their function (product, risk, operations, sales; any active staff member may sit on a squad), and is
  due `LENDPILOT_ACTION_ITEM_SLA_HOURS` (48) business hours after it was opened;
- every status move writes a history row and an audit event; closing needs an outcome, cancelling a reason;
- items opened from a source (a funnel flag, an alert) are opened once per source reference: asking again
  returns the item that exists, whatever its status;
- overdue live items are escalated once to the owner's superior: the reporting line first, else the team
  lead of the owner's team, else the regional head of the owner's region, else the director.
"""

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event
from lendpilot.core.action_items import LIVE_STATUSES, move_problem, sla_due
from lendpilot.core.errors import Conflict
from lendpilot.core.models import ActionItem, ActionItemMember, ActionItemStatusChange
from lendpilot.monitoring.models import Alert
from lendpilot.org.access import Actor, actor_of, require, scope_filter, staff_in_scope
from lendpilot.org.models import Staff
from lendpilot.org.roles import Perm, Role


def _snapshot(item: ActionItem) -> dict:
    return {"title": item.title, "status": item.status, "owner": item.owner_id, "due_at": item.due_at,
            "source_kind": item.source_kind, "source_ref": item.source_ref, "outcome": item.outcome,
            "escalated": item.escalated, "escalated_to": item.escalated_to_id}


def _active_staff_user(user_id, field: str) -> Staff:
    staff = Staff.objects.select_related("user").filter(user_id=user_id, is_active=True).first() \
        if str(user_id).isdigit() else None
    if staff is None:
        raise ValidationError({field: _("no active staff member with that user id")})
    return staff


def _history(item: ActionItem, *, src: str, dst: str, acting: Actor, note: str, at: datetime) -> None:
    ActionItemStatusChange.objects.create(item=item, from_status=src, to_status=dst, actor=acting.user,
                                          actor_label=acting.label, note=note[:500], at=at)


def _item_errors(*, title: str, source_kind: str, sla_hours: object,
                 members: list[tuple[int, str]]) -> dict[str, str]:
    """A message per bad field of a new action item; empty when it can be opened."""
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("an action item needs a title")
    elif len(title) > 200:
        errors["title"] = _("the title is longer than 200 characters")
    if source_kind not in ActionItem.SourceKind.values:
        errors["source_kind"] = _("unknown source")
    if not isinstance(sla_hours, int) or not 0 < sla_hours <= 24 * 60:
        errors["sla_hours"] = _("the SLA is 1 to 1440 business hours")
    for _user_id, function in members:
        if function not in ActionItemMember.Function.values:
            errors["members"] = _("unknown squad function %(function)s") % {"function": function}
    if len({user_id for user_id, _f in members}) != len(members):
        errors["members"] = _("a person sits on a squad once")
    return errors


def _owner_for(acting: Actor, owner_id: int | None) -> Staff:
    """The item's owner: the actor by default; someone else only with MANAGE_ACTION_ITEMS and in scope."""
    if owner_id is None:
        if acting.user is None:
            raise ValidationError({"owner_id": _("an action item needs an owner")})
        owner_id = acting.user.pk
    owner = _active_staff_user(owner_id, "owner_id")
    if not acting.is_system and owner.user_id != acting.user.pk:
        require(acting, Perm.MANAGE_ACTION_ITEMS)
        if not staff_in_scope(acting, owner):
            raise PermissionDenied("the owner is outside your data scope")
    return owner


@transaction.atomic
def action_item_create(*, actor, title: str, owner_id: int | None = None, description: str = "",
                       members: Iterable[tuple[int, str]] = (), source_kind: str = ActionItem.SourceKind.MANUAL,
                       source_ref: str = "", sla_hours: int | None = None, now: datetime | None = None) -> ActionItem:
    """Open an action item (B11), due `sla_hours` business hours from now (default from settings).

    Rejects (422, naming the field) an empty or over-long title, an unknown owner or member, an unknown
    function or source, a negative SLA; (403) an owner outside the actor's scope, or opening an item for
    someone else without MANAGE_ACTION_ITEMS. With a source reference that already has an item, returns that
    item and writes nothing."""
    acting = actor_of(actor)
    require(acting, Perm.WORK_ACTION_ITEMS)
    title = (title or "").strip()
    sla_hours = settings.LENDPILOT_ACTION_ITEM_SLA_HOURS if sla_hours is None else sla_hours
    members = list(members)
    errors = _item_errors(title=title, source_kind=source_kind, sla_hours=sla_hours, members=members)
    if errors:
        raise ValidationError(errors)
    if source_ref:
        existing = ActionItem.objects.filter(source_kind=source_kind, source_ref=source_ref).order_by("pk").first()
        if existing is not None:
            return existing
    owner = _owner_for(acting, owner_id)
    squad = [(_active_staff_user(user_id, "members"), function) for user_id, function in members]
    now = now or timezone.now()
    try:
        with transaction.atomic():
            item = ActionItem.objects.create(
                title=title, description=(description or "").strip(), source_kind=source_kind,
                source_ref=source_ref, owner_id=owner.user_id, created_by=acting.user, sla_hours=sla_hours,
                created_at=now, due_at=sla_due(now, sla_hours, tz=settings.TIME_ZONE))
    except IntegrityError:
        # Another request opened the item for this source in the meantime: theirs stands.
        return ActionItem.objects.get(source_kind=source_kind, source_ref=source_ref, status__in=LIVE_STATUSES)
    ActionItemMember.objects.bulk_create(
        [ActionItemMember(item=item, user_id=staff.user_id, function=function) for staff, function in squad])
    _history(item, src="", dst=ActionItem.Status.OPEN, acting=acting, note="", at=now)
    record_event(actor=acting.user, event_code="insights.action_item_created", obj=item,
                 after={**_snapshot(item), "members": [[s.user_id, f] for s, f in squad]})
    return item


@transaction.atomic
def action_item_from_alert(*, actor, alert_id: int, owner_id: int | None = None,
                           members: Iterable[tuple[int, str]] = (), now: datetime | None = None) -> ActionItem:
    """Open the action item for an early-warning alert (once per alert), owned by the alert's owner unless
    another owner is given. Rejects an alert the actor cannot see (404)."""
    acting = actor_of(actor)
    require(acting, Perm.WORK_ACTION_ITEMS)
    alerts = scope_filter(acting, Alert.objects.select_related("owner", "loan"), owner="loan__borrower__manager")
    alert = alerts.filter(pk=alert_id).first()
    if alert is None:
        raise Http404("no such alert")
    if owner_id is None:
        owner_id = alert.owner.user_id if alert.owner_id else getattr(acting.user, "pk", None)
    title = _("Early-warning alert %(alert)s on loan %(loan)s") % {"alert": alert.pk, "loan": alert.loan_id}
    description = alert.close_reason or ""
    return action_item_create(actor=actor, title=title, description=description, owner_id=owner_id,
                              members=members, source_kind=ActionItem.SourceKind.ALERT,
                              source_ref=f"alert:{alert.pk}", now=now)


def _visible_item(acting: Actor, item_id: int, *, lock: bool = False) -> ActionItem:
    from lendpilot.insights.review.selectors import action_items_visible

    qs = action_items_visible(acting)
    if lock:
        qs = ActionItem.objects.select_for_update().filter(pk__in=qs.values("pk"))
    item = qs.filter(pk=item_id).first()
    if item is None:
        raise Http404("no such action item")
    return item


def _move(*, actor, item_id: int, to_status: str, note: str = "", now: datetime | None = None) -> ActionItem:
    acting = actor_of(actor)
    require(acting, Perm.WORK_ACTION_ITEMS)
    item = _visible_item(acting, item_id, lock=True)
    user_id = getattr(acting.user, "pk", None)
    is_squad = item.owner_id == user_id or item.members.filter(user_id=user_id).exists()
    if to_status == ActionItem.Status.CANCELLED:
        if not acting.is_system and item.created_by_id != user_id:
            require(acting, Perm.MANAGE_ACTION_ITEMS)
    elif not (acting.is_system or is_squad or acting.can(Perm.MANAGE_ACTION_ITEMS)):
        raise PermissionDenied("only the owner, the squad or a manager moves this action item")
    note = (note or "").strip()
    problem = move_problem(item.status, to_status, note=note)
    if problem:
        field, reason = problem
        if field == "status" and item.status in (ActionItem.Status.DONE, ActionItem.Status.CANCELLED):
            raise Conflict(reason, field=field)
        raise ValidationError({field: reason})
    before = _snapshot(item)
    now = now or timezone.now()
    src = item.status
    item.status = to_status
    if to_status == ActionItem.Status.IN_PROGRESS:
        item.started_at = now
    if to_status in (ActionItem.Status.DONE, ActionItem.Status.CANCELLED):
        item.closed_at = now
        item.outcome = note
    item.save(update_fields=["status", "started_at", "closed_at", "outcome"])
    _history(item, src=src, dst=to_status, acting=acting, note=note, at=now)
    record_event(actor=acting.user, event_code="insights.action_item_moved", obj=item, before=before,
                 after=_snapshot(item))
    return item


@transaction.atomic
def action_item_start(*, actor, item_id: int, now: datetime | None = None) -> ActionItem:
    """Move an open item to in progress (owner, squad member, or a manager over the owner)."""
    return _move(actor=actor, item_id=item_id, to_status=ActionItem.Status.IN_PROGRESS, now=now)


@transaction.atomic
def action_item_close(*, actor, item_id: int, outcome: str, now: datetime | None = None) -> ActionItem:
    """Close an item as done with its outcome (B11: what was delivered). Rejects an empty outcome (422
    naming `outcome`) and a closed item (409)."""
    return _move(actor=actor, item_id=item_id, to_status=ActionItem.Status.DONE, note=outcome, now=now)


@transaction.atomic
def action_item_cancel(*, actor, item_id: int, reason: str, now: datetime | None = None) -> ActionItem:
    """Cancel an item with a reason (its creator, or a lead/head/director over the owner)."""
    return _move(actor=actor, item_id=item_id, to_status=ActionItem.Status.CANCELLED, note=reason, now=now)


def _escalation_target():
    """The owner's superior as one SQL expression over the item's owner id (set-based escalation)."""
    owner = OuterRef("owner_id")
    reports_to = Staff.objects.filter(user_id=owner).values("reports_to__user_id")[:1]
    team_lead = (Staff.objects.filter(role=Role.TEAM_LEAD, is_active=True, team__members__user_id=owner)
                 .exclude(user_id=owner).order_by("pk").values("user_id")[:1])
    regional_head = (Staff.objects.filter(role=Role.REGIONAL_HEAD, is_active=True)
                     .filter(Q(region__staff__user_id=owner) | Q(region__teams__members__user_id=owner))
                     .exclude(user_id=owner).order_by("pk").values("user_id")[:1])
    director = (Staff.objects.filter(role=Role.DIRECTOR, is_active=True).exclude(user_id=owner)
                .order_by("pk").values("user_id")[:1])
    return Coalesce(Subquery(reports_to), Subquery(team_lead), Subquery(regional_head), Subquery(director))


@transaction.atomic
def action_items_escalate_overdue(*, actor=None, now: datetime | None = None) -> int:
    """Escalate every live item past its due moment that is not escalated yet, in one UPDATE, to the owner's
    superior (see the module docstring). Idempotent: an item is escalated once; a second run at the same
    moment changes nothing and records nothing. Returns how many items were escalated."""
    acting = actor_of(actor)
    if not acting.is_system:
        require(acting, Perm.MANAGE_ACTION_ITEMS)
    now = now or timezone.now()
    count = (ActionItem.objects.filter(status__in=LIVE_STATUSES, escalated=False, due_at__lt=now)
             .update(escalated=True, escalated_at=now, escalated_to=_escalation_target()))
    if not count:
        return 0
    # The run's items share its timestamp: name (up to a thousand of) them in the audit record.
    ids = list(ActionItem.objects.filter(escalated=True, escalated_at=now).order_by("pk")
               .values_list("pk", flat=True)[:1000])
    record_event(actor=acting.user, event_code="insights.action_items_escalated", object_type="batch",
                 object_id=now.date().isoformat(), after={"count": count, "items": ids})
    return count


def parse_members(rows: Iterable) -> list[tuple[int, str]]:
    """Squad rows from the API or a form ({"user_id", "function"} or "user_id:function") as pairs; rejects
    a malformed row with a 422 naming `members`."""
    pairs = []
    for row in rows:
        try:
            if isinstance(row, str):
                user_id, function = row.split(":", 1)
            elif isinstance(row, dict):
                user_id, function = row["user_id"], row["function"]
            else:
                user_id, function = row.user_id, row.function
            pairs.append((int(user_id), str(function)))
        except (KeyError, ValueError, AttributeError, TypeError) as exc:
            raise ValidationError({"members": _("a squad member is given as user id and function")}) from exc
    return pairs


def staff_choices() -> list[tuple[int, str]]:
    """Active staff as (user id, label) for the owner and squad pickers."""
    roles = dict(Role.choices)
    return [(user_id, f"{name} ({roles.get(role, role)})") for user_id, name, role in
            Staff.objects.filter(is_active=True).order_by("employee_no").values_list("user_id", "name", "role")]


@transaction.atomic
def action_items_from_funnel(*, actor, the_slice, period, baseline_periods: int | None = None, threshold=None,
                             min_volume: int | None = None, now: datetime | None = None):
    """Diagnose the slice's funnel for the period (B10, F4) and open ONE improvement item per flagged node,
    owned by whoever answers for the slice (team lead, regional head, manager; else the actor). Idempotent:
    a node already holding an item for this slice and period keeps it and nothing new is opened. Returns the
    diagnosis with each flagged node's item id."""
    from lendpilot.insights.diagnostics import percent
    from lendpilot.insights.review.report import stage_labels
    from lendpilot.insights.review.selectors import funnel_diagnosis, funnel_source_ref, slice_owner_user_id

    acting = actor_of(actor)
    if not acting.is_system:
        require(acting, Perm.MANAGE_ACTION_ITEMS)
    result = funnel_diagnosis(actor, the_slice, period, baseline_periods=baseline_periods, threshold=threshold,
                              min_volume=min_volume)
    opened = []
    for node in result.flagged:
        if node.action_item_id:
            continue
        title = _("Funnel %(stage)s loses %(loss)s%% against a baseline of %(base)s%% (%(slice)s, %(start)s to "
                  "%(end)s)") % {"stage": stage_labels().get(node.stage, node.stage), "loss": percent(node.loss),
                                 "base": percent(node.baseline_loss),
                                 "slice": the_slice.label or the_slice.ref(), "start": period.start,
                                 "end": period.end}
        description = _("Decided %(decided)s, lost %(lost)s; baseline decided %(bdecided)s, lost %(blost)s over "
                        "%(n)s previous periods.") % {
            "decided": node.flow.decided, "lost": node.flow.lost, "bdecided": node.baseline.decided,
            "blost": node.baseline.lost, "n": len(result.baseline_periods)}
        item = action_item_create(actor=actor, title=title[:200], description=description,
                                  owner_id=slice_owner_user_id(the_slice, actor),
                                  source_kind=ActionItem.SourceKind.DIAGNOSTIC,
                                  source_ref=funnel_source_ref(the_slice, node.stage, period), now=now)
        node.action_item_id = item.pk
        opened.append(item.pk)
    if opened:
        record_event(actor=acting.user, event_code="insights.funnel_diagnosed", object_type="funnel",
                     object_id=f"{the_slice.ref()}:{period.key()}",
                     after={"flagged": [n.stage for n in result.flagged], "opened": opened})
    return result
