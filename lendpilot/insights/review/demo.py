"""Demo step of the review cycle (B9-B11, F4): the funnel of the bank, every region and every team is
diagnosed for the last complete biweek (flagged nodes open their improvement items), the squads of a few
hand-made items work them (started, closed with an outcome), open alerts get their items, and the items
left past their SLA are escalated as the daily job would."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from lendpilot.core.models import ActionItem, ActionItemMember
from lendpilot.insights.diagnostics import last_complete_biweek
from lendpilot.insights.review import actions
from lendpilot.insights.review.selectors import Slice
from lendpilot.monitoring.models import Alert
from lendpilot.org.models import Region, Staff, Team
from lendpilot.org.roles import Role

PAIN_POINTS = [
    ("小微企业申请材料过多，客户流失", "精简首贷材料清单，合并重复证明"),
    ("审批平均耗时超过 5 个工作日", "二级审批并行处理，设定 48 小时时限"),
    ("渠道线索重复率高", "渠道进件前按手机号与证件号去重"),
    ("抵押评估预约慢", "与两家评估机构签订 24 小时上门协议"),
    ("客户对利率定价有疑问", "上线利率测算器，方案沟通时当场展示"),
    ("放款前合同签署需多次到店", "启用电子签约，合同一次签署"),
]


def seed(ctx) -> dict:
    zone = ZoneInfo(settings.TIME_ZONE)
    now = datetime.combine(ctx.today, time(10), tzinfo=zone)
    period = last_complete_biweek(ctx.today)
    slices = [Slice("bank", "", "全行")]
    slices += [Slice("region", str(r.pk), r.name_zh) for r in Region.objects.all()]
    slices += [Slice("team", str(t.pk), t.name) for t in Team.objects.all()]
    flagged = 0
    for the_slice in slices:
        result = actions.action_items_from_funnel(actor=None, the_slice=the_slice, period=period, now=now)
        flagged += len(result.flagged)

    leads = list(Staff.objects.filter(role=Role.TEAM_LEAD, is_active=True).order_by("pk").values_list("user_id",
                                                                                                     flat=True))
    squads = {fn: list(Staff.objects.filter(role=role, is_active=True).order_by("pk").values_list("user_id",
                                                                                                  flat=True)[:5])
              for fn, role in ((ActionItemMember.Function.RISK, Role.RISK_OFFICER),
                               (ActionItemMember.Function.OPERATIONS, Role.OPERATIONS),
                               (ActionItemMember.Function.PRODUCT, Role.DIRECTOR))}
    rng = ctx.sub_rng("review") if hasattr(ctx, "sub_rng") else ctx.rng
    manual = 0
    for n, (title, outcome) in enumerate(PAIN_POINTS):
        if not leads:
            break
        owner = leads[n % len(leads)]
        members = [(ids[rng.randrange(len(ids))], fn) for fn, ids in squads.items() if ids and ids[0] != owner]
        opened = now - timedelta(days=rng.choice([1, 3, 6, 9, 12]))
        item = actions.action_item_create(actor=None, title=title, owner_id=owner, members=members,
                                          description="敏捷小组：产品、风控、运营", now=opened)
        manual += 1
        if n % 3 != 2:
            actions.action_item_start(actor=None, item_id=item.pk, now=opened + timedelta(hours=2))
        if n % 3 == 0:
            actions.action_item_close(actor=None, item_id=item.pk, outcome=outcome, now=opened + timedelta(days=1))

    from_alerts = 0
    for alert_id in Alert.objects.filter(status="open", owner__isnull=False).order_by("-severity", "pk") \
            .values_list("pk", flat=True)[:3]:
        actions.action_item_from_alert(actor=None, alert_id=alert_id, now=now - timedelta(days=4))
        from_alerts += 1
    escalated = actions.action_items_escalate_overdue(actor=None, now=now)
    return {"flagged_nodes": flagged, "action_items": ActionItem.objects.count(), "manual_items": manual,
            "alert_items": from_alerts, "escalated": escalated}
