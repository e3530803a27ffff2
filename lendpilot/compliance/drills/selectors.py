"""Drill reads: alerts, canaries, the drill schedule, and the users whose reveals stand out among peers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, QuerySet

from lendpilot.compliance.drills.anomaly import outliers
from lendpilot.compliance.drills.models import CanaryAlert, CanaryRecord, LeakDrill
from lendpilot.compliance.models import PiiAccessLog
from lendpilot.org.access import Actor, require
from lendpilot.org.models import Staff
from lendpilot.org.roles import Perm, Role


def canary_alerts(actor: Actor, *, status: str = CanaryAlert.Status.OPEN) -> QuerySet[CanaryAlert]:
    require(actor, Perm.VIEW_COMPLIANCE)
    alerts = CanaryAlert.objects.select_related("actor__staff", "closed_by")
    return alerts.filter(status=status) if status else alerts


def canaries(actor: Actor) -> QuerySet[CanaryRecord]:
    require(actor, Perm.VIEW_COMPLIANCE)
    return CanaryRecord.objects.select_related("planted_by")


def drills(actor: Actor) -> QuerySet[LeakDrill]:
    require(actor, Perm.VIEW_COMPLIANCE)
    return LeakDrill.objects.annotate(fix_count=Count("fixes"))


@dataclass(frozen=True)
class AccessOutlier:
    name: str
    role: str
    reveals: int
    peer_median: float
    z: float | None


def bulk_access_outliers(actor: Actor, *, today: date, days: int = 30) -> list[AccessOutlier]:
    """Users whose reveals in the last `days` days are far above their peers' (same role), by robust z-score."""
    require(actor, Perm.VIEW_COMPLIANCE)
    since = today - timedelta(days=days)
    counts = dict(PiiAccessLog.objects.filter(accessed_at__date__gt=since).values("actor")
                  .annotate(n=Count("pk")).values_list("actor", "n"))
    staff = {s.user_id: s for s in Staff.objects.filter(user_id__in=list(counts))}
    by_role: dict[str, dict[object, int]] = {}
    for user_id, n in counts.items():
        member = staff.get(user_id)
        by_role.setdefault(member.role if member else "", {})[user_id] = n
    # Peers who revealed nothing still count: an account manager who reveals 500 identifiers stands out among
    # colleagues who revealed none.
    for member in Staff.objects.filter(is_active=True).exclude(user_id__in=list(counts)).only("user_id", "role"):
        by_role.setdefault(member.role, {})[member.user_id] = 0
    role_names = dict(Role.choices)
    found = []
    for role, peers in by_role.items():
        for outlier in outliers(peers):
            member = staff.get(outlier.key)
            found.append(AccessOutlier(member.name if member else str(outlier.key), role_names.get(role, role),
                                       outlier.count, outlier.peer_median, outlier.z))
    return sorted(found, key=lambda o: -o.reveals)
