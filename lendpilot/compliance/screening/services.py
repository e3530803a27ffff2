"""Screening writes: importing a watch list, a screening run, and the two-officer decision on a hit.

Callers on higher floors (customers, channels, lending, the demo) pass the subjects as plain values
(`names.Subject`); a confirmed hit writes a `SanctionFreeze` for the subject's reference, which lending
reads through `selectors.is_frozen`. Nothing here messages the customer: a sanctions freeze is made
without notice.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator
from itertools import islice

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from lendpilot.compliance.audit import record_event
from lendpilot.compliance.crypto import keyed_hash, mask
from lendpilot.compliance.screening.models import (
    SanctionFreeze,
    ScreeningHit,
    ScreeningRun,
    ScreeningSweep,
    WatchList,
    WatchListEntry,
)
from lendpilot.compliance.screening.names import ListEntry, Subject, WatchIndex
from lendpilot.compliance.screening.sources import SubjectPage, subject_sources
from lendpilot.compliance.screening.watchlist_file import WatchRow
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm

BATCH = 5000
logger = logging.getLogger("lendpilot.compliance")


def normalise_listed_id(value: str) -> str:
    """A resident ID number as customers store it (GB 11643, upper-case X); any other document compacted."""
    try:
        return ric.validate(value)
    except StdnumError:
        return "".join(value.split()).upper()


def id_hash_of(value: str) -> str:
    """The keyed hash a subject's ID number is compared by; equal to the customers' stored `id_number_hash`."""
    return keyed_hash(normalise_listed_id(value)) if value and value.strip() else ""


@transaction.atomic
def watch_list_import(*, actor, name: str, version: str, source: str = "", rows: list[WatchRow]) -> WatchList:
    """Store a new version of a list (all rows or none) and retire the list's older versions."""
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLIANCE)
    name, version = (name or "").strip(), (version or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("name the list")
    if not version:
        errors["version"] = _("give the list's version or publication date")
    elif WatchList.objects.filter(name=name, version=version).exists():
        errors["version"] = _("this version of the list is already imported")
    if not rows:
        errors["file"] = _("the file has no entries")
    if errors:
        raise ValidationError(errors)
    retired = list(WatchList.objects.select_for_update().filter(name=name, is_active=True).values_list("pk", flat=True))
    WatchList.objects.filter(pk__in=retired).update(is_active=False)
    watch_list = WatchList.objects.create(name=name, version=version, source=(source or "").strip()[:200],
                                          entry_count=len(rows), imported_by=acting.user)
    WatchListEntry.objects.bulk_create(
        [WatchListEntry(watch_list=watch_list, name=row.name, aliases=list(row.aliases),
                        id_hashes=[id_hash_of(n) for n in row.id_numbers],
                        id_masked=[mask(normalise_listed_id(n), keep_start=3, keep_end=4) for n in row.id_numbers],
                        birth_date=row.birth_date, remark=row.remark) for row in rows],
        batch_size=BATCH,
    )
    record_event(actor=acting.user, event_code="compliance.watch_list_imported", obj=watch_list,
                 after={"name": name, "version": version, "entries": len(rows), "retired": retired})
    # Every list update screens the whole book again (AML law): the sweep runs once the import is committed.
    transaction.on_commit(_enqueue_rescreen)
    return watch_list


def _enqueue_rescreen() -> None:
    from lendpilot.compliance.tasks import rescreen_task

    rescreen_task.enqueue()


_INDEX_CACHE: dict[tuple, tuple[WatchIndex, list[str]]] = {}


def active_index() -> tuple[WatchIndex, list[str]]:
    """The entries of every list in use, indexed for blocked matching, and the list versions it holds. An imported
    version never changes, so the index is kept per process for the set of versions in use (onboarding screens
    one customer at a time and must not rebuild it)."""
    lists = list(WatchList.objects.filter(is_active=True).order_by("pk"))
    key = tuple((w.pk, w.imported_at, w.entry_count) for w in lists)
    cached = _INDEX_CACHE.get(key)
    if cached is not None:
        return cached
    entries = WatchListEntry.objects.filter(watch_list__in=lists).values_list(
        "pk", "name", "aliases", "id_hashes", "birth_date")
    index = WatchIndex.build(
        ListEntry(key=pk, names=(name, *aliases), id_hashes=frozenset(hashes), birth_date=born)
        for pk, name, aliases, hashes, born in entries.iterator(chunk_size=BATCH)
    )
    _INDEX_CACHE.clear()
    _INDEX_CACHE[key] = (index, [str(w) for w in lists])
    return _INDEX_CACHE[key]


def _chunks(items: Iterable[Subject], size: int) -> Iterator[list[Subject]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _store_hits(run: ScreeningRun, subjects: list[Subject], index: WatchIndex) -> None:
    """Write the hits of the subjects on the run. A subject already hit by the same entry keeps its hit and its
    decision (the unique constraint), so screening again adds only what is new. Every hit starts in review."""
    ScreeningHit.objects.bulk_create(
        [ScreeningHit(run=run, subject_ref=m.subject_ref, subject_name=subject.name[:200], entry_id=m.entry_key,
                      score=str(m.score), matched_name=m.matched_name[:200], reasons=list(m.reasons))
         for subject in subjects for m in index.screen(subject)],
        ignore_conflicts=True, batch_size=BATCH,
    )


def _screen(acting, subjects: Iterable[Subject], trigger: str) -> ScreeningRun:
    index, lists = active_index()
    run = ScreeningRun.objects.create(started_by=acting.user, trigger=trigger, lists=lists)
    screened = 0
    for chunk in _chunks(subjects, BATCH):
        screened += len(chunk)
        _store_hits(run, chunk, index)
    # ignore_conflicts does not say which rows were new: the run's own rows are the new ones.
    new_hits = ScreeningHit.objects.filter(run=run).count()
    ScreeningRun.objects.filter(pk=run.pk).update(subjects=screened, hits=new_hits)
    run.subjects, run.hits = screened, new_hits
    record_event(actor=acting.user, event_code="compliance.screening_run", obj=run,
                 after={"trigger": trigger, "screened": screened, "new_hits": new_hits, "lists": lists})
    return run


@transaction.atomic
def screening_run(*, actor, subjects: Iterable[Subject],
                  trigger: str = ScreeningRun.Trigger.MANUAL) -> ScreeningRun:
    """Screen the subjects against every list in use. A subject already hit by the same entry keeps its
    hit and its decision, so running again (or after a killed run) adds only what is new."""
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLIANCE)
    if trigger not in ScreeningRun.Trigger.values:
        raise ValidationError({"trigger": _("unknown trigger")})
    return _screen(acting, subjects, trigger)


def onboarding_screen(*, actor, subjects: list[Subject]) -> ScreeningRun | None:
    """Screen a customer (and the people behind it) the moment it is registered, inside the onboarding service's
    transaction. The onboarding user needs no compliance permission: the run is compliance's own record, audited
    like any other. A hit waits in review for two officers (never cleared by the machine); nothing is said to the
    customer. None when no list is in use."""
    if not subjects or not WatchList.objects.filter(is_active=True).exists():
        return None
    return _screen(actor_of(actor), subjects, ScreeningRun.Trigger.ONBOARDING)


def lists_generation() -> str:
    """The lists in use as one value: a sweep is done once per generation."""
    ids = ",".join(str(pk) for pk in WatchList.objects.filter(is_active=True).order_by("pk").values_list(
        "pk", flat=True))
    return ids if len(ids) <= 200 else hashlib.sha256(ids.encode()).hexdigest()


def _sweep_open(acting, source: str, generation: str, lists: list[str]) -> ScreeningSweep:
    with transaction.atomic():
        sweep = ScreeningSweep.objects.select_for_update().filter(source=source, generation=generation).first()
        if sweep is None:
            run = ScreeningRun.objects.create(started_by=acting.user, trigger=ScreeningRun.Trigger.LIST_UPDATE,
                                              lists=lists)
            try:
                with transaction.atomic():
                    sweep = ScreeningSweep.objects.create(source=source, generation=generation, run=run)
            except IntegrityError:  # another worker opened it meanwhile
                ScreeningRun.objects.filter(pk=run.pk).delete()
                sweep = ScreeningSweep.objects.get(source=source, generation=generation)
    return sweep


def _sweep_step(acting, sweep: ScreeningSweep, page: SubjectPage, index: WatchIndex, batch: int) -> ScreeningSweep:
    """One batch of a sweep: its hits and the cursor move together, in one transaction."""
    with transaction.atomic():
        sweep = ScreeningSweep.objects.select_for_update().select_related("run").get(pk=sweep.pk)
        if sweep.finished_at is not None:
            return sweep
        rows = [(key, subject) for key, subject in page(sweep.cursor, batch) if key > sweep.cursor]
        run = sweep.run
        _store_hits(run, [subject for _key, subject in rows], index)
        run.subjects += len(rows)
        run.hits = ScreeningHit.objects.filter(run=run).count()
        run.save(update_fields=["subjects", "hits"])
        if rows:
            sweep.cursor = rows[-1][0]
        if len({key for key, _subject in rows}) < batch:
            sweep.finished_at = timezone.now()
            record_event(actor=acting.user, event_code="compliance.screening_run", obj=run,
                         after={"trigger": run.trigger, "source": sweep.source, "screened": run.subjects,
                                "new_hits": run.hits, "lists": run.lists})
        sweep.save(update_fields=["cursor", "finished_at"])
    return sweep


def rescreen(*, actor=None, batch: int = BATCH) -> list[ScreeningSweep]:
    """Screen every registered source of subjects (`sources.subject_source`) against the lists in use, once per
    generation of those lists: after a list update every customer is screened again. Idempotent (a finished sweep
    is not run again) and resumable (a killed sweep continues from its cursor). Runs as the system, from the task
    that a list import enqueues or from `manage.py screen_customers`."""
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLIANCE)
    if not WatchList.objects.filter(is_active=True).exists():
        return []
    generation = lists_generation()
    index, lists = active_index()
    sweeps = []
    for source, page in subject_sources().items():
        sweep = _sweep_open(acting, source, generation, lists)
        while sweep.finished_at is None:
            sweep = _sweep_step(acting, sweep, page, index, batch)
        logger.info("rescreen source=%s generation=%s screened=%s new_hits=%s", source, generation,
                    sweep.run.subjects, sweep.run.hits)
        sweeps.append(sweep)
    return sweeps


