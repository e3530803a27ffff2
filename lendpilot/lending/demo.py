"""Demo bank step: lending. A book of loans disbursed over the last 24 months with their schedules and
24 months of repayments (mostly on time, some late, a few that stop paying), a handful of cases
taken through the real approval services so the queues and decision histories are live, and the
days past due and five-category classes computed as of the demo day.

Every disbursed application carries the status history a real case leaves, and about one application
in four that reached a decision was rejected (the command centre's approval rate counts these moves).

Every application is graded by the pre-screen engine: the book's by the active scorecard of its product
family over an applicant profile (column-wise, as the pre-screen history is), the live cases through the
application service, which runs the full pre-screen (scorecard, policy rules, blacklist). Each case
carries the route the authority matrix gives its amount and grade, and a decision by a different
officer at every level. Three live cases of CNY 0.3M, 4M and 25M wait for initial review, so the
demo shows that a small, a large and a committee-size case can each be decided.

Loans, their applications, contracts and instalments are bulk inserted; repayments are posted with
the same set-based CSV import the core-banking feed uses (allocation, penalty interest), so the
figures on every page come from the production code path.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from lendpilot.core.errors import Conflict
from lendpilot.customers.models import Customer
from lendpilot.lending import authority
from lendpilot.lending.imports import repayments_import
from lendpilot.lending.models import Application, Contract, Decision, Instalment, Loan, StatusChange
from lendpilot.lending.schedule import annualised_rate, build_schedule
from lendpilot.lending.services.applications import application_create, checklist_mark, collateral_add
from lendpilot.lending.services.approval import application_decide, application_submit
from lendpilot.lending.services.delinquency import loans_update_delinquency
from lendpilot.org.models import Staff
from lendpilot.org.roles import Role
from lendpilot.products.models import Product
from lendpilot.scoring import selectors as scoring_selectors
from lendpilot.scoring import synthetic

if TYPE_CHECKING:
    from lendpilot.core.seeding import SeedContext

HISTORY_MONTHS = 24
PURPOSES = ["经营周转", "设备采购", "装修", "购车", "教育"]
FEN = Decimal("0.01")


def _amount(rng, product: Product) -> Decimal:
    low, high = float(product.min_amount), float(min(product.max_amount, product.min_amount * 20))
    return (Decimal(int(rng.uniform(low, high) / 1000) * 1000) or product.min_amount).quantize(FEN)


def _rate(rng, product: Product) -> Decimal:
    span = product.max_annual_rate - product.min_annual_rate
    return (product.min_annual_rate + span * Decimal(str(round(rng.uniform(0.3, 1.0), 3)))).quantize(
        Decimal("0.0001"))


def seed(ctx: SeedContext) -> dict[str, int]:
    rng = ctx.sub_rng("lending")
    products = list(Product.objects.filter(is_active=True).order_by("pk"))
    customers = list(Customer.objects.order_by("pk").values_list("pk", "manager_id"))
    if not products or not customers:
        return {"loans": 0}
    n_loans = max(60, len(customers) // 10)  # enough loans a month for the command centre even on a tiny bank
    chosen = rng.sample(customers, min(n_loans, len(customers)))
    applications, plans = _book_plan(ctx, rng, chosen, products)
    with transaction.atomic():
        loans, history = _book_write(ctx, rng, applications, plans, products, customers)
    lines = _repayment_lines(rng, loans, plans, ctx.today)
    posted = repayments_import(actor=None, text="\n".join(lines) + "\n", source="demo").posted if len(lines) > 1 \
        else 0
    loans_update_delinquency(as_of=ctx.today)
    cases = _live_cases(ctx, products, customers)
    return {"loans": len(loans), "instalments": sum(len(p[1]) for p in plans), "repayments": posted,
            "live_cases": cases, **history}


def _book_plan(ctx: SeedContext, rng, chosen, products) -> tuple[list[Application], list[tuple]]:
    """The book's applications (graded by the engine, routed by the matrix) and each one's disbursement
    date, schedule and repayment-behaviour draw."""
    applications, plans = [], []
    grader = _Grader(ctx.seed)
    for n, (customer_id, manager_id) in enumerate(chosen):
        product = rng.choice(products)
        method = rng.choice(product.repayment_methods)
        term = rng.choice([t for t in (6, 12, 24, 36, 60) if product.min_term_months <= t <= product.max_term_months]
                          or [product.min_term_months])
        amount, rate = _amount(rng, product), _rate(rng, product)
        # More loans lately, as the book grows (the sales demo's leads grow the same way).
        disbursed = ctx.today - timedelta(days=35 + int((HISTORY_MONTHS * 30 - 35) * rng.random() ** 1.4))
        rows = build_schedule(principal=amount, annual_rate=rate, periods=term, method=method, start=disbursed)
        grade = grader.grade(product, approved=True)
        route = list(authority.route_for(amount=amount, grade=grade["risk_grade"], category=product.category).levels)
        applications.append(Application(
            number=f"APD{n:07d}", applicant_id=customer_id, product=product, amount=amount, term_months=term,
            repayment_method=method, annual_rate=rate, purpose=rng.choice(PURPOSES), **grade,
            monthly_income=amount / 10, monthly_debt_payments=Decimal("0"), status=Application.Status.DISBURSED,
            created_by_id=manager_id, submitted_by_id=manager_id, submission_round=1, route=route,
            step=len(route) - 1))
        plans.append((disbursed, rows, rng.random()))
    return applications, plans


def _book_write(ctx: SeedContext, rng, applications, plans, products, customers) -> tuple[list[Loan], dict]:
    """Applications, contracts, decisions, status history, loans and instalments, bulk inserted."""
    deciders = _deciders()
    operations = Staff.objects.filter(role=Role.OPERATIONS).order_by("pk").first()
    Application.objects.bulk_create(applications, batch_size=ctx.scale.batch_size)
    contracts = [Contract(
        application=app, number=f"CTD{app.pk:07d}", principal=app.amount, annual_rate=app.annual_rate,
        apr=annualised_rate(principal=app.amount, rows=rows, periods=app.term_months),
        term_months=app.term_months, repayment_method=app.repayment_method, status=Contract.Status.DISBURSED,
        disclosures={"apr": "see schedule"}, generated_by=operations or app.created_by)
        for app, (_disbursed, rows, _) in zip(applications, plans, strict=True)]
    Contract.objects.bulk_create(contracts, batch_size=ctx.scale.batch_size)
    if all(deciders.values()):
        Decision.objects.bulk_create([
            Decision(application=app, submission_round=1, step=step, level=level, outcome="approve",
                     approver=rng.choice(deciders[level]),
                     reason="同意放款" if step == len(app.route) - 1 else "资料齐全，建议同意")
            for app in applications for step, level in enumerate(app.route)], batch_size=ctx.scale.batch_size)
    history = _status_history(ctx, applications, [p[0] for p in plans], products, customers,
                              deciders[authority.INITIAL])
    loans = [Loan(number=f"LND{c.pk:07d}", contract=c, borrower_id=app.applicant_id, product=app.product,
                  principal=app.amount, annual_rate=app.annual_rate, term_months=app.term_months,
                  repayment_method=app.repayment_method, disbursed_on=plan[0], outstanding_principal=app.amount)
             for app, c, plan in zip(applications, contracts, plans, strict=True)]
    Loan.objects.bulk_create(loans, batch_size=ctx.scale.batch_size)
    Instalment.objects.bulk_create([
        Instalment(loan=loan, seq=r.seq, due_date=r.due_date, due_day=r.due_date.toordinal(),
                   principal_due=r.principal, interest_due=r.interest)
        for loan, (_, rows, _) in zip(loans, plans, strict=True) for r in rows], batch_size=ctx.scale.batch_size)
    return loans, history


def _repayment_lines(rng, loans, plans, today) -> list[str]:
    """The core-banking file of the book's repayments: 85% pay on the due date, 10% pay late (5-45 days),
    5% stop paying at some point."""
    lines = ["external_ref,loan_number,amount,value_date"]
    for loan, (_disbursed, rows, draw) in zip(loans, plans, strict=True):
        stop_after = rng.randint(1, max(1, len(rows) - 1)) if draw > 0.95 else None
        for row in rows:
            if stop_after is not None and row.seq > stop_after:
                break
            late = rng.randint(5, 45) if 0.85 < draw <= 0.95 and rng.random() < 0.5 else 0
            value_date = row.due_date + timedelta(days=late)
            if value_date > today:
                break
            amount = row.payment + (Decimal(late) * Decimal("5.00") if late else 0)  # covers the penalty roughly
            lines.append(f"D{loan.pk}-{row.seq},{loan.number},{amount},{value_date.isoformat()}")
    return lines


def _moment(day, rng) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9, 0)) + timedelta(minutes=rng.randint(0, 480)))


def _status_history(ctx: SeedContext, applications, disbursed_on, products, customers, l1) -> dict[str, int]:
    """The status moves a real case leaves (submitted, approved, contract issued, signed, disbursed), dated in
    the days before each disbursement, and about one rejected application for every three approved, decided
    around the same dates: the command centre's approval rate (B9) counts these moves."""
    rng = ctx.sub_rng("lending.history")
    moves = []
    for app, day in zip(applications, disbursed_on, strict=True):
        approved = day - timedelta(days=rng.randint(3, 10))
        submitted = approved - timedelta(days=rng.randint(1, 7))
        for src, dst, on in (("draft", "in_review", submitted), ("in_review", "approved", approved),
                             ("approved", "contracted", approved + timedelta(days=1)),
                             ("contracted", "signed", day - timedelta(days=1)), ("signed", "disbursed", day)):
            moves.append((app.pk, src, dst, "", _moment(on, rng)))
    rejected = []
    grader = _Grader(ctx.seed + 1)
    for n in range(round(len(applications) * 0.35)):
        customer_id, manager_id = rng.choice(customers)
        product = rng.choice(products)
        decided = rng.choice(disbursed_on) - timedelta(days=rng.randint(0, 20))
        rejected.append((Application(
            number=f"APR{n:07d}", applicant_id=customer_id, product=product, amount=_amount(rng, product),
            term_months=product.min_term_months, repayment_method=product.repayment_methods[0],
            annual_rate=_rate(rng, product), purpose=rng.choice(PURPOSES), **grader.grade(product, approved=False),
            monthly_income=product.min_amount / 20,
            monthly_debt_payments=Decimal("0"), status=Application.Status.REJECTED, created_by_id=manager_id,
            submitted_by_id=manager_id, submission_round=1, route=[1, 3], step=0), decided))
    Application.objects.bulk_create([a for a, _ in rejected], batch_size=ctx.scale.batch_size)
    for app, decided in rejected:
        moves.append((app.pk, "draft", "in_review", "", _moment(decided - timedelta(days=rng.randint(1, 7)), rng)))
        moves.append((app.pk, "in_review", "rejected", "负债过高，还款能力不足", _moment(decided, rng)))
    if l1:
        Decision.objects.bulk_create([Decision(application=app, submission_round=1, step=0, level=1, outcome="reject",
                                               approver=rng.choice(l1), reason="负债过高，还款能力不足")
                                      for app, _ in rejected], batch_size=ctx.scale.batch_size)
    n = ctx.insert_rows(StatusChange, ["application_id", "from_status", "to_status", "note", "at"], moves,
                        total=len(moves), desc="lending status history")
    return {"status_changes": n, "rejected_applications": len(rejected)}


