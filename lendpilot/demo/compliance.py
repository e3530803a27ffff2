"""Demo step of the compliance desk: a register of 30 regulator documents (PBoC, NFRA, CAC) with manual
revisions and trainings that staff attested, a watch list whose screening of the customer book leaves hits in
review (the list import re-screens the book), three canary customers, and one data-leak drill with its result
and fixes (another scheduled).

It sits in the demo package because it reads customers (a floor above compliance).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction

from lendpilot.compliance.drills import services as drills
from lendpilot.compliance.register import services as register
from lendpilot.compliance.register.models import Attestation, ManualRevision
from lendpilot.compliance.screening import services as screening
from lendpilot.compliance.screening.models import ScreeningHit
from lendpilot.compliance.screening.names import read_name
from lendpilot.compliance.screening.selectors import customer_ref
from lendpilot.compliance.screening.watchlist_file import WatchRow
from lendpilot.core.seeding import SeedContext
from lendpilot.customers.models import Customer
from lendpilot.org.models import Staff
from lendpilot.org.roles import Role

# (issuer, number, title): real regulator documents of the field, cited by number.
DOCUMENTS = [
    ("pboc", "中国人民银行令〔2022〕第1号", "金融机构客户尽职调查和客户身份资料及交易记录保存管理办法"),
    ("pboc", "银发〔2021〕16号", "金融机构反洗钱和反恐怖融资监督管理办法"),
    ("pboc", "中国人民银行令〔2016〕第3号", "金融机构大额交易和可疑交易报告管理办法"),
    ("pboc", "银发〔2023〕91号", "中国人民银行金融消费者权益保护实施办法"),
    ("pboc", "银发〔2024〕112号", "金融机构反洗钱内部控制指引"),
    ("pboc", "中国人民银行令〔2023〕第2号", "征信业务管理办法"),
    ("pboc", "银发〔2022〕235号", "关于加强个人金融信息保护的通知"),
    ("pboc", "银办发〔2025〕17号", "受益所有人信息管理办法"),
    ("pboc", "银发〔2020〕254号", "个人金融信息保护技术规范实施指引"),
    ("pboc", "银发〔2025〕8号", "关于做好新修订《反洗钱法》实施工作的通知"),
    ("nfra", "国家金融监督管理总局令2024年第3号", "个人贷款管理办法"),
    ("nfra", "国家金融监督管理总局令2024年第2号", "流动资金贷款管理办法"),
    ("nfra", "国家金融监督管理总局令2024年第4号", "固定资产贷款管理办法"),
    ("nfra", "金规〔2023〕10号", "商业银行金融资产风险分类办法"),
    ("nfra", "金规〔2024〕9号", "银行保险机构消费者权益保护管理办法"),
    ("nfra", "金规〔2023〕8号", "商业银行互联网贷款管理暂行办法修订"),
    ("nfra", "金规〔2024〕15号", "银行保险机构数据安全管理办法"),
    ("nfra", "金规〔2023〕11号", "商业银行资本管理办法"),
    ("nfra", "金规〔2024〕21号", "关于规范银行服务市场调节价管理的指导意见"),
    ("nfra", "金规〔2025〕3号", "银行保险机构操作风险管理办法"),
    ("nfra", "金规〔2024〕18号", "关于做好小微企业融资协调工作机制的通知"),
    ("nfra", "金办发〔2024〕45号", "关于加强商业银行营销宣传行为管理的通知"),
    ("cac", "国家网信办令第18号", "个人信息保护合规审计管理办法"),
    ("cac", "国家网信办令第11号", "数据出境安全评估办法"),
    ("cac", "国家网信办令第16号", "促进和规范数据跨境流动规定"),
    ("cac", "国务院令第790号", "网络数据安全管理条例"),
    ("cac", "国家网信办令第13号", "个人信息出境标准合同办法"),
    ("cac", "国家网信办令第14号", "生成式人工智能服务管理暂行办法"),
    ("cac", "国家网信办公告2024年第5号", "个人信息保护投诉举报处理指引"),
    ("cac", "国家网信办令第17号", "网络安全事件报告管理办法"),
]
SECTIONS = ("《个人贷款操作手册》", "《反洗钱内控手册》", "《客户信息安全手册》", "《营销宣传管理手册》",
            "《授信审批手册》", "《数据安全管理手册》")
TRAINING_ROLES = ([], [Role.ACCOUNT_MANAGER, Role.TEAM_LEAD], [Role.RISK_OFFICER, Role.COMPLIANCE_OFFICER],
                  [Role.OPERATIONS], [Role.ACCOUNT_MANAGER])
# Listed people that nobody in the book is named after: rare compound surnames and given names.
RARE = ("欧阳", "司马", "上官", "诸葛", "皇甫", "慕容", "令狐", "端木", "西门", "南宫")
RARE_GIVEN = "翀彧婠骞昶淼琤珩徵琰"


def seed(ctx: SeedContext) -> dict[str, int]:
    officers = list(Staff.objects.filter(role=Role.COMPLIANCE_OFFICER, is_active=True).select_related("user")
                    .order_by("pk"))
    if not officers:
        return {}
    officer = officers[0].user
    counts = _register(ctx, officer)
    counts.update(_screening(ctx, officer))
    counts.update(_drills(ctx, officer))
    return counts


def _register(ctx: SeedContext, officer) -> dict[str, int]:
    rng = ctx.sub_rng("compliance.register")
    today = ctx.today
    owners = list(Staff.objects.filter(is_active=True, role__in=[Role.TEAM_LEAD, Role.COMPLIANCE_OFFICER,
                                                                 Role.OPERATIONS, Role.RISK_OFFICER])
                  .order_by("pk")[:200])
    staff = list(Staff.objects.filter(is_active=True).values_list("user_id", "role"))
    attestations: list[Attestation] = []
    revisions = 0
    with transaction.atomic():
        for index, (issuer, number, title) in enumerate(DOCUMENTS):
            effective = today - timedelta(days=rng.randint(-60, 900))
            document = register.regulation_register(
                actor=officer, title=title, number=number, issuer=issuer, effective_date=effective,
                summary=f"{title}：明确了适用范围、职责分工与检查要求，需修订相关手册条款并组织培训。",
                status="issued" if effective > today else "in_force")
            for part in range(rng.choice((1, 1, 2))):
                revision = register.revision_plan(
                    actor=officer, document=document, section=f"{rng.choice(SECTIONS)}第{rng.randint(1, 12)}章",
                    owner=rng.choice(owners), due_date=today + timedelta(days=rng.randint(-45, 60)))
                revisions += 1
                if part == 0 and rng.random() < 0.5:
                    ManualRevision.objects.filter(pk=revision.pk).update(done_on=revision.due_date - timedelta(days=3))
            roles = TRAINING_ROLES[index % len(TRAINING_ROLES)]
            training = register.training_create(
                actor=officer, document=document, title=f"{title}专题培训",
                deadline=today + timedelta(days=rng.randint(-30, 45)), roles=list(roles))
            # Most trainings reach the goal; a few lag (what the dashboard is for).
            share = rng.choice((1.0, 0.99, 0.97, 0.96, 0.9, 0.8, 0.6))
            audience = [user_id for user_id, role in staff if not roles or role in roles]
            for user_id in audience:
                if rng.random() < share:
                    attestations.append(Attestation(training=training, user_id=user_id))
        Attestation.objects.bulk_create(attestations, batch_size=ctx.scale.batch_size)
    return {"regulator_documents": len(DOCUMENTS), "manual_revisions": revisions, "attestations": len(attestations)}


def _latin(name: str) -> str:
    form = read_name(name)
    surname, *given = form.words
    return f"{''.join(surname).upper()} {''.join(s for w in given for s in w).capitalize()}".strip()


def _watch_rows(ctx: SeedContext) -> list[WatchRow]:
    rng = ctx.sub_rng("compliance.watchlist")
    rows = []
    for number in range(180):
        name = rng.choice(RARE) + "".join(rng.choice(RARE_GIVEN) for _ in range(rng.choice((1, 2))))
        aliases = (_latin(name),) if rng.random() < 0.5 else ()
        rows.append(WatchRow(number + 2, name if rng.random() < 0.6 else _latin(name), aliases, (), None, ""))
    # Some listed names sound like customers of the book: these leave hits for the desk to review.
    people = list(Customer.objects.filter(kind=Customer.Kind.PERSON).order_by("pk")
                  .values_list("name", flat=True)[:400])
    for name in rng.sample(people, min(12, len(people))):
        rows.append(WatchRow(len(rows) + 2, _latin(name), (), (), None, "演示：与客户同名"))
    return rows


def _screening(ctx: SeedContext, officer) -> dict[str, int]:
    """The list import enqueues the re-screen of the whole book (customers and legal representatives); with the
    in-process task backend it has already run when the import returns, and `rescreen` then finds the sweep done
    (or runs it, when the seed runs inside a transaction)."""
    screening.watch_list_import(actor=officer, name="制裁及关注名单（演示）", version=ctx.today.isoformat(),
                                source="演示数据", rows=_watch_rows(ctx))
    sweeps = screening.rescreen(actor=None)
    return {"screened": sum(s.run.subjects for s in sweeps),
            "screening_hits": ScreeningHit.objects.filter(status=ScreeningHit.Status.REVIEW).count()}


def _drills(ctx: SeedContext, officer) -> dict[str, int]:
    rng = ctx.sub_rng("compliance.drills")
    # Three customers of the (fake) demo book serve as the canaries: nobody has a reason to reveal or export them.
    canaries = 0
    people = list(Customer.objects.filter(kind=Customer.Kind.PERSON).order_by("pk").values_list("pk", flat=True))
    for pk in rng.sample(people, min(3, len(people))):
        drills.canary_plant(actor=officer, ref=customer_ref(pk), label="数据泄露演练哨兵客户")
        canaries += 1
    owner = Staff.objects.filter(role=Role.OPERATIONS, is_active=True).order_by("pk").first()
    done = drills.drill_schedule(actor=officer, title="客户经理批量导出客群白名单", scenario="segment_export",
                                 scheduled_for=ctx.today - timedelta(days=14),
                                 plan="模拟一名客户经理导出含哨兵客户的客群，检验告警与处置时限。")
    drills.drill_record(actor=officer, drill=done, result="partial", run_on=ctx.today - timedelta(days=14),
                        detection_minutes=42,
                        findings="导出在42分钟后触发哨兵告警；导出前没有二次审批，告警未通知分行负责人。")
    if owner is not None:
        drills.drill_fix_add(actor=officer, drill=done, description="客群导出增加合规二次审批", owner=owner,
                             due_date=ctx.today + timedelta(days=20))
        drills.drill_fix_add(actor=officer, drill=done, description="哨兵告警同步推送分行负责人", owner=owner,
                             due_date=ctx.today - timedelta(days=2))
    drills.drill_schedule(actor=officer, title="API令牌滥用演练", scenario="token_misuse",
                          scheduled_for=ctx.today + timedelta(days=30),
                          plan="用过期或越权令牌批量查询客户，检验拦截与告警。")
    return {"canaries": canaries, "drills": 2}
