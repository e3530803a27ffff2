"""The test world: a small, readable bank that every package's tests (and the HTTP benches) stand on.

    East China (华东)                        South China (华南)
      branch SH                                branch GZ
        team east-a: lead Li Lei, AMs Wang Fang, Zhao Min    team south-a: AM Chen Jie
        team east-b: AM Sun Li
      regional head Liu Yang                  regional head Huang Wei
    director Zhou Qiang; risk officers L1/L2/L3; compliance; operations; a channel partner

Each account manager owns two customers (one person, one enterprise). A product module rather than a
conftest, so that code outside the test tree (benchmarks, load scripts) may build the same bank; it sits on
the top floor with the project modules, since it stands on every package below.
"""

import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone

from lendpilot.channels.models import Completion, Course, Partner, PartnerStaff
from lendpilot.compliance.checkpoints.checklist import CHECKLISTS
from lendpilot.compliance.checkpoints.models import CheckpointReview
from lendpilot.compliance.checkpoints.services import checkpoint_decide
from lendpilot.core.reference import Industry, ProductCategory, RepaymentMethod
from lendpilot.customers.models import Customer
from lendpilot.customers.services import customer_create
from lendpilot.customers.synthetic import make_bank_card, make_credit_code, make_id_number, make_mobile
from lendpilot.lending.models import Loan
from lendpilot.org.models import Region, Staff, Team
from lendpilot.org.roles import Role
from lendpilot.org.services import branch_create, region_create, staff_create, team_create
from lendpilot.products.models import Product
from lendpilot.products.services import product_create, product_submit_for_review
from lendpilot.sales.models import PlaybookEntry
from lendpilot.sales.services.playbooks import playbook_entry_publish, playbook_entry_save, playbook_entry_submit

PASSWORD = "Lendpilot-test-1"  # noqa: S105 (every world user's password, in test databases only)
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    regions: dict[str, Region] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    staff: dict[str, Staff] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    rng: random.Random = field(default_factory=lambda: random.Random(7))

    def user(self, key: str):
        return self.staff[key].user

    def customers_of(self, key: str) -> list[Customer]:
        return [c for c in self.customers.values() if c.manager_id == self.staff[key].pk]


def listed_partner(login: Staff, *, trainer: Staff, name: str = "华信助贷科技有限公司") -> Partner:
    """The world's channel partner: on the published list, its login linked, one member of staff with the
    compliance course passed, so the login may submit (partners off the list, or untrained, are refused)."""
    today = timezone.localdate()
    partner = Partner.objects.create(name=name, credit_code=make_credit_code(random.Random(login.pk)),
                                     kind=Partner.Kind.PLATFORM, login=login, status=Partner.Status.ACTIVE,
                                     listed_on=today)
    course, _created = Course.objects.get_or_create(code="CMP-101", defaults={
        "title": "合规销售与消费者权益保护", "kind": Course.Kind.COMPLIANCE})
    member = PartnerStaff.objects.create(partner=partner, name=login.name, employee_ref="P-0001", added_on=today)
    Completion.objects.create(staff=member, course=course, score=90, passed=True, completed_on=today,
                              recorded_by=trainer)
    return partner