def _deciders() -> dict[int, list[Staff]]:
    """The demo bank's officers of each approval level, and the director for the director level."""
    officers = {level: list(Staff.objects.filter(role=Role.RISK_OFFICER, approval_level=level, is_active=True)
                            .select_related("user").order_by("pk")) for level in (1, 2, 3)}
    officers[authority.DIRECTOR] = list(Staff.objects.filter(role=Role.DIRECTOR, is_active=True)
                                        .select_related("user").order_by("pk"))
    return officers


class _Grader:
    """Grades of the bulk-loaded book from the pre-screen engine: the active scorecard of the product's
    family scores synthetic applicant profiles column-wise (as the pre-screen history import does)."""

    POOL = 4000

    def __init__(self, seed: int):
        self.seed = seed
        self.pools: dict[str, tuple[int, list[tuple[str, float]]]] = {}
        self.cursor: dict[str, int] = {}

    def _pool(self, family: str) -> tuple[int, list[tuple[str, float]]]:
        if family not in self.pools:
            active = scoring_selectors.active_scorecard_ref(family)
            if active is None:
                raise LookupError(f"no active scorecard for the {family} family: the scoring step runs first")
            version_id, _number, trained_at = active
            card = scoring_selectors.compiled(version_id, trained_at)
            columns, _bad = synthetic.applicants(self.POOL, seed=self.seed * 31 + len(self.pools))
            scores = card.score_frame(columns)
            grades = card.grades_of_scores(scores)
            self.pools[family] = (version_id, [(str(g), round(float(x), 2)) for g, x in zip(grades, scores,
                                                                                           strict=True)])
            self.cursor[family] = 0
        return self.pools[family]

    def grade(self, product: Product, *, approved: bool) -> dict:
        """The next applicant the engine grades: a disbursed case is one the engine did not grade E, a
        rejected one one it graded C or worse."""
        version_id, pool = self._pool(product.category)
        wanted = "ABCD" if approved else "CDE"
        for _ in range(len(pool)):
            grade, score = pool[self.cursor[product.category] % len(pool)]
            self.cursor[product.category] += 1
            if grade in wanted:
                return {"risk_grade": grade, "score": score, "scorecard_version_id": version_id}
        grade, score = pool[0]
        return {"risk_grade": grade, "score": score, "scorecard_version_id": version_id}


