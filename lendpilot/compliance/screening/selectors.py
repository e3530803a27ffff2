"""Screening reads: the compliance desk's lists, and the freeze check lending calls before an application
is submitted or a loan disbursed (`is_frozen(ref=customer_ref(customer.pk))`)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet

from lendpilot.compliance.screening.models import SanctionFreeze, ScreeningHit, ScreeningRun, WatchList
from lendpilot.org.access import Actor, require
from lendpilot.org.roles import Perm


def customer_ref(customer_id: int) -> str:
    """The reference of a customer, as screening, freezes and canaries store it."""
    return f"customers.customer:{customer_id}"


def is_frozen(*, ref: str) -> bool:
    """Whether a confirmed sanctions hit froze this subject: lending refuses applications and
    disbursements for it (and tells the customer nothing)."""
    return SanctionFreeze.objects.filter(subject_ref=ref).exists()


def frozen_refs(refs: Iterable[str]) -> set[str]:
    return set(SanctionFreeze.objects.filter(subject_ref__in=list(refs)).values_list("subject_ref", flat=True))


def watch_lists(actor: Actor) -> QuerySet[WatchList]:
    require(actor, Perm.VIEW_COMPLIANCE)
    return WatchList.objects.select_related("imported_by")


def screening_runs(actor: Actor) -> QuerySet[ScreeningRun]:
    require(actor, Perm.VIEW_COMPLIANCE)
    return ScreeningRun.objects.select_related("started_by")


def screening_hits(actor: Actor, *, status: str = "", waiting_for_me: bool = False) -> QuerySet[ScreeningHit]:
    require(actor, Perm.VIEW_COMPLIANCE)
    hits = ScreeningHit.objects.select_related("entry__watch_list", "proposed_by", "decided_by", "run")
    if status in ScreeningHit.Status.values:
        hits = hits.filter(status=status)
    if waiting_for_me:
        hits = hits.filter(status=ScreeningHit.Status.REVIEW).exclude(proposed_status="").exclude(
            proposed_by=actor.user)
    return hits


def hit_counts(actor: Actor) -> dict[str, int]:
    require(actor, Perm.VIEW_COMPLIANCE)
    counts = ScreeningHit.objects.aggregate(
        review=Count("pk", filter=Q(status=ScreeningHit.Status.REVIEW)),
        proposed=Count("pk", filter=Q(status=ScreeningHit.Status.REVIEW) & ~Q(proposed_status="")),
        confirmed=Count("pk", filter=Q(status=ScreeningHit.Status.CONFIRMED)),
        cleared=Count("pk", filter=Q(status=ScreeningHit.Status.CLEARED)),
    )
    counts["frozen"] = SanctionFreeze.objects.count()
    return counts


def sanction_freezes(actor: Actor) -> QuerySet[SanctionFreeze]:
    require(actor, Perm.VIEW_COMPLIANCE)
    return SanctionFreeze.objects.select_related("hit__entry__watch_list", "frozen_by")
