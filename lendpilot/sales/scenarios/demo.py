"""Demo bank step: scenario triggers (FEATURES B3, D3, D7). Runs after the portrait (tags, signals, facts,
values) and the scenario products exist. It saves one trigger rule per funding node -- detected by the
needs tags of the catalogue and a condition on the feeds -- through the rule service, then runs the
trigger job twice: 100 days ago (those offers have run out by now; a few were taken up or declined) and
today (live offers, tasks on the managers' lists, messages in the outbox), and creates the quarter's
post-loan advisory tasks for high-value borrowers; team leads drill their managers on objections (D5).
Everything goes through the same services as live use.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from lendpilot.customers.models import TagDefinition
from lendpilot.org.models import Staff
from lendpilot.org.roles import Role
from lendpilot.products.models import FundingNode, Product
from lendpilot.sales.drills import drill_answer, drill_score, drill_start
from lendpilot.sales.models import PreApprovedOffer, TriggerRule
from lendpilot.sales.scenarios.services import (
    advisory_tasks_generate,
    offer_accept,
    offer_decline,
    trigger_rule_save,
    triggers_evaluate,
)

if TYPE_CHECKING:
    from lendpilot.core.seeding import SeedContext

# Conditions ask for a real basis for the amount; borrowers in arrears are never offered (the service's rule).
RULES = (
    dict(code="EQUIP-LEASE", name="设备采购 → 设备融资租赁", node=FundingNode.EQUIPMENT_PURCHASE,
         tag_code="need_equipment", condition="equipment_amount_12m >= 100000",
         products=("LEASE-01", "TECH-01", "BIZ-01"), amount_basis=TriggerRule.AmountBasis.EQUIPMENT_AMOUNT,
         low_ratio="0.6", high_ratio="1.0", validity_days=30, cooldown_days=90, max_offers=2, window_days=30),
    dict(code="TECH-UPGRADE", name="技术改造 → 技改贷", node=FundingNode.TECHNOLOGY_UPGRADE,
         tag_code="need_technology", condition='kind == "enterprise" and equipment_amount_12m >= 500000',
         products=("TECH-01", "LEASE-01"), amount_basis=TriggerRule.AmountBasis.EQUIPMENT_AMOUNT,
         low_ratio="0.6", high_ratio="1.0", validity_days=45, cooldown_days=120, max_offers=2, window_days=30),
    dict(code="PEAK-STOCK", name="旺季备货 → 旺季备货贷", node=FundingNode.PEAK_SEASON_STOCKING,
         tag_code="need_stocking", condition="tax_invoice_12m >= 500000",
         products=("STOCK-01", "SCF-01"), amount_basis=TriggerRule.AmountBasis.TAX_INVOICE,
         low_ratio="0.1", high_ratio="0.25", validity_days=30, cooldown_days=90, max_offers=2, window_days=30,
         channel=TriggerRule.Channel.APP),
    dict(code="EXPANSION", name="扩产 → 扩产贷", node=FundingNode.EXPANSION,
         tag_code="need_expansion", condition="tax_invoice_12m >= 1000000",
         products=("EXPAND-01", "BIZ-01"), amount_basis=TriggerRule.AmountBasis.TAX_INVOICE,
         low_ratio="0.15", high_ratio="0.3", validity_days=60, cooldown_days=180, max_offers=1, window_days=30),
    dict(code="SCF-ORDERS", name="订单增长 → 供应链金融", node=FundingNode.SUPPLY_CHAIN,
         condition='kind == "enterprise" and tax_invoice_growth >= 0.3 and tax_invoice_12m >= 2000000',
         products=("SCF-01",), amount_basis=TriggerRule.AmountBasis.TAX_INVOICE,
         low_ratio="0.05", high_ratio="0.15", validity_days=30, cooldown_days=90, max_offers=2, window_days=30,
         active=False),
)
HISTORY_DAYS = 100


def seed(ctx: SeedContext) -> dict[str, int]:
    director = Staff.objects.filter(role=Role.DIRECTOR, is_active=True).select_related("user").first()
    if director is None:
        return {"trigger_rules": 0}
    products = dict(Product.objects.filter(is_active=True).values_list("code", "pk"))
    tags = set(TagDefinition.objects.filter(active=True).values_list("code", flat=True))
    saved = 0
    with transaction.atomic():
        for spec in RULES:
            spec = dict(spec)
            ids = [products[code] for code in spec.pop("products") if code in products]
            if spec.get("tag_code") and spec["tag_code"] not in tags:
                spec["tag_code"] = ""  # a catalogue without the tag: the condition alone detects the node
            try:
                trigger_rule_save(actor=director.user, product_ids=ids, **spec)
                saved += 1
            except ValidationError:  # a bank without the scenario products: skip the rule
                continue
    if not saved:
        return {"trigger_rules": 0}
    today = ctx.today
    earlier = triggers_evaluate(actor=None, as_of=today - timedelta(days=HISTORY_DAYS))
    # A few of the earlier offers were taken up or declined while they were live.
    rng = ctx.sub_rng("sales.triggers")
    decided = {"accepted": 0, "declined": 0}
    past = list(PreApprovedOffer.objects.filter(run=earlier).select_related("customer__manager__user")
                .order_by("pk")[:400])
    clock = timezone.localdate()
    for offer in rng.sample(past, min(len(past), max(2, len(past) // 5))):
        # The services judge validity by the clock; the history is replayed now, so the offer is made live
        # for the decision and gets its own validity back afterwards.
        lapses = offer.valid_until
        PreApprovedOffer.objects.filter(pk=offer.pk).update(valid_until=max(clock, offer.offered_on))
        manager_user = offer.customer.manager.user
        if rng.random() < 0.4:
            offer_accept(actor=manager_user, offer=offer)
            decided["accepted"] += 1
        else:
            offer_decline(actor=manager_user, offer=offer, reason=rng.choice(
                ["利率偏高", "暂无资金需求", "已在他行办理", "资料准备中，下月再议"]))
            decided["declined"] += 1
        PreApprovedOffer.objects.filter(pk=offer.pk).update(valid_until=lapses)
    now = triggers_evaluate(actor=None, as_of=today)
    advisory = advisory_tasks_generate(actor=None, as_of=today)
    return {"trigger_rules": saved, "offers_earlier": earlier.offers, "offers_live": now.offers,
            "offers_expired": now.expired, **decided, "messages": earlier.messages + now.messages,
            "advisory_tasks": advisory, **_drills(rng)}


DRILL_ANSWERS = ("先认同客户的顾虑，再用综合成本对比说明。", "说明上门收件和线上授权，减少客户跑腿。",
                 "给出明确的审批时限并承诺全程跟进。", "请客户提供对方条件，结合结算业务争取定价。",
                 "建议先核定循环额度备用，不用不计息。", "换时段换渠道联系，三次未接通登记。")


def _drills(rng) -> dict[str, int]:
    """Objection drills (D5): each team lead drills up to three of the team's managers; most are scored."""
    leads = list(Staff.objects.filter(role=Role.TEAM_LEAD, is_active=True).select_related("user")
                 .order_by("pk")[:6])
    started = scored = 0
    for lead in leads:
        team = list(Staff.objects.filter(team_id=lead.team_id, role=Role.ACCOUNT_MANAGER, is_active=True)
                    .select_related("user").order_by("pk")[:3])
        for manager in team:
            try:
                drill = drill_start(actor=lead.user, manager=manager, size=4, seed=rng.randrange(1 << 30))
            except ValidationError:  # a playbook without enough objection answers
                return {"drills": started, "drills_scored": scored}
            started += 1
            items = list(drill.items.all())
            if rng.random() < 0.2:
                continue  # still waiting for the manager's answers
            drill_answer(actor=manager.user, drill=drill, answers={i.pk: rng.choice(DRILL_ANSWERS) for i in items})
            drill_score(actor=lead.user, drill=drill, scores={i.pk: rng.randint(2, 5) for i in items},
                        feedback=rng.choice(["回答完整", "需加强利率异议的说服力", "注意先共情再解释"]))
            scored += 1
    return {"drills": started, "drills_scored": scored}