# A steady applicant: the engine passes most customers with these facts, as their own records allow.
STEADY_FACTS = {"employment_years": 8, "bureau_inquiries_6m": 1, "bureau_overdue_24m": 0, "credit_history_months": 84}
SHOWCASE_AMOUNTS = (Decimal("300000.00"), Decimal("4000000.00"), Decimal("25000000.00"))


def _open_case(ctx: SeedContext, manager: Staff, customer_id: int, product: Product, amount: Decimal,
               today) -> Application:
    with transaction.atomic():  # a case the engine or the product refuses leaves no draft behind
        return _open_case_steps(manager, customer_id, product, amount, today)


def _open_case_steps(manager: Staff, customer_id: int, product: Product, amount: Decimal, today) -> Application:
    term = min(max(36, product.min_term_months), product.max_term_months)
    pledged = product.collateral == Product.Collateral.REQUIRED
    collateral = (amount * Decimal("1.6")).quantize(FEN)
    app = application_create(
        actor=manager.user, applicant=Customer.objects.get(pk=customer_id), product=product, amount=amount,
        term_months=term, repayment_method=product.repayment_methods[0], annual_rate=product.max_annual_rate,
        purpose="经营周转", monthly_income=(amount / 10).quantize(FEN), monthly_debt_payments=Decimal("0"),
        applicant_facts={**STEADY_FACTS, **({"collateral_value": collateral} if pledged else {})})
    for entry in app.checklist.select_related("item"):
        checklist_mark(actor=manager.user, application=app, item_code=entry.item.code, evidence="已核验")
    if pledged:
        collateral_add(actor=manager.user, application=app, kind="equipment", description="生产设备",
                                valuation=collateral, valuer="资产评估所",
                                valued_on=today - timedelta(days=10))
    return application_submit(actor=manager.user, application=app, today=today)


