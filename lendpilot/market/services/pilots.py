"""Pilots of a process change: plan (randomise the teams or branches within strata), start, record the
metric per cluster, and decide (roll out, stop, extend)."""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event, snapshot
from lendpilot.core.errors import Conflict
from lendpilot.market.models import Pilot, PilotCluster, PilotDecision, PilotStatus
from lendpilot.market.pilots.design import stratified_assignment
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm


def _check_plan(*, name: str, baseline_rate: Decimal, target_rate: Decimal, icc: Decimal, starts: date, ends: date,
                pre_starts: date | None, clusters: dict[str, str]) -> None:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("required")]
    if ends <= starts:
        errors["ends"] = [_("the pilot must end after it starts")]
    if pre_starts is not None and pre_starts >= starts:
        errors["pre_starts"] = [_("the pre-period comes before the start")]
    if not (Decimal(0) < baseline_rate < 1 and Decimal(0) < target_rate < 1) or baseline_rate == target_rate:
        errors["target_rate"] = [_("two different rates between 0% and 100%")]
    if not Decimal(0) <= icc < 1:
        errors["icc"] = [_("between 0 and 1")]
    if len(clusters) < 4:
        errors["clusters"] = [_("at least four teams or branches, two per arm")]
    if errors:
        raise ValidationError(errors)


def pilot_plan(*, actor, name: str, change: str, metric: str, baseline_rate: Decimal, target_rate: Decimal,
               icc: Decimal, starts: date, ends: date, clusters: dict[str, str], seed: int = 1,
               cases_per_cluster: int = 0, pre_starts: date | None = None) -> Pilot:
    """`clusters`: team or branch code -> stratum. Each stratum is split at random between the arms.
    `cases_per_cluster` is the expected number of cases per team or branch over the pilot: the power plan
    and its cluster design effect use it until the clusters' counted cases are recorded."""
    require(actor_of(actor), Perm.MANAGE_MARKET)
    _check_plan(name=name, baseline_rate=baseline_rate, target_rate=target_rate, icc=icc, starts=starts, ends=ends,
                pre_starts=pre_starts, clusters=clusters)
    arms = stratified_assignment(clusters, seed=seed)
    try:
        with transaction.atomic():
            pilot = Pilot.objects.create(name=name.strip(), change=change, metric=metric,
                                         baseline_rate=baseline_rate, target_rate=target_rate, icc=icc,
                                         starts=starts, ends=ends, seed=seed, cases_per_cluster=cases_per_cluster,
                                         pre_starts=pre_starts)
            PilotCluster.objects.bulk_create(PilotCluster(pilot=pilot, code=code, stratum=stratum,
                                                          treated=bool(arms[code]))
                                             for code, stratum in clusters.items())
            record_event(actor=actor, event_code="market.pilot_planned", obj=pilot,
                         after=snapshot(pilot) | {"treated": sorted(c for c in clusters if arms[c])})
    except IntegrityError as error:
        raise ValidationError({"name": [_("a pilot of that name exists")]}) from error
    return pilot


def pilot_start(*, actor, pilot_id: int) -> Pilot:
    require(actor_of(actor), Perm.MANAGE_MARKET)
    with transaction.atomic():
        pilot = Pilot.objects.select_for_update().get(pk=pilot_id)
        if pilot.status != PilotStatus.PLANNED:
            raise Conflict(_("only a planned pilot can start"))
        pilot.status = PilotStatus.RUNNING
        pilot.save(update_fields=["status"])
        record_event(actor=actor, event_code="market.pilot_started", obj=pilot, after={"status": pilot.status})
    return pilot


def pilot_results_record(*, actor, pilot_id: int,
                         results: Mapping[str, tuple[int, Decimal, Decimal | None]]) -> Pilot:
    """`results`: cluster code -> (cases, metric before, metric after or None while running)."""
    require(actor_of(actor), Perm.MANAGE_MARKET)
    with transaction.atomic():
        pilot = Pilot.objects.select_for_update().get(pk=pilot_id)
        clusters = {c.code: c for c in pilot.clusters.all()}
        if unknown := sorted(set(results) - set(clusters)):
            raise ValidationError({"results": [f"not in the pilot: {unknown}"]})
        for code, (units, pre, post) in results.items():
            cluster = clusters[code]
            cluster.units, cluster.pre_value, cluster.post_value = units, pre, post
        PilotCluster.objects.bulk_update([clusters[c] for c in results], ["units", "pre_value", "post_value"])
        record_event(actor=actor, event_code="market.pilot_results_recorded", obj=pilot,
                     after={"clusters": len(results)})
    return pilot


def pilot_decide(*, actor, pilot_id: int, decision: str) -> Pilot:
    require(actor_of(actor), Perm.APPROVE_PRICING)
    if decision not in PilotDecision.values:
        raise ValidationError({"decision": [_("choose roll out, stop or extend")]})
    with transaction.atomic():
        pilot = Pilot.objects.select_for_update().get(pk=pilot_id)
        if pilot.status == PilotStatus.PLANNED:
            raise Conflict(_("a pilot that has not started cannot be decided"))
        before = snapshot(pilot)
        pilot.decision, pilot.decided_by = decision, actor
        pilot.status = PilotStatus.RUNNING if decision == PilotDecision.EXTEND else PilotStatus.FINISHED
        pilot.save(update_fields=["decision", "decided_by", "status"])
        record_event(actor=actor, event_code="market.pilot_decided", obj=pilot, before=before,
                     after=snapshot(pilot))
    return pilot
