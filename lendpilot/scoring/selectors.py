"""Reads of scoring: versions, the active scorecard and policy, blacklist hits, monitoring series.

The compiled scorecard of a version is cached per process by version id (a version's table never
changes after training), so a request costs one small query to learn which version is active.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.http import Http404

from lendpilot.core.prepared import fetch_prepared, model_columns, model_from_row
from lendpilot.org.access import Actor, require, scope_filter
from lendpilot.org.roles import Perm
from lendpilot.products.models import Product
from lendpilot.products.selectors import products_visible
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
# Policy versions are immutable once published (a change publishes a new version), so the rules of a
# version are cached per process by (id, published_at), as the compiled scorecards are.
_POLICY_CACHE: dict[tuple[int, str], PolicyVersion] = {}


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


@dataclass(frozen=True)
class PrescreenContext:
    """What a pre-screen reads besides the applicant: the product, the active scorecard of its family
    (id, number, trained_at) and the active policy version, each None when there is none."""

    product: Product
    scorecard_ref: tuple[int, int, object] | None
    policy: PolicyVersion | None


def prescreen_context(actor: Actor, *, product_id: int | None = None, code: str | None = None) -> PrescreenContext:
    """The product the actor may see, with the active scorecard of its family and the active policy, in one
    statement: a pre-screen runs many times a second, and which versions are active is read from the
    database on every call (an activation takes effect at once in every process). Only the policy's
    rules come from the per-process cache. The statement is written out rather than built by the ORM
    (compiling five sub-selects cost more CPU than running them) and prepared once per connection
    (`lendpilot.core.prepared`)."""
    products_visible(actor)  # the permission check; products are reference data, not scoped by owner
    names, sql = _prescreen_context_statement("id" if product_id is not None else "code")
    rows = fetch_prepared(sql, [ScorecardVersion.Status.ACTIVE.value, PolicyVersion.Status.ACTIVE.value,
                                product_id if product_id is not None else code])
    if not rows:
        raise Http404("product not found")
    row = rows[0]
    product = model_from_row(Product, names, row[:len(names)])
    card_id, card_number, card_trained_at, policy_id, policy_published_at = row[len(names):]
    scorecard_ref = None if card_id is None else (int(card_id), int(card_number), card_trained_at)
    policy_row = None if policy_id is None else _policy_version(policy_id, policy_published_at)
    return PrescreenContext(product=product, scorecard_ref=scorecard_ref, policy=policy_row)


@functools.cache
def _prescreen_context_statement(key: str) -> tuple[list[str], str]:
    """The product's attribute names and the statement of `prescreen_context` by product id or code. At
    most one active scorecard per family and one active policy (unique constraints), so the joins keep
    one row."""
    names, columns = model_columns(Product, "p")
    sql = (f"SELECT {columns}, c.id, c.number, c.trained_at, v.id, v.published_at "  # noqa: S608 (metadata)
           f"FROM {Product._meta.db_table} p "
           f"LEFT JOIN {ScorecardVersion._meta.db_table} c ON c.family = p.category AND c.status = %s "
           f"LEFT JOIN {PolicyVersion._meta.db_table} v ON v.status = %s "
           f"WHERE p.{key} = %s")
    return names, sql


def _policy_version(policy_id: int, published_at: object) -> PolicyVersion | None:
    key = (policy_id, str(published_at))
    row = _POLICY_CACHE.get(key)
    if row is None:
        row = PolicyVersion.objects.only("id", "number", "rules").filter(pk=policy_id).first()
        if row is None:  # retired and removed between the two statements: read as no active policy
            return None
        with _CACHE_LOCK:
            _POLICY_CACHE[key] = row
    return row


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
