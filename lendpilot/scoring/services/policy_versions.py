"""Versions of the hard rules (E1): publishing a new version, and the one the risk committee's accepted
industry proposals (monitoring's industry risk map, C6) turn into."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from lendpilot.compliance.audit import record_event
from lendpilot.org.access import Actor, actor_of, require
from lendpilot.org.roles import Perm
from lendpilot.scoring import policy
from lendpilot.scoring.models import PolicyVersion
from lendpilot.scoring.services.acting import Acting, acting_user


@transaction.atomic
def policy_version_publish(*, actor: Acting, rules: dict[str, Any], note: str = "") -> PolicyVersion:
    """Publish a new version of the hard rules (E1); the active one is retired. Malformed rules ->
    ValidationError naming each rule, nothing published."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_POLICY)
    try:
        clean = policy.validate_rules(rules)
    except policy.PolicyError as exc:
        raise ValidationError(exc.errors) from exc
    return _publish(acting, clean, note)


@transaction.atomic
def policy_publish_industry_changes(*, actor: Acting, changes: list[dict[str, Any]], source: str = "") -> PolicyVersion:
    """Turn the risk committee's accepted industry proposals (monitoring's industry risk map, C6) into a
    new policy version (E1): each change {"industry": "E", "admission": "tighten"|"keep"|"loosen",
    "premium_bps": 75} excludes / re-admits the industry and sets its risk premium over the product rate,
    which the pre-screen and the application page then price with. Starts from the active version (or
    the defaults). A malformed change -> ValidationError naming `changes.<n>.<field>`, nothing published."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_POLICY)
    current = PolicyVersion.objects.select_for_update().filter(status=PolicyVersion.Status.ACTIVE).first()
    try:
        base = policy.validate_rules(current.rules if current else {})
        clean = policy.validate_rules(policy.apply_industry_changes(base, changes))
    except policy.PolicyError as exc:
        raise ValidationError(exc.errors) from exc
    summary = ", ".join(f"{c['industry']} {c.get('admission', 'keep')} {c.get('premium_bps') or 0}bps"
                        for c in changes)
    note = f"{source}: {summary}" if source else summary
    return _publish(acting, clean, note)


def _publish(acting: Actor, clean: dict[str, Any], note: str) -> PolicyVersion:
    current = list(PolicyVersion.objects.select_for_update().filter(status=PolicyVersion.Status.ACTIVE))
    number = (PolicyVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    for old in current:
        old.status = PolicyVersion.Status.RETIRED
        old.save(update_fields=["status"])
    version = PolicyVersion.objects.create(number=number, rules=clean, note=note[:200],
                                           published_by=acting_user(acting))
    record_event(actor=acting.user, event_code="scoring.policy_published", obj=version,
                 before={"number": current[0].number, "rules": current[0].rules} if current else None,
                 after={"number": number, "rules": clean, "note": version.note})
    return version
