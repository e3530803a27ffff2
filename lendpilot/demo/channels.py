"""Demo step for channels: 40 partners admitted by head office (the portal logins among them), a year of
monthly facts and vintage cells, a tier history from monthly re-tiering, three quarterly reviews that put the
bottom decile on probation, and the worst partner delisted by the committee after its appeal.

The facts of the partners with portal logins come from the demo's own loans (the demo is the top floor and
may read lending); the rest of the history is drawn from a seeded generator."""

import random
from collections import defaultdict
from datetime import date
from decimal import Decimal

from lendpilot.channels.admission import Criteria, assess
from lendpilot.channels.models import Course, Delisting, Partner, Toolkit
from lendpilot.channels.services import (
    MonthFacts,
    application_decide,
    course_result_record,
    course_save,
    delisting_appeal,
    delisting_decide,
    partner_apply,
    partner_facts_load,
    partner_staff_add,
    partners_retier,
    quarterly_review_run,
    toolkit_create,
    toolkit_download,
    toolkit_publish,
    toolkit_submit,
)
from lendpilot.channels.services.review import quarter_start
from lendpilot.channels.vintage import Cell
from lendpilot.compliance.checkpoints.checklist import CHECKLISTS
from lendpilot.compliance.checkpoints.services import checkpoint_decide
from lendpilot.core.months import month_start, shift_month
from lendpilot.core.seeding import SeedContext
from lendpilot.customers.synthetic import make_credit_code
from lendpilot.lending.models import Loan
from lendpilot.org.models import Staff
from lendpilot.org.roles import Role
from lendpilot.sales.models import Lead, Opportunity

PARTNERS = 40
MONTHS = 12
KINDS = ["broker", "dealer", "platform"]
DOCUMENTS = [("licence", "DD-LIC"), ("financials", "DD-FIN"), ("security", "DD-SEC"), ("onsite", "DD-VISIT")]


def _passing_criteria(rng: random.Random) -> Criteria:
    """A listed partner passed its assessment: draw until the checklist passes (a weak draw is one the bank
    would have turned away, which the demo's published list never holds)."""
    while True:
        criteria = Criteria(True, Decimal(rng.randrange(20, 200)) * Decimal("1000000"), rng.choice([0, 0, 0, 1]),
                            Decimal(rng.randrange(2, 30)) / 10, rng.choice("AAB"))
        if assess(criteria).passed:
            return criteria


def _admit(ctx: SeedContext, rng: random.Random, logins: list[Staff]) -> list[Partner]:
    maker = Staff.objects.filter(role=Role.REGIONAL_HEAD, is_active=True).order_by("pk").first()
    checker = Staff.objects.filter(role=Role.DIRECTOR, is_active=True).order_by("pk").first()
    assert maker is not None and checker is not None, "the org step creates a director and regional heads"
    faker = ctx.sub_faker("channels.partners")
    partners = []
    for i in range(PARTNERS):
        criteria = _passing_criteria(rng)
        application = partner_apply(actor=maker.user, name=f"{faker.company()}{i + 1:02d}",
                                    credit_code=make_credit_code(rng), kind=KINDS[i % 3], criteria=criteria,
                                    documents=DOCUMENTS, login=logins[i] if i < len(logins) else None)
        application_decide(actor=checker.user, application_id=application.pk, approve=True)
        partners.append(Partner.objects.get(pk=application.partner_id))
    return partners


