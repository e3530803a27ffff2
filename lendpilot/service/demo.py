"""Demo step: a year of complaints (about 0.4 percent of active customers a month, from every channel, most
closed in time, a few extended, escalated or appealed, the latest still open) and satisfaction surveys (after
each disbursement and yearly, about a third answered, managers differing in how their customers rate them),
so that NPS and the complaint rate show month by month in the command centre, and referrals among the year's
borrowers with their rewards checked; then a year of public posts with one spike and the crisis it opened
(`demo_sentiment`). Bulk inserts; a handful of
complaints go through the services end to end so their remediation items and audit records are real."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction

from lendpilot.core.months import shift_month
from lendpilot.customers.models import Customer
from lendpilot.lending.models import Loan
from lendpilot.org.models import Staff
from lendpilot.org.roles import Role
from lendpilot.service import demo_sentiment, services
from lendpilot.service.deadlines import due_date
from lendpilot.service.models import Complaint, ComplaintStatusChange, Referral, Survey

if TYPE_CHECKING:
    from lendpilot.core.seeding import SeedContext

CHANNEL_WEIGHTS = [("app", 35), ("phone", 30), ("counter", 15), ("online", 12), ("regulator", 8)]
STAGE_TEXT = {
    "marketing": ("营销电话过于频繁", "停止营销来电"), "approval": ("审批时间过长且无进度告知", "说明审批进度"),
    "disbursement": ("放款比约定晚了三天", "解释原因并补偿"), "repayment": ("自动扣款失败却被记逾期", "撤销逾期记录"),
    "collection": ("催收电话打到家人", "停止联系第三方"), "service": ("客服热线长时间无人接听", "改进服务"),
}
ROOT_CAUSES = [("扣款批次重跑导致重复扣款", "批次加幂等校验并退款"),
               ("外呼名单未剔除拒绝营销客户", "更新外呼黑名单规则"),
               ("审批节点无进度通知", "上线审批进度短信"),
               ("催收话术未遵守第三方联系规定", "催收话术培训并抽检")]


def seed(ctx: SeedContext) -> dict[str, int]:
    rng = ctx.sub_rng("service")
    customers = list(Customer.objects.filter(lifecycle_status=Customer.Lifecycle.ACTIVE)
                     .values_list("pk", "manager_id", "tier"))
    if not customers:
        return {"complaints": 0, "surveys": 0}
    managers = sorted({m for _c, m, _t in customers if m})
    # Each manager's customers lean one way, so the CX matrix has something to show.
    lean = {m: rng.choice([-2, -1, 0, 0, 1, 1, 2]) for m in managers}
    with transaction.atomic():
        surveys = _surveys(ctx, rng, customers, lean)
        complaints = _complaints(ctx, rng, customers)
        referrals = _referrals(ctx, rng)
    worked = _worked_examples(ctx, rng)
    services.referrals_check(today=ctx.today)
    return {"complaints": complaints + worked, "surveys": surveys, "referrals": referrals,
            **demo_sentiment.seed(ctx)}


def _referrals(ctx, rng) -> int:
    """Borrowers of the last year referred by another customer of the same manager before their loan."""
    start = ctx.today - timedelta(days=365)
    borrowers = list(Loan.objects.filter(disbursed_on__gte=start).order_by("borrower_id", "disbursed_on")
                     .values_list("borrower_id", "borrower__manager_id", "disbursed_on").distinct()[:5000])
    by_manager: dict = {}
    for customer_id, manager_id, _day in borrowers:
        by_manager.setdefault(manager_id, []).append(customer_id)
    rows, seen = [], set()
    for customer_id, manager_id, day in borrowers:
        peers = [c for c in by_manager.get(manager_id, []) if c != customer_id]
        if customer_id in seen or not peers or rng.random() > 0.15:
            continue
        seen.add(customer_id)
        referrer = Customer(pk=rng.choice(peers))
        rows.append(Referral(referrer_id=referrer.pk, referred_id=customer_id, code=services.referral_code(referrer),
                             registered_on=day - timedelta(days=rng.randint(3, 20))))
    Referral.objects.bulk_create(rows, batch_size=ctx.scale.batch_size, ignore_conflicts=True)
    return len(rows)


def _score(rng, lean: int, month_index: int) -> int:
    # Satisfaction improves slowly over the year; the lean moves a manager's customers up or down.
    base = rng.choices(range(11), weights=[2, 1, 1, 2, 2, 4, 6, 10, 14, 16, 14])[0]
    return max(0, min(10, base + lean + (1 if month_index > 8 and rng.random() < 0.3 else 0)))


def _surveys(ctx, rng, customers, lean) -> int:
    start = ctx.today - timedelta(days=365)
    rows = []
    loans = Loan.objects.filter(disbursed_on__gte=start, disbursed_on__lte=ctx.today).values_list(
        "pk", "borrower_id", "borrower__manager_id", "borrower__tier", "product_id", "disbursed_on")
    for loan_id, customer_id, manager_id, tier, product_id, day in loans.iterator():
        rows.append(_survey(ctx, rng, customer_id, manager_id, tier, product_id, "disbursement", f"loan:{loan_id}",
                            day + timedelta(days=1), lean))
    for customer_id, manager_id, tier in rng.sample(customers, min(len(customers), 2000)):
        day = start + timedelta(days=rng.randint(1, 364))
        rows.append(_survey(ctx, rng, customer_id, manager_id, tier, None, "annual",
                            f"year:{day.year}:{customer_id}", day, lean))
    rows = [r for r in rows if r.sent_on <= ctx.today]
    Survey.objects.bulk_create(rows, batch_size=ctx.scale.batch_size, ignore_conflicts=True)
    return len(rows)


def _survey(ctx, rng, customer_id, manager_id, tier, product_id, trigger, ref, sent_on, lean) -> Survey:
    answered = rng.random() < 0.35 and sent_on + timedelta(days=2) <= ctx.today
    month_index = 12 - (ctx.today.year - sent_on.year) * 12 - (ctx.today.month - sent_on.month)
    return Survey(customer_id=customer_id, manager_id=manager_id, product_id=product_id, tier=tier or "",
                  trigger=trigger, source_ref=ref, sent_on=sent_on,
                  score=_score(rng, lean.get(manager_id, 0), month_index) if answered else None,
                  answered_on=sent_on + timedelta(days=rng.randint(0, 2)) if answered else None)


def _complaints(ctx, rng, customers) -> int:
    channels = [c for c, _w in CHANNEL_WEIGHTS]
    weights = [w for _c, w in CHANNEL_WEIGHTS]
    rows: list[Complaint] = []
    first = shift_month(ctx.today.replace(day=1), -11)
    per_month = max(6, len(customers) * 4 // 1000)
    month = first
    n = 0
    while month <= ctx.today:
        count = int(per_month * rng.uniform(0.7, 1.3))
        for _i in range(count):
            received = month + timedelta(days=rng.randint(0, 27))
            if received > ctx.today:
                continue
            n += 1
            customer_id, manager_id, _tier = rng.choice(customers)
            stage = rng.choice(list(STAGE_TEXT))
            rows.append(_complaint(ctx, rng, n, customer_id, manager_id, stage, rng.choices(channels, weights)[0],
                                   received))
        month = shift_month(month, 1)
    Complaint.objects.bulk_create(rows, batch_size=ctx.scale.batch_size)
    created = Complaint.objects.filter(reference__in=[r.reference for r in rows]).values_list("pk", "status",
                                                                                               "received_on")
    ComplaintStatusChange.objects.bulk_create(
        [ComplaintStatusChange(complaint_id=pk, to_status=status, note="", on=day) for pk, status, day in created],
        batch_size=ctx.scale.batch_size)
    return len(rows)


def _complaint(ctx, rng, n, customer_id, manager_id, stage, channel, received) -> Complaint:
    extensions = 1 if rng.random() < 0.1 else 0
    due = due_date(received, extensions=extensions)
    age = (ctx.today - received).days
    summary, request = STAGE_TEXT[stage]
    closed = age > 20
    decided_on = received + timedelta(days=min(age, rng.randint(3, 14 + extensions * 12))) if closed else None
    cause, fix = rng.choice(ROOT_CAUSES)
    return Complaint(
        reference=f"TS{received:%Y%m%d}D{n:05d}", customer_id=customer_id, manager_id=manager_id, channel=channel,
        stage=stage, level="major" if channel == "regulator" and rng.random() < 0.3 else "ordinary",
        summary=summary, request=request, received_on=received, acknowledged_on=received + timedelta(days=1),
        status=Complaint.Status.CLOSED if closed else Complaint.Status.ACKNOWLEDGED, extensions=extensions,
        due_on=due, decision="已核实并按约处理" if closed else "", decided_on=decided_on,
        customer_response="confirmed" if closed else "", root_cause=cause if closed else "",
        remediation=fix if closed else "", closed_on=decided_on + timedelta(days=2) if decided_on else None,
        escalated_on=received + timedelta(days=12) if not closed and age >= 12 else None)


def _worked_examples(ctx, rng) -> int:
    """Three complaints through the services: one closed with its remediation item, one extended with approval
    and one group complaint with representatives still open."""
    ops = Staff.objects.filter(role=Role.OPERATIONS, user__isnull=False).order_by("pk").first()
    director = Staff.objects.filter(role=Role.DIRECTOR, user__isnull=False).order_by("pk").first()
    customer = Customer.objects.filter(lifecycle_status=Customer.Lifecycle.ACTIVE,
                                       manager__reports_to__isnull=False).order_by("pk").first()
    if ops is None or director is None or customer is None or customer.manager is None:
        return 0
    handler = customer.manager.reports_to
    today = ctx.today
    c1 = services.complaint_receive(actor=ops.user, customer=customer, channel="phone", stage="repayment",
                                    summary="同一期还款被扣了两次", request="退还多扣款项",
                                    received_on=today - timedelta(days=20))
    c1 = services.complaint_acknowledge(actor=ops.user, complaint=c1, owner=handler, today=c1.received_on)
    c1 = services.complaint_decide(actor=director.user, complaint=c1, decision="已全额退还多扣款项并致歉",
                                   today=c1.received_on + timedelta(days=6))
    c1 = services.complaint_respond(actor=ops.user, complaint=c1, confirmed=True, today=c1.decided_on)
    services.complaint_close(actor=director.user, complaint=c1, root_cause="扣款批次重跑导致重复扣款",
                             remediation="扣款批次加幂等键并全量核对", today=c1.decided_on)
    c2 = services.complaint_receive(actor=ops.user, customer=customer, channel="regulator", stage="collection",
                                    level="major", summary="监管转办：催收联系了客户同事",
                                    request="停止联系第三方并道歉",
                                    received_on=today - timedelta(days=10))
    c2 = services.complaint_acknowledge(actor=ops.user, complaint=c2, owner=handler, today=c2.received_on)
    services.complaint_extend(actor=director.user, complaint=c2, reason="需调取外包催收机构录音", today=today)
    services.complaint_receive(actor=ops.user, customer=customer, channel="counter", stage="disbursement",
                               is_group=True, representatives=["张伟", "李娜", "王强"],
                               summary="同一商圈多名商户放款延迟", request="说明原因并尽快放款",
                               received_on=today - timedelta(days=2))
    return 3
