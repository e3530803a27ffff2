"""Demo step for public sentiment, crisis and feedback (E8, E9, F6): a year of posts and reviews (busy
weekdays, quiet weekends, mostly about service, fees and repayment) with one spike of collection complaints
about five weeks ago; the daily scan of that day raises the alert and opens the crisis review, which the task
force then works through its seven steps to a closed post-incident review; one drill; and survey comments
along the journey stages. Posts go through the real feed, scan and crisis services."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from lendpilot.customers.models import Customer
from lendpilot.org.models import Staff
from lendpilot.org.roles import Role
from lendpilot.service import services
from lendpilot.service.models import Survey

if TYPE_CHECKING:
    from lendpilot.core.seeding import SeedContext

SPIKE_DAYS_AGO = 36
SOURCES = ["weibo", "heimao", "xiaohongshu", "app_store", "douyin", "forum", "news", "wechat"]
SOURCE_WEIGHTS = [30, 20, 12, 15, 10, 6, 3, 4]
POSTS = {
    "rates_fees": (["利率太高了，还有一堆服务费，感觉被坑", "提前还款还要收违约金，太贵了",
                    "息费不透明，年化算下来很高"],
                   ["利率比别家低，手续费也透明，挺划算", "年化利率说得很清楚，没有乱收费"]),
    "collection": (["催收电话一天打十几个，还打给我家人，太过分了", "外包催收威胁说要上门，简直是骚扰",
                    "逾期两天就爆通讯录，暴力催收必须曝光"],
                   ["逾期后客服提醒很礼貌，协商了还款计划"]),
    "service_attitude": (["客服热线一直没人接，态度也很敷衍", "柜台办业务排队两小时，服务太差", "投诉了三次都在踢皮球"],
                         ["客户经理很专业，耐心解答，点赞", "客服态度很好，问题当天就解决了", "服务周到，推荐给朋友"]),
    "disbursement_speed": (["审批太慢，等了一个月都没消息", "说好三天放款，拖了两周还没到账"],
                           ["放款很快，当天就到账了", "审批顺利，额度也高，效率不错"]),
    "data_security": (["刚申请完贷款就接到很多诈骗电话，个人信息是不是泄露了", "短信里的链接像钓鱼网站，担心信息安全"],
                      ["手机银行验证很严格，感觉信息很安全"]),
    "repayment": (["自动扣款重复扣了两次，退款还要等", "扣款失败却被算逾期，影响征信"],
                  ["还款提醒很及时，自动扣款很方便", "提前还款流程简单，当天就结清了"]),
    "other": (["网点搬家了也没通知，白跑一趟"], ["今天去网点办了业务，环境不错", "新版手机银行界面好看多了"]),
}
TOPIC_WEIGHTS = {"rates_fees": 16, "collection": 10, "service_attitude": 24, "disbursement_speed": 14,
                 "data_security": 6, "repayment": 14, "other": 16}
SURVEY_COMMENTS = {
    "marketing": ("营销电话太多了，已经说过不需要", "客户经理上门介绍产品很清楚"),
    "approval": ("审批材料要了好几遍，额度也低", "审批很快，额度符合预期"),
    "disbursement": ("放款比约定晚了几天", "放款很快，当天到账"),
    "repayment": ("扣款时间不提醒，差点逾期", "还款提醒及时，扣款方便"),
    "collection": ("催收电话打到了单位，很不舒服", "逾期后协商还款，态度很好"),
    "service": ("客服热线很难打通", "客服耐心专业，服务很好"),
}


def seed(ctx: SeedContext) -> dict[str, int]:
    ops = Staff.objects.filter(role=Role.OPERATIONS, user__isnull=False).order_by("pk").first()
    director = Staff.objects.filter(role=Role.DIRECTOR, user__isnull=False).order_by("pk").first()
    if ops is None or director is None:
        return {"posts": 0}
    rng = ctx.sub_rng("service_posts")
    spike_day = ctx.today - timedelta(days=SPIKE_DAYS_AGO)
    rows = []
    for back in range(364, -1, -1):
        day = ctx.today - timedelta(days=back)
        n = rng.randint(34, 48) if day.weekday() < 5 else rng.randint(14, 22)
        topics = rng.choices(list(TOPIC_WEIGHTS), weights=list(TOPIC_WEIGHTS.values()), k=n)
        if spike_day <= day < spike_day + timedelta(days=3):
            topics += ["collection"] * rng.randint(38, 46)
        for i, topic in enumerate(topics):
            negative, positive = POSTS[topic]
            spike = topic == "collection" and spike_day <= day < spike_day + timedelta(days=3)
            text = rng.choice(negative if spike or rng.random() < 0.6 else positive)
            source = rng.choices(SOURCES, weights=SOURCE_WEIGHTS)[0]
            rows.append({"source": source, "time": f"{day.isoformat()} {8 + i % 14:02d}:{rng.randint(0, 59):02d}",
                         "text": text, "url": f"https://{source}.example.cn/p/{day:%Y%m%d}{i:04d}"})
    # Yesterday's feed up to the spike day, then the daily run of that day, then the rest of the year.
    before = [r for r in rows if r["time"][:10] <= spike_day.isoformat()]
    after = [r for r in rows if r["time"][:10] > spike_day.isoformat()]
    services.posts_ingest(actor=ops.user, rows=before, today=spike_day, scan=False)
    alerts = services.sentiment_scan(today=spike_day)
    services.posts_ingest(actor=ops.user, rows=after, today=ctx.today, scan=False)
    services.posts_cluster(actor=ops.user, today=ctx.today)
    incidents = _work_crisis(ctx, alerts, ops=ops, director=director, spike_day=spike_day)
    _drill(ctx, ops=ops, director=director)
    comments = _survey_comments(ctx)
    return {"posts": len(rows), "alerts": len(alerts), "incidents": incidents + 1, "survey_comments": comments}


def _work_crisis(ctx, alerts, *, ops, director, spike_day) -> int:
    if not alerts or alerts[0].incident is None:
        return 0
    incident = alerts[0].incident
    day = spike_day
    team = {"legal": Role.COMPLIANCE_OFFICER, "pr": Role.OPERATIONS, "risk": Role.RISK_OFFICER,
            "operations": Role.OPERATIONS}
    for function, role in team.items():
        staff = Staff.objects.filter(role=role, is_active=True).order_by("-pk" if function == "pr" else "pk").first()
        if staff is not None:
            services.incident_member_add(actor=director.user, incident=incident, staff=staff, function=function,
                                         today=day)
    services.incident_step_done(actor=ops.user, incident=incident, step="assess", today=day,
                                note="核实：外包催收机构违规联系借款人家属和同事，涉及约40名客户，已在三个平台发酵")
    services.incident_grade(actor=ops.user, incident=incident, grade="major", today=day,
                            note="多平台传播，涉及侵害消费者权益")
    holding = incident.statements.get(kind="holding", version=1)
    services.statement_check(actor=director.user, statement=holding, approve=True, today=day)
    services.incident_note(actor=ops.user, incident=incident, text="已暂停外包催收机构的全部外呼作业", today=day)
    services.incident_step_done(actor=ops.user, incident=incident, step="report", today=day + timedelta(days=1),
                                note="已向属地监管部门报送声誉风险事件报告，并向董事会办公室报告")
    first = services.statement_draft(actor=ops.user, incident=incident, kind="full", today=day + timedelta(days=1),
                                     text="经调查，外包催收机构存在违规联系第三方的行为。")
    services.statement_check(actor=director.user, statement=first, approve=False, today=day + timedelta(days=1),
                             note="需写明整改措施与客户补偿")
    second = services.statement_draft(
        actor=ops.user, incident=incident, kind="full", today=day + timedelta(days=2),
        text="经调查，外包催收机构存在违规联系第三方的行为。我行已终止与该机构的合作，逐一致歉并对受影响客户给予补偿，"
             "同时对全部催收外包机构开展专项检查。")
    services.statement_check(actor=director.user, statement=second, approve=True, today=day + timedelta(days=2))
    services.incident_step_done(actor=ops.user, incident=incident, step="respond", today=day + timedelta(days=2),
                                note="官方微博和黑猫投诉平台发布正式声明，客服按话术回复来电")
    customers = list(Customer.objects.filter(lifecycle_status=Customer.Lifecycle.ACTIVE).order_by("pk")[:2])
    for customer in customers:
        case = services.compensation_propose(actor=ops.user, incident=incident, customer=customer,
                                             amount=Decimal("500.00"), reason="违规催收致歉补偿（减免当期利息）",
                                             today=day + timedelta(days=3))
        services.compensation_check(actor=director.user, case=case, approve=True, today=day + timedelta(days=3))
    services.incident_step_done(actor=ops.user, incident=incident, step="account", today=day + timedelta(days=10),
                                note="终止与涉事外包机构合作并按合同扣罚；内部催收主管通报批评")
    services.incident_review(actor=ops.user, incident=incident, today=day + timedelta(days=14),
                             findings="外包催收机构考核只看回款率，缺少通话质检；投诉升级前未被发现。",
                             improvements="外包催收全量录音质检；催收投诉纳入舆情日报；外包机构季度评估加入合规指标。")
    services.incident_close(actor=director.user, incident=incident, today=day + timedelta(days=15))
    return 1


def _drill(ctx, *, ops, director) -> None:
    day = ctx.today - timedelta(days=120)
    drill = services.incident_open(actor=ops.user, title="数据泄露舆情应急演练", topic="data_security", is_drill=True,
                                   summary="演练：网传客户信息在境外论坛出售", today=day)
    officer = Staff.objects.filter(role=Role.COMPLIANCE_OFFICER, is_active=True).order_by("pk").first()
    if officer is not None:
        services.incident_member_add(actor=director.user, incident=drill, staff=officer, function="legal", today=day)
    services.incident_step_done(actor=ops.user, incident=drill, step="assess", today=day,
                                note="演练：30分钟内完成事实核查与影响评估")
    services.incident_step_done(actor=ops.user, incident=drill, step="monitor", today=day,
                                note="演练：舆情监测频率提高到每小时一次")
    services.incident_grade(actor=ops.user, incident=drill, grade="severe", today=day)


def _survey_comments(ctx) -> int:
    """About two in five answered surveys carry a comment, placed on the journey stage it speaks about."""
    rng = ctx.sub_rng("service_survey_comments")
    stages = list(SURVEY_COMMENTS)
    changed = []
    for survey in Survey.objects.filter(score__isnull=False).order_by("pk").only("pk", "score", "trigger"):
        if rng.random() > 0.4:
            continue
        stage = "disbursement" if survey.trigger == "disbursement" and rng.random() < 0.6 else rng.choice(stages)
        negative, positive = SURVEY_COMMENTS[stage]
        survey.comment = positive if (survey.score or 0) >= 8 else negative
        survey.stage = stage
        changed.append(survey)
    Survey.objects.bulk_update(changed, ["comment", "stage"], batch_size=ctx.scale.batch_size)
    # The others speak about what caused them: the disbursement, else the service in general.
    Survey.objects.filter(score__isnull=False, stage="", trigger="disbursement").update(stage="disbursement")
    Survey.objects.filter(score__isnull=False, stage="").update(stage="service")
    return len(changed)
