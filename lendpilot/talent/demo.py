"""Demo step: 20 requisitions with competency profiles and 300 candidates with their stage logs and sourcing
spend, employee records for the balance report, a completed talent review of last quarter, curricula with
enrolments and completions, certifications (some expiring, a few expired) with the products that require
them, role-play drills and 50 cases. Set-based: bulk inserts and one audit event per action that matters."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction

from lendpilot.org.models import Certification, ProductCertificationRequirement, Staff, Team
from lendpilot.org.roles import Role
from lendpilot.planning.services import add_months
from lendpilot.products.models import Product
from lendpilot.talent import ninebox, services
from lendpilot.talent.matching import Requirement, match_score
from lendpilot.talent.models import (
    Candidate,
    CandidateSkill,
    CandidateTransition,
    Case,
    Curriculum,
    DrillScenario,
    DrillScore,
    EmployeeRecord,
    Enrolment,
    Requisition,
    RequisitionSkill,
    ReviewDecision,
    ReviewEntry,
    Skill,
    Source,
)
from lendpilot.talent.rubric import rubric_score

if TYPE_CHECKING:
    from lendpilot.core.seeding import SeedContext

PATH = ["applied", "screening", "interview", "offer", "hired"]
CURRICULA = [
    ("新员工产品通识", "new_hire", "products", 16), ("新员工合规与反洗钱", "new_hire", "compliance_risk", 8),
    ("客户拜访与需求挖掘", "new_hire", "client_management", 8), ("骨干定价谈判实战", "backbone", "negotiation", 12),
    ("骨干行业授信分析", "backbone", "products", 16), ("骨干风险识别与预警", "backbone", "compliance_risk", 8),
    ("团队长辅导与复盘", "manager", "client_management", 12), ("团队长合规管理", "manager", "compliance_risk", 6),
]
RUBRIC = [{"key": "opening", "label": "开场与破冰", "weight": 2}, {"key": "needs", "label": "需求挖掘", "weight": 3},
          {"key": "solution", "label": "方案呈现", "weight": 3}, {"key": "close", "label": "推进与成交", "weight": 2}]
LESSONS_WON = ["提前锁定实际控制人，决策链清晰", "用同行业案例打消顾虑", "先给额度框架再谈价格，守住利率底线"]
LESSONS_LOST = ["价格让步过早，客户继续比价", "未核实经营流水，尽调阶段被否", "跟进间隔过长，客户转向竞品"]
INDUSTRIES = ["制造业", "批发零售", "物流", "餐饮"]
OBJECTIONS = ["利率太高", "审批太慢", "额度不够", "抵押要求高", ""]


def seed(ctx: SeedContext) -> dict[str, int]:
    rng = ctx.sub_rng("talent")
    fake = ctx.sub_faker("talent.candidates")
    director = Staff.objects.filter(role=Role.DIRECTOR, user__isnull=False).order_by("pk").first()
    teams = list(Team.objects.order_by("pk"))
    if director is None or not teams:
        return {"requisitions": 0}
    user = director.user
    with transaction.atomic():
        _requisitions(ctx, rng, fake, user, teams)
        _employees(rng)
        _training(ctx, rng, user)
        _cases(ctx, rng)
    _review(ctx, rng, user)
    return {"requisitions": Requisition.objects.count(), "candidates": Candidate.objects.count(),
            "review_entries": ReviewEntry.objects.count(), "enrolments": Enrolment.objects.count(),
            "certifications": Certification.objects.count(), "cases": Case.objects.count(),
            "drill_scores": DrillScore.objects.count()}


def _requisitions(ctx, rng, fake, user, teams) -> None:
    reqs = [Requisition(title=f"{t.name} 客户经理" if n % 4 else f"{t.name} 团队长", team=t,
                        role=Role.ACCOUNT_MANAGER if n % 4 else Role.TEAM_LEAD, headcount=rng.randint(1, 3),
                        opened_on=ctx.today - timedelta(days=rng.randint(5, 120)), created_by=user)
            for n, t in enumerate(rng.choice(teams) for _ in range(20))]
    Requisition.objects.bulk_create(reqs)
    profile_rows, profiles = [], {}
    for req in reqs:
        skills = rng.sample(Skill.values, 4)
        profiles[req.pk] = [Requirement(s, rng.randint(1, 3), rng.randint(2, 4)) for s in skills]
        profile_rows += [RequisitionSkill(requisition=req, skill=r.skill, weight=r.weight, level=r.level)
                         for r in profiles[req.pk]]
    RequisitionSkill.objects.bulk_create(profile_rows)
    sources = Source.values
    cands, levels = [], []
    for n in range(300):
        req = reqs[n % len(reqs)]
        held = {s: rng.randint(1, 5) for s in rng.sample(Skill.values, rng.randint(2, 5))}
        depth = rng.choices(range(5), weights=[30, 25, 20, 10, 6])[0]
        stage = PATH[depth] if rng.random() > 0.35 or depth == 4 else rng.choice(["rejected", "withdrawn"])
        cands.append(Candidate(requisition=req, name=fake.name(), source=sources[n % 4 if n % 7 else 1],
                               stage=stage, applied_on=req.opened_on + timedelta(days=rng.randint(0, 4)),
                               background=rng.choice(["银行对公", "券商", "保险", "互联网金融", "会计", "应届毕业生"]),
                               match_score=match_score(profiles[req.pk], held)))
        levels.append((held, depth))
    Candidate.objects.bulk_create(cands)
    skill_rows, moves = [], []
    for cand, (held, depth) in zip(cands, levels, strict=True):
        skill_rows += [CandidateSkill(candidate=cand, skill=s, level=lv) for s, lv in held.items()]
        at = datetime.combine(cand.applied_on, time(10), tzinfo=UTC)
        path = PATH[:depth + 1] + ([cand.stage] if cand.stage not in PATH else [])
        for before, after in zip([""] + path[:-1], path, strict=True):
            moves.append(CandidateTransition(candidate=cand, from_stage=before, to_stage=after, at=at, by=user))
            at += timedelta(days=rng.randint(2, 9), hours=rng.randint(0, 8))
    CandidateSkill.objects.bulk_create(skill_rows, batch_size=1000)
    CandidateTransition.objects.bulk_create(moves, batch_size=1000)
    month = ctx.today.replace(day=1)
    for source, amount in (("headhunter", 60000), ("referral", 9000), ("campus", 15000), ("online", 12000)):
        for back in range(4):
            services.sourcing_spend_set(actor=user, source=source, month=add_months(month, -back),
                                        amount=Decimal(amount + rng.randint(-2000, 2000)))


def _employees(rng) -> None:
    people = Staff.objects.filter(role__in=[Role.ACCOUNT_MANAGER, Role.TEAM_LEAD], is_active=True).values_list(
        "pk", flat=True)
    EmployeeRecord.objects.bulk_create(
        (EmployeeRecord(staff_id=pk, gender=rng.choice(["female", "male", "male", "female", "undisclosed"]),
                        birth_year=rng.randint(1972, 2002),
                        background=rng.choice(["银行对公", "券商", "保险", "会计", "应届毕业生"])) for pk in people),
        batch_size=1000, ignore_conflicts=True)


def _training(ctx, rng, user) -> None:
    curricula = Curriculum.objects.bulk_create(Curriculum(title=t, layer=lay, topic=top, hours=h, external=n == 7)
                                               for n, (t, lay, top, h) in enumerate(CURRICULA))
    people = list(Staff.objects.filter(role__in=[Role.ACCOUNT_MANAGER, Role.TEAM_LEAD], is_active=True)
                  .order_by("pk").values_list("pk", "role"))
    enrol, certs = [], []
    for pk, role in people:
        for cur in curricula:
            if (cur.layer == "manager") != (role == Role.TEAM_LEAD) or rng.random() < 0.4:
                continue
            start = ctx.today - timedelta(days=rng.randint(10, 300))
            done = rng.random() < 0.75
            enrol.append(Enrolment(curriculum=cur, staff_id=pk, enrolled_on=start,
                                   completed_on=start + timedelta(days=rng.randint(3, 30)) if done else None,
                                   score=Decimal(rng.randint(58, 99)) if done else None))
        obtained = ctx.today - timedelta(days=rng.randint(200, 1500))
        certs.append(Certification(staff_id=pk, kind="banking", obtained_on=obtained,
                                   expires_on=ctx.today + timedelta(days=rng.randint(-20, 700))))
        if rng.random() < 0.3:
            certs.append(Certification(staff_id=pk, kind="cfp", obtained_on=obtained,
                                       expires_on=ctx.today + timedelta(days=rng.randint(10, 400))))
    Enrolment.objects.bulk_create(enrol, batch_size=1000)
    Certification.objects.bulk_create(certs, batch_size=1000)
    mortgage = Product.objects.filter(category="mortgage").order_by("pk").first()
    if mortgage is not None:
        ProductCertificationRequirement.objects.get_or_create(product_id=mortgage.pk, kind="banking")
    services.certification_reminders_send(today=ctx.today)
    scenarios = DrillScenario.objects.bulk_create(
        DrillScenario(kind=k, title=t, brief=b, rubric=RUBRIC) for k, t, b in (
            ("first_meeting", "初次拜访制造业老板", "客户对银行贷款有顾虑，首次见面需建立信任并了解资金需求。"),
            ("proposal", "为连锁门店呈现授信方案", "客户计划新开三家门店，需要呈现额度、期限与还款方式。"),
            ("pricing_negotiation", "应对竞品低价", "客户拿到他行更低利率报价，要求降价。")))
    DrillScore.objects.bulk_create(
        DrillScore(scenario=rng.choice(scenarios), staff_id=pk, scored_by=user,
                   scores=(s := {c["key"]: rng.randint(2, 5) for c in RUBRIC}), total=rubric_score(RUBRIC, s),
                   scored_on=ctx.today - timedelta(days=rng.randint(1, 90)))
        for pk, _role in people[:200])
    # The appraisal reads training completion and drill scores per month: push every month that has any.
    months = set(Enrolment.objects.dates("enrolled_on", "month")) | set(DrillScore.objects.dates("scored_on", "month"))
    services.appraisal_inputs_push(actor=None, months=months)


def _cases(ctx, rng) -> None:
    Case.objects.bulk_create(
        Case(title=f"{'成功' if won else '失利'}案例 {n + 1:02d}：{rng.choice(INDUSTRIES)}客户",
             outcome="won" if won else "lost", funnel_stage=rng.choice(["visit", "proposal", "approval", "signing"]),
             objection=rng.choice(OBJECTIONS), summary="客户年营业额约两千万元，需求为流动资金周转。",
             lesson=rng.choice(LESSONS_WON if won else LESSONS_LOST),
             created_on=ctx.today - timedelta(days=rng.randint(1, 365)))
        for n, won in enumerate(rng.random() < 0.55 for _ in range(50)))


def _review(ctx, rng, user) -> None:
    quarter = add_months(ctx.today.replace(day=1), -3 - (ctx.today.month - 1) % 3)
    review = services.review_start(actor=user, name=f"{quarter:%Y} Q{(quarter.month - 1) // 3 + 1} 人才盘点",
                                   period_start=quarter, months=3)
    entries = list(review.entries.all())
    for e in entries:
        e.potential = rng.choices([1, 2, 3], weights=[2, 5, 3])[0]
        e.box = ninebox.box(e.performance, e.potential)
        e.potential_evidence = rng.choice(["主动牵头行业沙龙，带新人", "复杂授信方案独立完成", "客户投诉率低，复购高",
                                           "学习速度一般，需更多辅导"])
        e.risk_of_loss = rng.randint(1, 3)
        e.impact_of_loss = rng.randint(1, 3)
        e.rated_by = user
    ReviewEntry.objects.bulk_update(entries, ["potential", "box", "potential_evidence", "risk_of_loss",
                                              "impact_of_loss", "rated_by"], batch_size=1000)
    decisions = []
    for e in entries:
        if e.box == 1:
            decisions.append(ReviewDecision(entry=e, kind="training_plan", reason="参加骨干定价谈判实战，三个月后复盘",
                                            decided_by=user))
        elif e.box in (6, 9) and rng.random() < 0.3:
            decisions.append(ReviewDecision(entry=e, kind="promote_to_team_lead", reason="高潜力且业绩稳定，储备团队长",
                                            decided_by=user))
    ReviewDecision.objects.bulk_create(decisions)
    services.review_complete(actor=user, review_id=review.pk)
