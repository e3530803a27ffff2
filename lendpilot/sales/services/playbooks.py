"""Playbooks (scripts and objection answers) and the resource packs a team works with."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event, snapshot
from lendpilot.customers.models import Customer
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm
from lendpilot.sales.funnel import LossReason, Node
from lendpilot.sales.models import PlaybookEntry, ResourcePack, Tier
from lendpilot.sales.selectors import teams_in_scope


@transaction.atomic
def playbook_entry_save(*, actor, kind: str, title: str, body: str, node: str = "", tier: str = "",
                        objection: str = "", entry: PlaybookEntry | None = None) -> PlaybookEntry:
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_PLAYBOOKS)
    errors: dict[str, str] = {}
    if kind not in PlaybookEntry.Kind.values:
        errors["kind"] = _("kind is script or objection")
    if node and node not in Node.values:
        errors["node"] = _("unknown node %(node)s") % {"node": node}
    if tier and tier not in Tier.values:
        errors["tier"] = _("unknown tier %(tier)s") % {"tier": tier}
    if objection and objection not in LossReason.values:
        errors["objection"] = _("unknown objection %(objection)s") % {"objection": objection}
    if kind == PlaybookEntry.Kind.OBJECTION and not objection:
        errors["objection"] = _("an objection answer names the objection")
    if not (title or "").strip():
        errors["title"] = _("a title is required")
    if not (body or "").strip():
        errors["body"] = _("the text is required")
    if errors:
        raise ValidationError(errors)
    before = snapshot(entry) if entry else None
    entry = entry or PlaybookEntry()
    entry.kind, entry.title, entry.body, entry.node, entry.tier, entry.objection = (
        kind, title.strip()[:200], body.strip(), node, tier, objection)
    entry.save()
    record_event(actor=acting.user, event_code="sales.playbook_saved", obj=entry, before=before,
                 after=snapshot(entry, ["kind", "node", "tier", "objection", "title"]))
    return entry


def playbook_use(*, actor, entry: PlaybookEntry) -> int:
    """Count one use of an entry (shown, copied into a conversation); conditional update, no audit row."""
    acting = actor_of(actor)
    require(acting, Perm.VIEW_SALES)
    PlaybookEntry.objects.filter(pk=entry.pk).update(usage_count=F("usage_count") + 1)
    return PlaybookEntry.objects.values_list("usage_count", flat=True).get(pk=entry.pk)


@transaction.atomic
def resource_pack_save(*, actor, name: str, team, rate_floor, customer_ids: list[int] | None = None,
                       script_ids: list[int] | None = None, target: str = "") -> ResourcePack:
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_PLAYBOOKS)
    if not acting.is_system and not teams_in_scope(acting).filter(pk=team.pk).exists():
        raise PermissionDenied(_("this team is outside your scope"))
    errors: dict[str, str] = {}
    if not (name or "").strip():
        errors["name"] = _("a name is required")
    try:
        floor = Decimal(str(rate_floor))
        if not floor.is_finite() or not Decimal("0") <= floor <= Decimal("0.36"):
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        errors["rate_floor"] = _("a rate between 0 and 0.36")
        floor = Decimal(0)  # never written: the errors are raised below
    customers = list(Customer.objects.filter(pk__in=customer_ids or []))
    if len(customers) != len(set(customer_ids or [])):
        errors["customer_ids"] = _("some customers do not exist")
    scripts = list(PlaybookEntry.objects.filter(pk__in=script_ids or []))
    if len(scripts) != len(set(script_ids or [])):
        errors["script_ids"] = _("some playbook entries do not exist")
    if errors:
        raise ValidationError(errors)
    pack = ResourcePack.objects.create(name=name.strip()[:100], team=team, target=target[:100], rate_floor=floor)
    pack.customers.set(customers)
    pack.scripts.set(scripts)
    record_event(actor=acting.user, event_code="sales.resource_pack_saved", obj=pack,
                 after={"name": pack.name, "team_id": team.pk, "rate_floor": floor,
                        "customers": len(customers), "scripts": len(scripts)})
    return pack