def _synthetic(partner: Partner, quality: float, months: list[date], rng: random.Random) -> list[MonthFacts]:
    """A month of facts per month; quality 0 (worst) to 1 (best) drives scale, conversion and overdue."""
    facts = []
    size = 0.2 + 2.5 * quality
    for month in months:
        leads = int(rng.randint(80, 120) * size)
        loans = max(3, int(leads * (0.04 + 0.16 * quality)))
        disbursed = Decimal(loans * rng.randint(150, 260)) * 1000
        bad = Decimal(str(round(0.09 - 0.085 * quality, 4)))
        cells = [Cell(month, 0, disbursed, Decimal("0"), Decimal("0"), Decimal("0"))]
        for earlier in [m for m in months if m < month]:
            mob = (month.year - earlier.year) * 12 + month.month - earlier.month
            base = next(f.disbursed for f in facts if f.month == earlier)
            ramp = Decimal(min(mob, 6)) / 6
            cells.append(Cell(earlier, mob, base, (base * bad * ramp).quantize(Decimal("0.01")),
                              (base * bad * ramp * Decimal("0.7")).quantize(Decimal("0.01")),
                              (base * bad * ramp * Decimal("0.5") if mob >= 3 else Decimal("0")).quantize(
                                  Decimal("0.01"))))
        facts.append(MonthFacts(
            partner_id=partner.pk, month=month, leads=leads, applications=int(leads * 0.5),
            approved=int(leads * (0.1 + 0.3 * quality)), loans=loans, disbursed=disbursed, balance=disbursed,
            complaints=rng.randint(0, 3 if quality < 0.2 else 1), findings=1 if quality < 0.1 and rng.random() < 0.3
            else 0, incidents=0, fees=(disbursed * Decimal("0.005")).quantize(Decimal("0.01")),
            clawback=(disbursed * bad * Decimal("0.005")).quantize(Decimal("0.01")), cells=cells))
    return facts


def _from_loans(partner: Partner, month: date) -> MonthFacts:
    """A portal partner's current month from the demo's own leads and loans (what the EOD will push down)."""
    leads = Lead.objects.filter(created_by=partner.login, received_at__date__gte=month).count()
    applications = Opportunity.objects.filter(lead__created_by=partner.login, application__isnull=False)
    loans = Loan.objects.filter(contract__application__in=applications.values("application"))
    cells: dict[tuple[date, int], list[Decimal]] = defaultdict(lambda: [Decimal("0")] * 4)
    for loan in loans:
        cohort = month_start(loan.disbursed_on)
        mob = (month.year - cohort.year) * 12 + month.month - cohort.month
        cell = cells[(cohort, mob)]
        cell[0] += loan.principal
        for i, days in enumerate((30, 60, 90)):
            cell[i + 1] += loan.outstanding_principal if loan.days_past_due > days else Decimal("0")
    new = [loan for loan in loans if loan.disbursed_on >= month]
    return MonthFacts(partner_id=partner.pk, month=month, leads=leads, applications=applications.count(),
                      approved=loans.count(), loans=len(new), disbursed=sum((x.principal for x in new), Decimal("0")),
                      balance=sum((x.outstanding_principal for x in loans), Decimal("0")),
                      cells=[Cell(c, m, *v) for (c, m), v in sorted(cells.items())])


COURSES = [("CMP-101", "合规销售与消费者权益保护", Course.Kind.COMPLIANCE, 80),
           ("PRD-201", "本行个人及小微贷款产品", Course.Kind.PRODUCTS, 60),
           ("SAL-301", "顾问式销售与需求挖掘", Course.Kind.SALES, 60)]
TOOLKITS = [
    ("安居经营贷推介手册", "「安居经营贷」由本行发放并审批，合作机构仅负责产品推介与资料收集。年化利率（APR）3.85%起，"
     "具体以合同为准；除利息外不收取其他费用。"),
    ("小微信用贷客户问答", "小微信用贷由本行审批放款，合作机构不参与授信决策。年化利率（APR）4.35%起，按合同约定计息，"
     "提前还款规则以合同为准。"),
    ("车主消费贷海报文案", "车主消费贷由本行发放，合作机构负责推介。年化利率（APR）5.2%起，以审批结果和合同为准。"),
]
STAFF_NAMES = ["王磊", "李娜", "张伟", "刘洋", "陈静", "杨帆", "赵敏", "黄涛", "周婷", "吴昊"]


