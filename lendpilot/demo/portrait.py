"""Demo bank step: the customer portrait (FEATURES B2, B4, D1, D7), after the loan book and monitoring.

Loads external feeds, the tag catalogue, tier policy and service packages and needs questionnaires
(`customers.portrait.demo`), then refreshes the per-customer loan facts from lending and recomputes feed
signals, tiers (with their change history), RFM, lifetime value and all tags set-based, and saves a few
segments for the director and the regional heads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from lendpilot.customers.portrait import demo as demo_portrait
from lendpilot.customers.services import segment_save
from lendpilot.lending.customer_facts import refresh_customer_portrait
from lendpilot.org.models import Staff
from lendpilot.org.roles import Role

if TYPE_CHECKING:
    from lendpilot.core.seeding import SeedContext

SEGMENTS = [
    ("华东制造业扩产目标客户", "制造业 AND 华东 AND 扩产需求 AND NOT 逾期"),
    ("高价值客户维护名单", "高价值客户 AND NOT 逾期"),
    ("设备融资租赁目标", "设备更新需求 AND (制造业 OR 建筑业) AND NOT 征信红色预警"),
    ("旺季备货供应链金融", "旺季备货需求 AND 批发零售业"),
    ("成长客户提额", "tier = growth AND 无不良记录 AND 开票增长10%以上"),
]


def seed(ctx: SeedContext) -> dict[str, int]:
    counts = {"feed_records": demo_portrait.seed_feeds(ctx)}
    counts.update(demo_portrait.seed_reference())
    counts["questionnaire_responses"] = demo_portrait.seed_questionnaires(ctx)
    summary = refresh_customer_portrait(as_of=ctx.today)
    counts.update({"customer_facts": summary["facts"], "tier_changes": summary["tier_changes"],
                   "customer_values": summary["values"], "tag_memberships": summary["memberships"]})
    director = Staff.objects.filter(role=Role.DIRECTOR, is_active=True).select_related("user").first()
    saved = 0
    if director is not None:
        for name, query in SEGMENTS:
            try:
                segment_save(actor=director.user, name=name, query=query)
                saved += 1
            except ValidationError:  # a catalogue without one of the tags: skip the example
                continue
    counts["segments"] = saved
    return counts