def build_world() -> World:
    w = World()
    w.regions["east"] = region_create(actor=None, code="EAST", name_zh="华东", name_en="East China")
    w.regions["south"] = region_create(actor=None, code="SOUTH", name_zh="华南", name_en="South China")
    sh = branch_create(actor=None, code="SH01", name_zh="上海分行", name_en="Shanghai Branch",
                       region=w.regions["east"], city="上海")
    gz = branch_create(actor=None, code="GZ01", name_zh="广州分行", name_en="Guangzhou Branch",
                       region=w.regions["south"], city="广州")
    w.teams["east-a"] = team_create(actor=None, code="T-EA", name="华东直销一组", branch=sh, channel="direct")
    w.teams["east-b"] = team_create(actor=None, code="T-EB", name="华东渠道一组", branch=sh, channel="channel")
    w.teams["south-a"] = team_create(actor=None, code="T-SA", name="华南直销一组", branch=gz, channel="direct")

    def person(key: str, name: str, role: str, **kwargs) -> Staff:
        w.staff[key] = staff_create(actor=None, username=key, password=PASSWORD, name=name,
                                    employee_no=f"E{len(w.staff) + 1:04d}", role=role, **kwargs)
        return w.staff[key]

    director = person("director", "周强", Role.DIRECTOR)
    east_head = person("east_head", "刘洋", Role.REGIONAL_HEAD, region=w.regions["east"], reports_to=director)
    person("south_head", "黄伟", Role.REGIONAL_HEAD, region=w.regions["south"], reports_to=director)
    lead = person("east_a_lead", "李雷", Role.TEAM_LEAD, team=w.teams["east-a"], reports_to=east_head)
    person("am_wang", "王芳", Role.ACCOUNT_MANAGER, team=w.teams["east-a"], reports_to=lead)
    person("am_zhao", "赵敏", Role.ACCOUNT_MANAGER, team=w.teams["east-a"], reports_to=lead)
    person("am_sun", "孙丽", Role.ACCOUNT_MANAGER, team=w.teams["east-b"], reports_to=east_head)
    person("am_chen", "陈杰", Role.ACCOUNT_MANAGER, team=w.teams["south-a"])
    for level in (1, 2, 3):
        person(f"risk_l{level}", f"风控{level}", Role.RISK_OFFICER, approval_level=level,
               approval_limit=Decimal(1_000_000 * level * level))
    person("compliance", "合规官", Role.COMPLIANCE_OFFICER)
    person("operations", "运营专员", Role.OPERATIONS)
    person("partner", "渠道伙伴", Role.CHANNEL_PARTNER)
    listed_partner(w.staff["partner"], trainer=director)

    for key in ("am_wang", "am_zhao", "am_sun", "am_chen"):
        manager: Staff = w.staff[key]
        region = manager.region
        assert region is not None, f"{key} has a region through the team"
        w.customers[f"{key}_person"] = customer_create(
            actor=None, kind=Customer.Kind.PERSON, name=f"{manager.name}的个人客户",
            id_number=make_id_number(w.rng), phone=make_mobile(w.rng), bank_account=make_bank_card(w.rng),
            industry=Industry.TRADE, region=region, manager=manager,
        )
        w.customers[f"{key}_company"] = customer_create(
            actor=None, kind=Customer.Kind.ENTERPRISE, name=f"{manager.name}客户制造有限公司",
            credit_code=make_credit_code(w.rng), phone=make_mobile(w.rng), industry=Industry.MANUFACTURING,
            region=region, manager=manager,
        )

    w.products["credit"] = product_create(
        actor=None, code="CREDIT-01", name_zh="个人信用贷", name_en="Personal credit loan",
        category=ProductCategory.CREDIT, min_amount=Decimal("10000"), max_amount=Decimal("500000"),
        min_term_months=6, max_term_months=36, min_annual_rate=Decimal("0.0435"),
        max_annual_rate=Decimal("0.1800"),
        repayment_methods=[RepaymentMethod.EQUAL_INSTALMENT, RepaymentMethod.EQUAL_PRINCIPAL],
    )
    w.products["mortgage"] = product_create(
        actor=None, code="MORT-01", name_zh="经营性抵押贷", name_en="Business mortgage loan",
        category=ProductCategory.MORTGAGE, min_amount=Decimal("500000"), max_amount=Decimal("10000000"),
        min_term_months=12, max_term_months=120, min_annual_rate=Decimal("0.0345"),
        max_annual_rate=Decimal("0.0800"),
        repayment_methods=[RepaymentMethod.EQUAL_INSTALMENT, RepaymentMethod.INTEREST_FIRST],
        collateral=Product.Collateral.REQUIRED, max_ltv=Decimal("0.70"),
    )
    return w


def clear_review(world: World, review: CheckpointReview) -> CheckpointReview:
    """The world's compliance officer approves submitted material with every checklist item ticked (the checker
    of the checkpoint's maker-checker, C7)."""
    return checkpoint_decide(actor=world.user("compliance"), review=review, approve=True,
                             checked=[code for code, _label, _law in CHECKLISTS[review.kind]])


def clear_product_terms(world: World, product: Product, *, author: str = "director", **changes) -> CheckpointReview:
    """Submit the terms version these changes would give the product and have compliance approve it, so that a
    test may then save the changes (or activate the product) as a product manager."""
    return clear_review(world, product_submit_for_review(actor=world.user(author), product=product, **changes))


def published_playbook_entry(world: World, *, author: str = "director", **fields) -> PlaybookEntry:
    """A script or objection answer as managers see it: saved as a draft, submitted, approved by compliance and
    published by its author (the C7 checkpoint)."""
    entry = playbook_entry_save(actor=world.user(author), **fields)
    clear_review(world, playbook_entry_submit(actor=world.user(author), entry=entry))
    return playbook_entry_publish(actor=world.user(author), entry=entry)


def make_loan(world: World, *, customer: str = "am_wang_person", product: str = "credit", amount: str = "100000",
              on: date = date(2026, 3, 10), risk_class: int = 1) -> Loan:
    """A disbursed loan written straight into the table, for tests of what reads loans (targets, commission);
    the lending workflow that creates loans in production has its own tests."""
    return Loan.objects.create(
        number=f"T{Loan.objects.count() + 1:06d}", borrower=world.customers[customer],
        product=world.products[product], principal=Decimal(amount), annual_rate=Decimal("0.08"), term_months=12,
        repayment_method="equal_instalment", disbursed_on=on, outstanding_principal=Decimal(amount),
        risk_class=risk_class)


def portrait_ready(world: World) -> World:
    """The world with the tag catalogue, the portraits recomputed at 2025-06-30 and the needs questionnaire
    published, as the customer portrait pages expect."""
    from lendpilot.customers import services as customers
    from lendpilot.customers.portrait.demo import QUESTIONS_V2, seed_reference

    seed_reference()
    customers.portrait_recompute(actor=world.user("director"), as_of=date(2025, 6, 30))
    customers.questionnaire_publish(actor=world.user("director"), code="needs", title="需求问卷",
                                    questions=QUESTIONS_V2)
    return world
