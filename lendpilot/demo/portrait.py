"""Demo bank step: the customer portrait (FEATURES B2, B4, D1, D7), after the loan book and monitoring.

Loads external feeds, the tag catalogue, tier policy and service packages and needs questionnaires
(`customers.portrait.demo`), then refreshes the per-customer loan facts from lending and recomputes feed
signals, tiers (with their change history), RFM, lifetime value and all tags set-based, and saves a few
segments for the director (`customers.portrait.demo.seed_segments`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lendpilot.customers.portrait import demo as demo_portrait
from lendpilot.lending.customer_facts import refresh_customer_portrait

if TYPE_CHECKING:
    from lendpilot.core.seeding import SeedContext


def seed(ctx: SeedContext) -> dict[str, int]:
    counts = {"feed_records": demo_portrait.seed_feeds(ctx)}
    counts.update(demo_portrait.seed_reference())
    counts["questionnaire_responses"] = demo_portrait.seed_questionnaires(ctx)
    summary = refresh_customer_portrait(as_of=ctx.today)
    counts.update({"customer_facts": summary["facts"], "tier_changes": summary["tier_changes"],
                   "customer_values": summary["values"], "tag_memberships": summary["memberships"]})
    counts["segments"] = demo_portrait.seed_segments()
    return counts