def _enablement(ctx: SeedContext, rng: random.Random, partners: list[Partner], head: Staff,
                untrained: Partner) -> dict[str, int]:
    """Courses with the partner staff's results (every portal partner trained; one partner with a newcomer
    still to pass the compliance course, so it may not submit), three toolkits: two approved by compliance and
    published, one waiting for compliance; the portal partners' downloads."""
    courses = [course_save(actor=head.user, code=code, title=title, kind=kind, pass_score=mark)
               for code, title, kind, mark in COURSES]
    staff = results = 0
    for i, partner in enumerate(partners):
        for k in range(rng.randint(2, 4)):
            member = partner_staff_add(actor=head.user, partner_id=partner.pk, name=STAFF_NAMES[(i + k) % 10],
                                       employee_ref=f"P{i + 1:02d}-{k + 1:03d}")
            staff += 1
            for course in courses:
                if course.kind != Course.Kind.COMPLIANCE and rng.random() < 0.3:
                    continue
                low = 50 if course.kind != Course.Kind.COMPLIANCE else course.pass_score
                course_result_record(actor=head.user, staff_id=member.pk, course_id=course.pk,
                                     score=rng.randint(low, 100))
                results += 1
    blocked = next(p for p in reversed(partners) if not p.login_id and p != untrained)
    partner_staff_add(actor=head.user, partner_id=blocked.pk, name="新入职专员", employee_ref="NEW-001")
    officer = Staff.objects.filter(role=Role.COMPLIANCE_OFFICER, is_active=True).order_by("pk").first()
    published = 0
    for n, (title, text) in enumerate(TOOLKITS):
        toolkit = toolkit_create(actor=head.user, title=title, text=text)
        review = toolkit_submit(actor=head.user, toolkit_id=toolkit.pk)
        if n < 2 and officer is not None:
            checkpoint_decide(actor=officer.user, review=review, approve=True,
                              checked=[code for code, _label, _law in CHECKLISTS["partner_toolkit"]])
            toolkit_publish(actor=head.user, toolkit_id=toolkit.pk)
            published += 1
    downloads = 0
    for partner in Partner.objects.filter(pk__in=[p.pk for p in partners]).select_related("login__user"):
        if partner.login_id and partner.is_listed and partner.login is not None:
            for toolkit in Toolkit.objects.filter(status=Toolkit.Status.PUBLISHED):
                toolkit_download(actor=partner.login.user, toolkit_id=toolkit.pk)
                downloads += 1
    return {"partner_staff": staff, "course_results": results, "toolkits_published": published,
            "toolkit_downloads": downloads}


def seed(ctx: SeedContext) -> dict[str, int]:
    rng = ctx.sub_rng("channels")
    logins = list(Staff.objects.filter(role=Role.CHANNEL_PARTNER, is_active=True).order_by("pk"))
    partners = _admit(ctx, rng, logins)
    this_month = month_start(ctx.today)
    months = [shift_month(this_month, -k) for k in range(MONTHS, 0, -1)]
    worst, weak = partners[-1], partners[-2]
    director = Staff.objects.filter(role=Role.DIRECTOR, is_active=True).order_by("pk").first()
    head = Staff.objects.filter(role=Role.REGIONAL_HEAD, is_active=True).order_by("pk").first()
    assert director is not None and head is not None
    facts: list[MonthFacts] = []
    for i, partner in enumerate(partners):
        quality = 0.0 if partner == worst else 0.05 if partner == weak else 0.15 + 0.85 * (i * 37 % PARTNERS) / PARTNERS
        facts += _synthetic(partner, quality, months, rng)
    partner_facts_load(actor=None, facts=facts)
    partner_facts_load(actor=None, facts=[_from_loans(p, this_month) for p in partners if p.login_id])
    moved = sum(partners_retier(actor=head.user, month=m) for m in months + [this_month])
    current = quarter_start(this_month)
    reviewed = 0
    for back in (9, 6, 3):
        reviewed += len(quarterly_review_run(actor=head.user, quarter=shift_month(current, -back)))
    proposal = Delisting.objects.filter(partner=worst, status=Delisting.Status.PROPOSED).first()
    if proposal is not None:
        delisting_appeal(actor=head.user, delisting_id=proposal.pk, text="我司已更换风控团队，申请保留合作资格。")
        delisting_decide(actor=director.user, delisting_id=proposal.pk, delist=True,
                         note="两个季度观察期内排名未改善，委员会决定退出；存量贷款按合同继续管理。")
    enabled = _enablement(ctx, rng, partners, head, worst)
    return {**enabled, "partners": len(partners), "tier_changes": moved, "reviews": reviewed,
            "probation": Partner.objects.filter(status=Partner.Status.PROBATION).count(),
            "delisted": Partner.objects.filter(status=Partner.Status.DELISTED).count()}
