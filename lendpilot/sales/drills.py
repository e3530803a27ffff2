"""Objection drills (FEATURES D5): a manager answers a random set of the standard objections of the
playbook; a team lead (or anyone whose scope covers the manager and who may assign leads) scores each
answer from 0 to 5; results are kept per person. Each action is one transaction with its audit record.

Rejects: a drill size outside 1-20 or larger than the library, a manager outside the starter's scope,
answers by anyone but the drill's manager or with an item left empty, scores outside 0-5 or missing,
scoring one's own drill, and any step out of order (Conflict).
"""

import random

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Max, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event
from lendpilot.core.errors import Conflict
from lendpilot.org.access import Actor, actor_of, require, scope_filter, staff_in_scope
from lendpilot.org.models import Staff
from lendpilot.org.roles import Perm
from lendpilot.sales.models import DrillItem, ObjectionDrill, PlaybookEntry

MAX_ITEMS = 20


@transaction.atomic
def drill_start(*, actor, manager: Staff, size: int = 5, seed: int | None = None) -> ObjectionDrill:
    """Draw `size` distinct active objection answers at random for `manager` (oneself, or a manager in
    the actor's scope)."""
    acting = actor_of(actor)
    require(acting, Perm.VIEW_SALES)
    if acting.staff is None:
        raise PermissionDenied(_("only staff run drills"))
    if manager.pk != acting.staff.pk and not staff_in_scope(acting, manager):
        raise PermissionDenied(_("this manager is outside your scope"))
    pool = list(PlaybookEntry.objects.filter(kind=PlaybookEntry.Kind.OBJECTION, is_active=True)
                .order_by("pk").values_list("pk", flat=True))
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= MAX_ITEMS:
        raise ValidationError({"size": _("from 1 to %(n)s objections") % {"n": MAX_ITEMS}})
    if size > len(pool):
        raise ValidationError({"size": _("the library holds only %(n)s objection answers") % {"n": len(pool)}})
    drawn = random.Random(seed).sample(pool, size)
    drill = ObjectionDrill.objects.create(manager=manager, started_by=acting.staff)
    DrillItem.objects.bulk_create([DrillItem(drill=drill, entry_id=pk, position=n) for n, pk in enumerate(drawn)])
    record_event(actor=acting.user, event_code="sales.drill_started", obj=drill,
                 after={"manager_id": manager.pk, "entries": drawn})
    return drill


def _locked(drill: ObjectionDrill, status: str) -> ObjectionDrill:
    locked = ObjectionDrill.objects.select_for_update().get(pk=drill.pk)
    if locked.status != status:
        raise Conflict(_("the drill is %(status)s") % {"status": locked.get_status_display()}, field="status")
    return locked


@transaction.atomic
def drill_answer(*, actor, drill: ObjectionDrill, answers: dict[int, str]) -> ObjectionDrill:
    """The drill's manager answers every item (item id -> text)."""
    acting = actor_of(actor)
    require(acting, Perm.VIEW_SALES)
    if acting.staff is None or acting.staff.pk != drill.manager_id:
        raise PermissionDenied(_("only the drilled manager answers"))
    locked = _locked(drill, ObjectionDrill.Status.OPEN)
    items = list(locked.items.all())
    missing = [i.pk for i in items if not str(answers.get(i.pk, "") or "").strip()]
    if missing:
        raise ValidationError({"answers": _("answer every objection (missing: %(ids)s)") % {
            "ids": ", ".join(map(str, missing))}})
    for item in items:
        item.answer = str(answers[item.pk]).strip()[:4000]
    DrillItem.objects.bulk_update(items, ["answer"])
    locked.status, locked.answered_at = ObjectionDrill.Status.ANSWERED, timezone.now()
    locked.save(update_fields=["status", "answered_at"])
    record_event(actor=acting.user, event_code="sales.drill_answered", obj=locked, after={"items": len(items)})
    return locked


@transaction.atomic
def drill_score(*, actor, drill: ObjectionDrill, scores: dict[int, int], feedback: str = "") -> ObjectionDrill:
    """A lead scores every answer 0-5; the drill's result is the share of the maximum, in percent."""
    acting = actor_of(actor)
    require(acting, Perm.ASSIGN_LEADS)
    if acting.staff is not None and acting.staff.pk == drill.manager_id:
        raise PermissionDenied(_("nobody scores their own drill"))
    if not acting.is_system and not staff_in_scope(acting, drill.manager):
        raise PermissionDenied(_("this manager is outside your scope"))
    locked = _locked(drill, ObjectionDrill.Status.ANSWERED)
    items = list(locked.items.all())
    bad = []
    for item in items:
        value = scores.get(item.pk)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 5:
            bad.append(item.pk)
        else:
            item.score = value
    if bad:
        raise ValidationError({"scores": _("score every answer from 0 to 5 (check: %(ids)s)") % {
            "ids": ", ".join(map(str, bad))}})
    DrillItem.objects.bulk_update(items, ["score"])
    total = sum(i.score for i in items)
    locked.score_pct = round(100 * total / (5 * len(items)), 1)
    locked.status, locked.scored_at, locked.scored_by = ObjectionDrill.Status.SCORED, timezone.now(), acting.staff
    locked.feedback = (feedback or "").strip()[:500]
    locked.save(update_fields=["score_pct", "status", "scored_at", "scored_by", "feedback"])
    record_event(actor=acting.user, event_code="sales.drill_scored", obj=locked,
                 after={"score_pct": locked.score_pct, "scores": {str(i.pk): i.score for i in items}})
    return locked


# --- reads -----------------------------------------------------------------------------------------


def drills_visible(actor: Actor, *, status: str | None = None) -> QuerySet[ObjectionDrill]:
    require(actor, Perm.VIEW_SALES)
    qs = scope_filter(actor, ObjectionDrill.objects.select_related("manager", "started_by", "scored_by"),
                      owner="manager")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def drill_get(actor: Actor, drill_id: int) -> ObjectionDrill:
    drill = drills_visible(actor).filter(pk=drill_id).first()
    if drill is None:
        raise Http404("no such drill")
    return drill


def drill_results(actor: Actor) -> QuerySet:
    """Per manager in scope: scored drills, average and best score, last drill."""
    return (drills_visible(actor, status=ObjectionDrill.Status.SCORED).order_by()
            .values("manager_id", "manager__name")
            .annotate(drills=Count("id"), average=Avg("score_pct"), best=Max("score_pct"), last=Max("scored_at"))
            .order_by("-average", "manager__name"))
