"""Demo bank step: sales. The playbook (a script per node and customer tier, the objection library), a
resource pack per direct team, and 24 months of leads: most were screened and assigned to a manager of
their region and became opportunities that moved through the five nodes with realistic durations and
drop-offs (each move a transition row), were won or lost with a reason, or are still open; the last
two weeks' leads wait in the inbox for assignment. Open opportunities carry activities (some follow-ups
overdue) and, from the proposal node on, a proposal with its instalment figures.

Rows are bulk inserted; the figures on the funnel and kanban pages come from them through the same
selectors as live data.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from lendpilot.compliance.checkpoints.checklist import CHECKLISTS
from lendpilot.compliance.checkpoints.services import checkpoint_clear_by_system, checkpoint_decide, checkpoint_submit
from lendpilot.compliance.crypto import encrypt, keyed_hash, mask
from lendpilot.customers.models import Customer
from lendpilot.lending.models import Application, Loan
from lendpilot.lending.schedule import annualised_rate, build_schedule
from lendpilot.org.models import Region, Staff, Team
from lendpilot.org.roles import Role
from lendpilot.products.models import Product
from lendpilot.sales.funnel import OPEN_NODES, LossReason, Node
from lendpilot.sales.models import Activity, Lead, Opportunity, PlaybookEntry, Proposal, ResourcePack, Tier, Transition
from lendpilot.sales.services.playbooks import CHECKPOINT_KIND, playbook_ref, playbook_text

if TYPE_CHECKING:
    from lendpilot.core.seeding import SeedContext

HISTORY_DAYS = 730
INBOX_DAYS = 14
LEADS = {"tiny": 400, "small": 6_000, "medium": 40_000, "bank": 150_000}
# Chance to go on from each node, and the mean days spent there.
ADVANCE = {Node.SCREENING: 0.85, Node.FIRST_CONTACT: 0.70, Node.PROPOSAL: 0.62, Node.QUALIFICATION: 0.75,
           Node.SIGNING: 0.90}
MEAN_DAYS = {Node.SCREENING: 3, Node.FIRST_CONTACT: 10, Node.PROPOSAL: 16, Node.QUALIFICATION: 14, Node.SIGNING: 10}
LOSS = {
    Node.SCREENING: {LossReason.INELIGIBLE: 5, LossReason.UNREACHABLE: 4, LossReason.NO_NEED: 2},
    Node.FIRST_CONTACT: {LossReason.UNREACHABLE: 4, LossReason.NO_NEED: 4, LossReason.RATE: 2},
    Node.PROPOSAL: {LossReason.RATE: 6, LossReason.COMPETITOR: 3, LossReason.PAPERWORK: 3},
    Node.QUALIFICATION: {LossReason.DECLINED: 6, LossReason.PAPERWORK: 2, LossReason.SLOW: 2},
    Node.SIGNING: {LossReason.SLOW: 3, LossReason.COMPETITOR: 2, LossReason.RATE: 1},
}
SOURCES = {Lead.Source.DIRECT: 25, Lead.Source.CHANNEL: 25, Lead.Source.REFERRAL: 15, Lead.Source.CAMPAIGN: 15,
           Lead.Source.SCENARIO: 10, Lead.Source.WALK_IN: 10}
# Share of won opportunities whose loan is found in the book (same manager, disbursed while the lead was open).
LINKED_SHARE = 0.6
INDUSTRIES = {"C": 20, "F": 25, "H": 10, "E": 8, "G": 8, "I": 6, "A": 6, "L": 5, "O": 7, "K": 5}

SCRIPTS = {
    Node.SCREENING: ("核实需求与资质", "确认客户身份、经营年限、所在地区是否在服务范围内，初步了解资金用途与金额。"),
    Node.FIRST_CONTACT: ("首次触达开场白", "您好，我是客户经理。了解到贵司近期有资金周转需求，"
                                           "想用五分钟了解一下经营情况，看看我们有没有合适的方案。"),
    Node.PROPOSAL: ("方案讲解要点", "先复述客户需求（用途、金额、回款周期），再讲方案：额度、期限、还款方式与年化利率，"
                                   "用还款计划表说明每期金额。"),
    Node.QUALIFICATION: ("资料收集清单", "营业执照、近12个月流水、财务报表、纳税证明；"
                                         "提醒客户资料齐全可缩短审批时间。"),
    Node.SIGNING: ("签约放款提醒", "确认合同要素、放款账户与首期还款日，告知提前还款与逾期规则。"),
}
TIER_TONE = {Tier.PREMIUM: "（贵宾客户：由团队长陪同，突出专属额度与绿色通道）",
             Tier.STANDARD: "", Tier.BASIC: "（基础客户：简化说明，突出线上办理与快速审批）"}
OBJECTIONS = [
    (LossReason.RATE, "利率太高", "理解您对成本的关注。请比较综合融资成本：我行无手续费、可随借随还，按日计息，"
                                 "实际年化往往低于名义利率更低但收费多的产品。"),
    (LossReason.PAPERWORK, "资料太多太麻烦", "我们可以上门收取资料，很多信息可通过授权线上获取，只需补充少量材料。"),
    (LossReason.SLOW, "审批太慢", "资料齐全时，额度在100万以内的申请通常3个工作日内完成审批，我会全程跟进进度。"),
    (LossReason.COMPETITOR, "别家给的条件更好", "请告诉我对方的具体条件，我们会结合您的结算与代发业务争取更优定价。"),
    (LossReason.NO_NEED, "暂时不需要资金", "没问题，可以先核定一个循环额度备用，不用不计息，旺季备货时随时可用。"),
    (LossReason.UNREACHABLE, "客户难以联系", "换时段、换渠道（微信、短信预约），或通过推荐人转达，三次未接通后登记。"),
]


def _pick(rng, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _playbook(ctx: SeedContext) -> list[PlaybookEntry]:
    rng = ctx.sub_rng("sales.playbook")
    entries = []
    for node, (title, body) in SCRIPTS.items():
        for tier in Tier.values:
            entries.append(PlaybookEntry(kind=PlaybookEntry.Kind.SCRIPT, node=node, tier=tier,
                                         title=f"{title}·{Tier(tier).label}", body=body + TIER_TONE[tier],
                                         usage_count=rng.randint(0, 400)))
    for objection, title, body in OBJECTIONS:
        entries.append(PlaybookEntry(kind=PlaybookEntry.Kind.OBJECTION, objection=objection, title=title, body=body,
                                     usage_count=rng.randint(50, 900)))
    entries = PlaybookEntry.objects.bulk_create(entries)
    _clear_playbook(entries)
    return entries


def _clear_playbook(entries: list[PlaybookEntry]) -> None:
    """The published playbook went through compliance (C7): the director wrote it, the first compliance officer
    approved every text with its checklist (the system path when the bank has no such pair)."""
    author = Staff.objects.filter(role=Role.DIRECTOR, is_active=True).select_related("user").order_by("pk").first()
    checker = (Staff.objects.filter(role=Role.COMPLIANCE_OFFICER, is_active=True).select_related("user")
               .order_by("pk").first())
    for entry in entries:
        ref, kind, text = playbook_ref(entry), CHECKPOINT_KIND[entry.kind], playbook_text(entry)
        if author is None or checker is None:
            checkpoint_clear_by_system(actor=None, subject_ref=ref, kind=kind, title=entry.title, text=text)
            continue
        review = checkpoint_submit(actor=author.user, subject_ref=ref, kind=kind, title=entry.title, text=text)
        checkpoint_decide(actor=checker.user, review=review, approve=True,
                          checked=[code for code, _label, _law in CHECKLISTS[kind]])


def _aware(day, rng) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9, 0)) + timedelta(minutes=rng.randint(0, 540)))


def _link_loans(ctx: SeedContext, opps: list[Opportunity], plans: list[list]) -> list[Opportunity]:
    """Ties a share of the book's disbursed applications to a won opportunity of the same manager, the one
    the loan came from: that opportunity (and its lead) is moved in time, keeping every duration, so that the
    loan is disbursed while it was open and it is won within days after (a loan is disbursed before the
    opportunity is won). The command centre's lead conversion and conversion cycle (B9) follow this link."""
    rng = ctx.sub_rng("sales.loans")
    won: dict[int, list[int]] = {}
    for i, opp in enumerate(opps):
        if opp.node == Node.WON:
            won.setdefault(opp.owner_id, []).append(i)
    linked = []
    for application_id, customer_id, manager_id, day in (
            Loan.objects.filter(contract__application__status=Application.Status.DISBURSED)
            .order_by("disbursed_on", "pk")
            .values_list("contract__application_id", "borrower_id", "borrower__manager_id", "disbursed_on")):
        fits = [i for i in won.get(manager_id, ()) if opps[i].lead.customer_id in (None, customer_id)]
        if not fits or rng.random() >= LINKED_SHARE:
            continue
        i = rng.choice(fits)
        won[manager_id].remove(i)
        opp, moves = opps[i], plans[i]
        shift = timedelta(days=(day - timezone.localdate(moves[-1][2])).days + rng.randint(0, 5))
        plans[i] = moves = [(src, dst, at + shift) for src, dst, at in moves]
        opp.lead.received_at += shift
        opp.created_at, opp.node_entered_at, opp.closed_at = moves[0][2], moves[-1][2], moves[-1][2]
        opp.application_id, opp.customer_id, opp.lead.customer_id = application_id, customer_id, customer_id
        linked.append(opp)
    return linked


