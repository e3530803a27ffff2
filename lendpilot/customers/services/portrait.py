"""The nightly portrait run (B2, B4, D7): signals, tiers, values, then tags.
"""

import datetime as _dt

from django.db import transaction

from lendpilot.compliance.audit import record_batch_event
from lendpilot.customers.services.signals import signals_refresh
from lendpilot.customers.services.tags import tags_recompute
from lendpilot.customers.services.tiers import tiers_recompute, values_recompute
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm


@transaction.atomic
def portrait_recompute(*, actor, as_of: _dt.date) -> dict:
    """The nightly portrait run after the loan-book facts are refreshed: feed signals, tiers, RFM and
    lifetime value, then all tags (in that order: tags read the tiers, signals and values)."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_TAGS)
    signals = signals_refresh(as_of=as_of)
    tiers = tiers_recompute(actor=acting, as_of=as_of)
    values = values_recompute(as_of=as_of)
    tags = tags_recompute(actor=acting, as_of=as_of)
    summary = {"signals": signals, "tier_changes": tiers["changed"], "values": values,
               "tags": len(tags), "memberships": sum(tags.values())}
    record_batch_event(actor=acting.user, event_code="customers.portrait_recomputed",
                       summary={"batch_id": f"portrait:{as_of.isoformat()}", "as_of": as_of.isoformat(), **summary})
    return summary