def _live_cases(ctx: SeedContext, products, customers) -> int:
    """Cases through the real services (the engine grades each): a few waiting at each level, one returned,
    and three of CNY 0.3M, 4M and 25M waiting for initial review, each with someone who can decide it."""
    made = _cases_at_levels(ctx, products, customers)
    demo_manager = Staff.objects.filter(user__username="am_demo").select_related("user").first()
    if demo_manager is None:
        return made
    own = [(c, m) for c, m in customers if m == demo_manager.pk] or customers
    return made + sum(_showcase_case(ctx, demo_manager, own, products, amount) for amount in SHOWCASE_AMOUNTS)


def _cases_at_levels(ctx: SeedContext, products, customers) -> int:
    managers = {s.pk: s for s in Staff.objects.filter(role=Role.ACCOUNT_MANAGER).select_related("user")}
    initial = _deciders()[authority.INITIAL]
    credit = [p for p in products if p.collateral == Product.Collateral.NONE] or products
    made = 0
    for n in range(8):
        customer_id, manager_id = customers[(n * 7919) % len(customers)]
        manager = managers.get(manager_id)
        if manager is None:
            continue
        product = credit[n % len(credit)]
        try:
            app = _open_case(ctx, manager, customer_id, product, product.min_amount, ctx.today - timedelta(days=n))
            made += 1
            if n % 4 >= 1 and initial:
                application_decide(actor=initial[0].user, application=app, expected_step=app.step,
                                   outcome="return" if n == 5 else "approve", reason="初审意见")
        except (ValidationError, Conflict):  # a demo case that the product's rules or the engine refuse is skipped
            continue
    return made


def _showcase_case(ctx: SeedContext, manager: Staff, own, products, amount: Decimal) -> int:
    """One case of `amount` for the first of the manager's customers the engine and a product accept."""
    fitting = sorted((p for p in products if p.min_amount <= amount <= p.max_amount),
                     key=lambda p: p.collateral == Product.Collateral.REQUIRED)
    for product in fitting:
        for customer_id, _manager in own[:40]:
            try:
                _open_case(ctx, manager, customer_id, product, amount, ctx.today)
            except (ValidationError, Conflict):  # declined by the engine, or the product's terms: next one
                continue
            return 1
    return 0
