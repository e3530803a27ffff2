"""Reads of scoring: versions, the active scorecard and policy, blacklist hits, monitoring series.

The compiled scorecard of a version is cached per process by version id (a version's table never
changes after training), so a request costs one small query to learn which version is active.
"""

from __future__ import annotations

import threading
from datetime import date

from django.db.models import QuerySet
from django.http import Http404

from lendpilot.org.access import Actor, require, scope_filter
from lendpilot.org.roles import Perm
from lendpilot.scoring.models import (
    BlacklistEntry,
    MonitoringSnapshot,
    PolicyVersion,
    PrescreenLog,
    ScorecardVersion,
)
from lendpilot.scoring.scorecard import Scorecard

_CACHE: dict[tuple[int, str], Scorecard] = {}
_CACHE_LOCK = threading.Lock()


def compiled(version_id: int, stamp, table: dict | None = None) -> Scorecard:
    """The compiled scorecard of a version, cached per process. `stamp` (the version's trained_at)
    is part of the key, so a database that was emptied and reloaded cannot serve a stale table under a
    reused id."""
    key = (version_id, str(stamp))
    card = _CACHE.get(key)
    if card is None:
        if table is None:
            table = ScorecardVersion.objects.values_list("table", flat=True).get(pk=version_id)
        card = Scorecard(table)
        with _CACHE_LOCK:
            _CACHE[key] = card
    return card


def compiled_version(version: ScorecardVersion) -> Scorecard:
    return compiled(version.pk, version.trained_at, version.table)


def active_scorecard_ref(family: str) -> tuple[int, int, object] | None:
    """(id, number, trained_at) of the family's active version, or None."""
    return (ScorecardVersion.objects.filter(family=family, status=ScorecardVersion.Status.ACTIVE)
            .values_list("id", "number", "trained_at").first())


def active_policy() -> PolicyVersion | None:
    return PolicyVersion.objects.filter(status=PolicyVersion.Status.ACTIVE).only("id", "number", "rules").first()


def blacklist_hits(hashes: dict[str, str]) -> list[str]:
    """The identifier kinds (id_number, credit_code, phone) whose hash is on an active blacklist."""
    hashes = {kind: h for kind, h in hashes.items() if h}
    if not hashes:
        return []
    found = set(
        BlacklistEntry.objects.filter(value_hash__in=list(hashes.values()), is_active=True)
        .values_list("kind", "value_hash")
    )
    return sorted(kind for kind, h in hashes.items() if (kind, h) in found)


def scorecard_versions(actor: Actor, *, family: str | None = None) -> QuerySet[ScorecardVersion]:
    require(actor, Perm.VIEW_SCORING)
    qs = ScorecardVersion.objects.select_related("trained_by", "activated_by").defer("table")
    if family:
        qs = qs.filter(family=family)
    return qs.order_by("family", "-number")


def scorecard_version_get(actor: Actor, version_id: int) -> ScorecardVersion:
    require(actor, Perm.VIEW_SCORING)
    version = ScorecardVersion.objects.filter(pk=version_id).first()
    if version is None:
        raise Http404("scorecard version not found")
    return version


def policy_versions(actor: Actor) -> QuerySet[PolicyVersion]:
    require(actor, Perm.VIEW_SCORING)
    return PolicyVersion.objects.order_by("-number")


def prescreens_visible(actor: Actor) -> QuerySet[PrescreenLog]:
    """Pre-screens run by people in the actor's scope (risk and the director see all)."""
    require(actor, Perm.PRESCREEN)
    return scope_filter(actor, PrescreenLog.objects.all(), owner="actor__staff").order_by("-id")


def monitoring_series(actor: Actor, version: ScorecardVersion) -> QuerySet[MonitoringSnapshot]:
    require(actor, Perm.VIEW_SCORING)
    return MonitoringSnapshot.objects.filter(scorecard_version=version).order_by("month")


def months_with_prescreens(version: ScorecardVersion) -> list[date]:
    return sorted(set(PrescreenLog.objects.filter(scorecard_version=version).values_list("month", flat=True)))