@transaction.atomic
def hit_propose(*, actor, hit: ScreeningHit, decision: str, note: str) -> ScreeningHit:
    """The first officer proposes to confirm or to clear a hit, with the reason."""
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLIANCE)
    hit = ScreeningHit.objects.select_for_update().get(pk=hit.pk)
    errors = {}
    if hit.status != ScreeningHit.Status.REVIEW:
        errors["decision"] = _("this hit is already decided")
    elif decision not in (ScreeningHit.Status.CONFIRMED, ScreeningHit.Status.CLEARED):
        errors["decision"] = _("choose confirm or clear")
    note = (note or "").strip()
    if not note:
        errors["note"] = _("give the reason for the decision")
    if errors:
        raise ValidationError(errors)
    hit.proposed_status, hit.proposed_by, hit.proposal_note = decision, acting.user, note[:500]
    hit.save(update_fields=["proposed_status", "proposed_by", "proposal_note"])
    record_event(actor=acting.user, event_code="compliance.hit_proposed", obj=hit,
                 after={"proposed": decision, "note": note[:500], "score": hit.score})
    return hit


@transaction.atomic
def hit_decide(*, actor, hit: ScreeningHit, approve: bool) -> ScreeningHit:
    """A second officer approves the proposal (a confirmed hit freezes the subject) or sends it back."""
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLIANCE)
    hit = ScreeningHit.objects.select_for_update().get(pk=hit.pk)
    if hit.status != ScreeningHit.Status.REVIEW or not hit.proposed_status:
        raise ValidationError({"decision": _("there is no proposal to decide on this hit")})
    if hit.proposed_by_id == getattr(acting.user, "pk", None):
        raise ValidationError({"decision": _("a second compliance officer must approve this proposal")})
    before = {"status": hit.status, "proposed": hit.proposed_status}
    if approve:
        hit.status, hit.decided_by, hit.decided_at = hit.proposed_status, acting.user, timezone.now()
        hit.save(update_fields=["status", "decided_by", "decided_at"])
        if hit.status == ScreeningHit.Status.CONFIRMED:
            SanctionFreeze.objects.get_or_create(subject_ref=hit.subject_ref,
                                                 defaults={"hit": hit, "frozen_by": acting.user})
    else:
        hit.proposed_status, hit.proposed_by, hit.proposal_note = "", None, ""
        hit.save(update_fields=["proposed_status", "proposed_by", "proposal_note"])
    record_event(actor=acting.user, event_code="compliance.hit_decided", obj=hit, before=before,
                 after={"approved": approve, "status": hit.status, "subject": hit.subject_ref,
                        "frozen": approve and hit.status == ScreeningHit.Status.CONFIRMED})
    return hit