def _reference(ctx: SeedContext) -> tuple[dict[int, list[int]], list[Product], list[Region],
                                          dict[int, list[tuple[int, int]]]]:
    managers_by_region: dict[int, list[int]] = {}
    for pk, region_id in Staff.objects.filter(role=Role.ACCOUNT_MANAGER, is_active=True).values_list("pk",
                                                                                                      "region_id"):
        managers_by_region.setdefault(region_id, []).append(pk)
    products = list(Product.objects.filter(is_active=True).order_by("pk"))
    regions = [r for r in Region.objects.order_by("pk") if r.pk in managers_by_region]
    customers_by_region: dict[int, list[tuple[int, int]]] = {}
    if products and regions:
        for pk, manager_id, region_id in Customer.objects.order_by("pk").values_list(
                "pk", "manager_id", "region_id")[:50_000]:
            customers_by_region.setdefault(region_id, []).append((pk, manager_id))
    return managers_by_region, products, regions, customers_by_region


def _playbook_and_packs(ctx: SeedContext) -> tuple[list[PlaybookEntry], list[ResourcePack]]:
    with transaction.atomic():
        playbook = _playbook(ctx)
        packs = []
        for team in Team.objects.filter(channel=Team.Channel.DIRECT).order_by("pk")[:20]:
            packs.append(ResourcePack(name=f"{team.name}重点客户包", team=team, target="小微企业经营贷攻坚",
                                      rate_floor=Decimal("0.0450")))
        ResourcePack.objects.bulk_create(packs)
        scripts = [e for e in playbook if e.kind == PlaybookEntry.Kind.SCRIPT]
        for pack in ResourcePack.objects.filter(team__in=[p.team for p in packs]):
            pack.scripts.set(scripts)
    return playbook, packs


