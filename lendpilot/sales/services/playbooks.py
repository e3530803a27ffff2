"""Playbooks (scripts and objection answers) and the resource packs a team works with.

Compliance checkpoint (C7): managers read only published entries, and an entry is published only with its exact
text (title and body) approved by a compliance officer other than its author. Drafts are saved and submitted
freely; the forbidden-promise scanner runs on submission. The system actor (demo seeding, imports) goes through
the documented system path, which scans the text and records the review.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event, snapshot
from lendpilot.compliance.checkpoints.models import CheckpointReview
from lendpilot.compliance.checkpoints.selectors import is_cleared
from lendpilot.compliance.checkpoints.services import checkpoint_clear_by_system, checkpoint_submit
from lendpilot.customers.models import Customer
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm
from lendpilot.sales.funnel import LossReason, Node
from lendpilot.sales.models import PlaybookEntry, ResourcePack, Tier
from lendpilot.sales.selectors import teams_in_scope

CHECKPOINT_KIND: dict[str, str] = {PlaybookEntry.Kind.SCRIPT: "playbook_script",
                                   PlaybookEntry.Kind.OBJECTION: "objection_answer"}


def playbook_ref(entry: PlaybookEntry) -> str:
    """The material reference of an entry, as compliance reviews it."""
    return f"sales.playbook:{entry.pk}"


def playbook_text(entry: PlaybookEntry) -> str:
    """What compliance reviews and managers read: the title and the text."""
    return f"{entry.title.strip()}\n{entry.body.strip()}"


def playbook_is_cleared(entry: PlaybookEntry) -> bool:
    """Whether compliance approved the entry's present text."""
    return is_cleared(subject_ref=playbook_ref(entry), text=playbook_text(entry))


def _require_clearance(acting, entry: PlaybookEntry) -> None:
    """C7: an entry is published only with its exact text approved by compliance (the system path records the
    review itself, after the forbidden-promise scan)."""
    text = playbook_text(entry)
    if acting.is_system:
        checkpoint_clear_by_system(actor=acting, subject_ref=playbook_ref(entry), kind=CHECKPOINT_KIND[entry.kind],
                                   title=entry.title, text=text)
    elif not is_cleared(subject_ref=playbook_ref(entry), text=text):
        raise ValidationError({"publish": _(
            "compliance has not approved this text (%(ref)s): save it as a draft, submit it for review, and "
            "publish it once approved") % {"ref": playbook_ref(entry)}})


@transaction.atomic
def playbook_entry_save(*, actor, kind: str, title: str, body: str, node: str = "", tier: str = "",
                        objection: str = "", entry: PlaybookEntry | None = None,
                        publish: bool = False) -> PlaybookEntry:
    """Save a script or an objection answer. A new entry, or a live one whose text changes, is a draft until
    compliance approves exactly its text (`playbook_entry_submit`, then `playbook_entry_publish`, or save again
    with `publish=True`); `publish=True` without that approval changes nothing and names `publish`."""
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
    live_text = playbook_text(entry) if entry is not None and entry.is_active else None
    entry = entry or PlaybookEntry(is_active=False)
    entry.kind, entry.title, entry.body, entry.node, entry.tier, entry.objection = (
        kind, title.strip()[:200], body.strip(), node, tier, objection)
    if playbook_text(entry) != live_text:
        entry.is_active = False  # a changed text is a draft until compliance approves it
    entry.save()
    if publish and not entry.is_active:
        _require_clearance(acting, entry)
        entry.is_active = True
        entry.save(update_fields=["is_active"])
    record_event(actor=acting.user, event_code="sales.playbook_saved", obj=entry, before=before,
                 after=snapshot(entry, ["kind", "node", "tier", "objection", "title", "is_active"]))
    return entry


@transaction.atomic
def playbook_entry_submit(*, actor, entry: PlaybookEntry) -> CheckpointReview:
    """Send an entry's text to compliance; the forbidden-promise scanner reports at once on the review."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_PLAYBOOKS)
    return checkpoint_submit(actor=acting, subject_ref=playbook_ref(entry), kind=CHECKPOINT_KIND[entry.kind],
                             title=entry.title, text=playbook_text(entry))


@transaction.atomic
def playbook_entry_publish(*, actor, entry: PlaybookEntry, live: bool = True) -> PlaybookEntry:
    """Publish an entry whose exact text compliance approved (422 naming `publish` otherwise), or withdraw it."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_PLAYBOOKS)
    entry = PlaybookEntry.objects.select_for_update().get(pk=entry.pk)
    if live and not entry.is_active:
        _require_clearance(acting, entry)
    before = {"is_active": entry.is_active}
    entry.is_active = live
    entry.save(update_fields=["is_active"])
    record_event(actor=acting.user, event_code="sales.playbook_published", obj=entry, before=before,
                 after={"is_active": live, "ref": playbook_ref(entry)})
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
