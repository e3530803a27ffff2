"""The early-warning rule set: the active thresholds every EOD stage reads, and publishing a new version."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from lendpilot.compliance.audit import record_event
from lendpilot.monitoring.models import RuleSet
from lendpilot.monitoring.rules import RulesError, validate_rules
from lendpilot.monitoring.services.acting import Acting, acting_user
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm


def active_ruleset() -> RuleSet:
    rs = RuleSet.objects.filter(is_active=True).first()
    if rs is None:
        try:
            with transaction.atomic():
                rs = RuleSet.objects.create(version=1, thresholds=validate_rules({}), is_active=True,
                                            note="defaults")
        except IntegrityError:
            rs = RuleSet.objects.get(is_active=True)
    return rs


@transaction.atomic
def ruleset_publish(*, actor: Acting, thresholds: dict[str, Any],
                    note: str = "") -> RuleSet:
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_MONITORING_RULES)
    try:
        clean = validate_rules(thresholds)
    except RulesError as exc:
        raise ValidationError(exc.errors) from exc
    current = list(RuleSet.objects.select_for_update().filter(is_active=True))
    number = (RuleSet.objects.aggregate(n=Max("version"))["n"] or 0) + 1
    RuleSet.objects.filter(is_active=True).update(is_active=False)
    rs = RuleSet.objects.create(version=number, thresholds=clean, is_active=True, note=note[:200],
                                created_by=acting_user(acting))
    record_event(actor=acting.user, event_code="monitoring.rules_published", obj=rs,
                 before={"version": current[0].version} if current else None,
                 after={"version": number, "thresholds": clean})
    return rs