def _lead(ctx: SeedContext, rng, n: int, *, regions: list[Region], products: list[Product],
          managers_by_region: dict[int, list[int]], customers_by_region: dict[int, list[tuple[int, int]]],
          partners: list[int]) -> Lead:
    region = rng.choice(regions)
    age = int(HISTORY_DAYS * (rng.random() ** 1.3))  # more leads lately: the book grows
    received = _aware(ctx.today - timedelta(days=age), rng)
    kind = Customer.Kind.ENTERPRISE if rng.random() < 0.35 else Customer.Kind.PERSON
    product = rng.choice(products)
    amount = Decimal(rng.randint(max(1, int(product.min_amount) // 10_000),
                                 max(2, int(min(product.max_amount, product.min_amount * 30)) // 10_000)) * 10_000)
    phone = f"1{rng.choice('3589')}{n:09d}"
    existing = customers_by_region.get(region.pk) if rng.random() < 0.25 else None
    customer_id, owner_id = rng.choice(existing) if existing else (None, None)
    reasons: list[str] = []
    if rng.random() < 0.08:
        reasons = [rng.choice(["amount_out_of_range", "blacklisted", "region_not_served"])]
    if reasons:
        status = Lead.Status.DISQUALIFIED
    elif age < INBOX_DAYS and rng.random() < 0.7:
        status = Lead.Status.QUALIFIED
    else:
        status = Lead.Status.CONVERTED
        owner_id = owner_id or rng.choice(managers_by_region[region.pk])
    name = ctx.faker.company() if kind == Customer.Kind.ENTERPRISE else ctx.faker.name()
    source = _pick(rng, SOURCES)
    # Channel leads came in through the partners' portal, so each partner sees its own submissions.
    submitter = partners[n % len(partners)] if source == Lead.Source.CHANNEL and partners else None
    return Lead(
        kind=kind, name=name[:100], source=source, industry=_pick(rng, INDUSTRIES), region=region,
        created_by_id=submitter,
        product=product, amount_wanted=amount, customer_id=customer_id,
        owner_id=owner_id if status == Lead.Status.CONVERTED else None, status=status,
        phone_cipher=encrypt(phone), phone_hash=keyed_hash(phone), phone_masked=mask(phone, keep_start=3,
                                                                                    keep_end=4),
        disqualification_reasons=reasons, received_at=received,
        assignment_reason="industry expertise, existing-customer conversion"
        if status == Lead.Status.CONVERTED else "")


def _opportunity(rng, lead: Lead, now: datetime) -> tuple[Opportunity, list]:
    """The opportunity a converted lead became and its moves through the nodes up to now."""
    at = lead.received_at + timedelta(hours=rng.randint(1, 48))
    moves = [("", Node.SCREENING, at)]
    node = Node.SCREENING
    loss = ""
    pace = 4 if rng.random() < 0.15 else 1  # some opportunities stall
    for k, current in enumerate(OPEN_NODES):
        at = at + timedelta(hours=max(1, int(rng.expovariate(1 / MEAN_DAYS[current]) * 24 * pace)))
        if at > now:
            break
        if rng.random() < ADVANCE[current]:
            node = OPEN_NODES[k + 1] if k + 1 < len(OPEN_NODES) else Node.WON
        else:
            node, loss = Node.LOST, _pick(rng, LOSS[current])
        moves.append((current, node, at))
        if node in (Node.WON, Node.LOST):
            break
    tier = Tier.PREMIUM if lead.amount_wanted >= 1_000_000 else _pick(rng, {Tier.STANDARD: 3, Tier.BASIC: 2})
    return Opportunity(
        lead=lead, customer_id=lead.customer_id, name=lead.name, owner_id=lead.owner_id, node=node, tier=tier,
        industry=lead.industry, product=lead.product, amount=lead.amount_wanted, loss_reason=loss,
        created_at=moves[0][2], node_entered_at=moves[-1][2],
        closed_at=moves[-1][2] if node in (Node.WON, Node.LOST) else None), moves


def _proposal(opp: Opportunity) -> Proposal | None:
    if OPEN_NODES.index(opp.node) < OPEN_NODES.index(Node.PROPOSAL) or opp.product is None:
        return None
    product = opp.product
    term = min(max(12, product.min_term_months), product.max_term_months)
    rate = max(product.min_annual_rate, min(product.max_annual_rate, Decimal("0.0600")))
    amount = max(product.min_amount, min(product.max_amount, opp.amount))
    method = product.repayment_methods[0]
    rows = build_schedule(principal=amount, annual_rate=rate, periods=term, method=method,
                          start=timezone.localdate(opp.node_entered_at))
    return Proposal(
        opportunity=opp, version=1, product=product, amount=amount, term_months=term, repayment_method=method,
        annual_rate=rate, apr=annualised_rate(principal=amount, rows=rows, periods=term),
        first_payment=rows[0].payment, total_interest=sum((r.interest for r in rows), Decimal("0")),
        needs={"用途": "经营周转"}, created_by_id=opp.owner_id)


def _work_on_open(rng, opps: list[Opportunity], now: datetime) -> tuple[list[Activity], list[Proposal]]:
    """Activities on every open opportunity (the last one's follow-up still due) and, from the proposal
    node on, a proposal."""
    activities, proposals = [], []
    kinds = list(Activity.Kind.values)
    for opp in opps:
        if opp.node in (Node.WON, Node.LOST):
            continue
        last = opp.created_at
        for _ in range(rng.randint(1, 3)):
            last = min(now, last + timedelta(days=rng.randint(0, 6), hours=rng.randint(1, 8)))
            activities.append(Activity(opportunity=opp, owner_id=opp.owner_id, kind=rng.choice(kinds),
                                       outcome=_pick(rng, {"positive": 4, "neutral": 3, "negative": 1,
                                                           "no_answer": 2}),
                                       happened_at=last, follow_up_done=True))
        due = timezone.localdate(last) + timedelta(days=rng.randint(1, 10))
        activities[-1].next_step = "电话回访" if rng.random() < 0.5 else "上门送资料清单"
        activities[-1].next_step_on = due
        activities[-1].follow_up_done = False
        proposal = _proposal(opp)
        if proposal is not None:
            proposals.append(proposal)
    return activities, proposals


def seed(ctx: SeedContext) -> dict[str, int]:
    rng = ctx.sub_rng("sales")
    managers_by_region, products, regions, customers_by_region = _reference(ctx)
    if not products or not regions:
        return {"leads": 0}
    playbook, packs = _playbook_and_packs(ctx)

    total = LEADS.get(ctx.scale.name, 6_000)
    partners = list(Staff.objects.filter(role=Role.CHANNEL_PARTNER, is_active=True).order_by("pk")
                    .values_list("pk", flat=True))
    leads = [_lead(ctx, rng, n, regions=regions, products=products, managers_by_region=managers_by_region,
                   customers_by_region=customers_by_region, partners=partners)
             for n in ctx.progress(range(total), desc="sales leads")]
    with transaction.atomic():
        Lead.objects.bulk_create(leads, batch_size=ctx.scale.batch_size)
    converted = [lead for lead in leads if lead.status == Lead.Status.CONVERTED]

    now = timezone.now()
    opps: list[Opportunity] = []
    plans: list[list] = []
    for lead in converted:
        opp, moves = _opportunity(rng, lead, now)
        opps.append(opp)
        plans.append(moves)
    linked = _link_loans(ctx, opps, plans)
    with transaction.atomic():
        Opportunity.objects.bulk_create(opps, batch_size=ctx.scale.batch_size)
        Lead.objects.bulk_update([opp.lead for opp in linked], ["customer", "received_at"],
                                 batch_size=ctx.scale.batch_size)
    transitions = (
        (opp.pk, src, dst, at, "system", "")
        for opp, moves in zip(opps, plans, strict=True) for src, dst, at in moves)
    n_transitions = ctx.insert_rows(Transition, ["opportunity_id", "from_node", "to_node", "at", "actor_label",
                                                  "note"],
                                    transitions, total=sum(len(m) for m in plans), desc="sales transitions")

    activities, proposals = _work_on_open(rng, opps, now)
    with transaction.atomic():
        Activity.objects.bulk_create(activities, batch_size=ctx.scale.batch_size)
        Proposal.objects.bulk_create(proposals, batch_size=ctx.scale.batch_size)
    if ctx.is_postgresql:
        for model in (Lead, Opportunity, Transition, Activity):
            ctx.analyze(model)
    return {"leads": len(leads), "opportunities": len(opps), "transitions": n_transitions,
            "activities": len(activities), "proposals": len(proposals),
            "linked_loans": len(linked), "playbook_entries": len(playbook),
            "resource_packs": len(packs)}
