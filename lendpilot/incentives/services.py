"""Every write of incentives: commission plans, the monthly statement run (idempotent: drafts are replaced,
approved statements are locked), approval, disputes, honours and long-term incentive pools and grants.
One transaction and one audit record per action."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_batch_event, record_event
from lendpilot.core.errors import Conflict
from lendpilot.incentives import commission, honours
from lendpilot.incentives.models import (
    CommissionLine,
    CommissionPlan,
    CommissionStatement,
    Dispute,
    Grant,
    Honour,
    IncentivePool,
    PeerRating,
)
from lendpilot.lending.classification import NPL_CLASSES
from lendpilot.lending.models import Instalment, Loan
from lendpilot.org.access import actor_of, require, staff_in_scope
from lendpilot.org.models import Staff
from lendpilot.org.roles import Perm, Role
from lendpilot.planning.models import Quota
from lendpilot.planning.services import add_months, month_start


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def month_end(month: date) -> date:
    return date.fromordinal(add_months(month, 1).toordinal() - 1)


@transaction.atomic
def commission_plan_publish(*, actor, name: str, spec) -> CommissionPlan:
    """Validate a plan and make it the active one."""
    who = actor_of(actor)
    require(who, Perm.APPROVE_COMMISSION)
    try:
        commission.parse_plan(spec)
    except commission.PlanError as exc:
        raise _invalid(exc.field, exc.message) from exc
    version = (CommissionPlan.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0) + 1
    CommissionPlan.objects.filter(is_active=True).update(is_active=False)
    plan = CommissionPlan.objects.create(name=name, version=version, spec=spec, is_active=True, created_by=who.staff)
    record_event(actor=who.user, event_code="incentives.plan_published", obj=plan, after={"version": version})
    return plan


def month_figures(month: date) -> tuple[dict, dict]:
    """Quota (base) and disbursed amount per manager for the month: two grouped queries."""
    quotas = dict(Quota.objects.filter(month=month).values_list("staff_id", "base"))
    disbursed = {r["borrower__manager_id"]: r["s"] for r in Loan.objects.filter(
        disbursed_on__range=(month, month_end(month))).values("borrower__manager_id").annotate(s=Sum("principal"))}
    return quotas, disbursed


@transaction.atomic
def commission_run(*, actor, month: date) -> dict:
    """Compute the month's statements for every account manager. Running again replaces the drafts;
    approved statements are left as they are."""
    who = actor_of(actor)
    require(who, Perm.RUN_COMMISSION)
    month = month_start(month)
    plan_row = CommissionPlan.objects.filter(is_active=True).first()
    if plan_row is None:
        raise _invalid("plan", "publish a commission plan first")
    plan = commission.parse_plan(plan_row.spec)
    locked = set(CommissionStatement.objects.select_for_update().filter(
        month=month, status=CommissionStatement.Status.APPROVED).values_list("staff_id", flat=True))
    CommissionStatement.objects.filter(month=month, status=CommissionStatement.Status.DRAFT).delete()
    quotas, disbursed = month_figures(month)
    end = month_end(month)
    sales: dict[int, list] = defaultdict(list)
    for loan_id, manager_id, category, principal in Loan.objects.filter(
            disbursed_on__range=(month, end)).values_list("id", "borrower__manager_id", "product__category",
                                                          "principal").order_by("id").iterator(chunk_size=5000):
        sales[manager_id].append(commission.LoanSale(loan_id=loan_id, category=category, amount=principal))
    defaults: dict[int, list] = defaultdict(list)
    if plan.clawback_months:
        clawed = CommissionLine.objects.filter(rule__startswith="clawback").exclude(
            statement__month=month).values("loan_id")
        window_start = add_months(month, -plan.clawback_months)
        for loan_id, manager_id, category, principal, on in Loan.objects.filter(
                risk_class__in=NPL_CLASSES, disbursed_on__gte=window_start, disbursed_on__lte=end).exclude(
                id__in=clawed).values_list("id", "borrower__manager_id", "product__category", "principal",
                                           "disbursed_on").iterator(chunk_size=5000):
            on_book = (end.year - on.year) * 12 + end.month - on.month
            defaults[manager_id].append(commission.Default(loan_id=loan_id, category=category, amount=principal,
                                                           months_on_book=on_book))
    managers = Staff.objects.filter(role=Role.ACCOUNT_MANAGER).filter(
        Q(is_active=True) | Q(pk__in=list(disbursed))).exclude(pk__in=locked).values_list("pk", flat=True)
    statements, computed = [], []
    for staff_id in managers:
        st = commission.compute_statement(plan, quota=quotas.get(staff_id, Decimal(0)), sales=sales.get(staff_id, ()),
                                          defaults=defaults.get(staff_id, ()),
                                          disbursed=disbursed.get(staff_id, Decimal(0)))
        statements.append(CommissionStatement(staff_id=staff_id, month=month, plan=plan_row, quota=st.quota,
                                              disbursed=st.disbursed, attainment=st.attainment,
                                              multiplier=st.multiplier, total=st.total))
        computed.append(st)
    CommissionStatement.objects.bulk_create(statements, batch_size=2000)
    if statements and statements[0].pk is None:  # databases that do not return ids from bulk inserts
        ids = dict(CommissionStatement.objects.filter(month=month).values_list("staff_id", "pk"))
        for s in statements:
            s.pk = ids[s.staff_id]
    lines = [CommissionLine(statement_id=s.pk, loan_id=line.loan_id, rule=line.rule, basis=line.basis, rate=line.rate,
                            multiplier=line.multiplier, amount=line.amount)
             for s, st in zip(statements, computed, strict=True) for line in st.lines]
    CommissionLine.objects.bulk_create(lines, batch_size=5000)
    total = sum((s.total for s in statements), Decimal(0))
    record_event(actor=who.user, event_code="incentives.statements_run", object_type="incentives.month",
                 object_id=month.isoformat(),
                 after={"statements": len(statements), "lines": len(lines), "locked": len(locked), "total": total,
                        "plan": plan_row.version})
    return {"statements": len(statements), "lines": len(lines), "locked": len(locked), "total": total}


@transaction.atomic
def statement_approve(*, actor, statement: CommissionStatement) -> CommissionStatement:
    who = actor_of(actor)
    require(who, Perm.APPROVE_COMMISSION)
    if Dispute.objects.filter(statement=statement, status=Dispute.Status.OPEN).exists():
        raise Conflict(_("resolve the open dispute first"), field="status")
    updated = CommissionStatement.objects.filter(pk=statement.pk, status=CommissionStatement.Status.DRAFT).update(
        status=CommissionStatement.Status.APPROVED, approved_by=who.staff, approved_at=timezone.now())
    if not updated:
        raise Conflict(_("the statement is already approved"), field="status")
    statement.refresh_from_db()
    record_event(actor=who.user, event_code="incentives.statement_approved", obj=statement,
                 after={"total": statement.total})
    return statement


@transaction.atomic
def statements_approve(*, actor, month: date) -> dict:
    """Approve every draft statement of the month that has no open dispute, in one set-based update (the
    month-end sign-off). Statements with an open dispute stay drafts until it is resolved. One audit record
    names every statement approved with its person and total."""
    who = actor_of(actor)
    require(who, Perm.APPROVE_COMMISSION)
    month = month_start(month)
    drafts = CommissionStatement.objects.select_for_update().filter(
        month=month, status=CommissionStatement.Status.DRAFT)
    disputed = set(Dispute.objects.filter(statement__month=month, status=Dispute.Status.OPEN).values_list(
        "statement_id", flat=True))
    rows = list(drafts.exclude(pk__in=disputed).order_by("pk").values_list("pk", "staff_id", "total"))
    ids = [pk for pk, _staff, _total in rows]
    approved = CommissionStatement.objects.filter(pk__in=ids, status=CommissionStatement.Status.DRAFT).update(
        status=CommissionStatement.Status.APPROVED, approved_by=who.staff, approved_at=timezone.now())
    total = sum((t for _pk, _staff, t in rows), Decimal(0))
    record_batch_event(actor=who.user, event_code="incentives.statements_approved", summary={
        "batch_id": f"statements:{month.isoformat()}", "month": month, "approved": approved, "total": total,
        "held_by_dispute": sorted(disputed), "statements": [[pk, staff, t] for pk, staff, t in rows]})
    return {"approved": approved, "held_by_dispute": len(disputed), "total": total}


@transaction.atomic
def dispute_open(*, actor, statement: CommissionStatement, reason: str, line: CommissionLine | None = None) -> Dispute:
    """The person (or a manager in scope) disputes a statement or one of its lines."""
    who = actor_of(actor)
    require(who, Perm.VIEW_INCENTIVES)
    if who.staff is None or not staff_in_scope(who, statement.staff):
        raise _invalid("statement", "not a statement you can dispute")
    if not reason.strip():
        raise _invalid("reason", "say what is wrong")
    if line is not None and line.statement_id != statement.pk:
        raise _invalid("line_id", "the line is not on this statement")
    dispute = Dispute.objects.create(statement=statement, line=line, raised_by=who.staff, reason=reason.strip())
    record_event(actor=who.user, event_code="incentives.dispute_opened", obj=dispute,
                 after={"statement": statement.pk, "line": line.pk if line else None, "reason": dispute.reason})
    return dispute


@transaction.atomic
def dispute_resolve(*, actor, dispute: Dispute, resolution: str) -> Dispute:
    who = actor_of(actor)
    require(who, Perm.RESOLVE_DISPUTE)
    if not resolution.strip():
        raise _invalid("resolution", "say how it was resolved")
    updated = Dispute.objects.filter(pk=dispute.pk, status=Dispute.Status.OPEN).update(
        status=Dispute.Status.RESOLVED, resolution=resolution.strip(), resolved_by=who.staff,
        resolved_at=timezone.now())
    if not updated:
        raise Conflict(_("the dispute is already resolved"), field="status")
    dispute.refresh_from_db()
    record_event(actor=who.user, event_code="incentives.dispute_resolved", obj=dispute,
                 after={"resolution": dispute.resolution})
    return dispute


def honour_candidates(month: date) -> list[honours.Candidate]:
    """Per account manager: disbursed amount and loans (one grouped query), attainment against the base
    quota, collection rate of instalments due in the month (one grouped query). NPS is not available yet
    (the service package does not exist), so it is left out, not counted as zero."""
    end = month_end(month)
    quotas, _figures = month_figures(month)
    sold = {r["borrower__manager_id"]: r for r in Loan.objects.filter(disbursed_on__range=(month, end)).values(
        "borrower__manager_id").annotate(s=Sum("principal"), n=Count("id"))}
    collected = {r["loan__borrower__manager_id"]: r for r in Instalment.objects.filter(
        due_date__range=(month, end)).values("loan__borrower__manager_id").annotate(
        due=Sum("principal_due") + Sum("interest_due"), paid=Sum("principal_paid") + Sum("interest_paid"))}
    people = Staff.objects.filter(role=Role.ACCOUNT_MANAGER).filter(
        Q(is_active=True) | Q(pk__in=list(sold))).values_list("pk", "employee_no")
    out = []
    for staff_id, employee_no in people:
        s = sold.get(staff_id)
        c = collected.get(staff_id)
        amount = s["s"] if s else Decimal(0)
        quota = quotas.get(staff_id)
        out.append(honours.Candidate(
            staff_id=staff_id, employee_no=employee_no, disbursed=amount, loans=s["n"] if s else 0,
            attainment=(amount / quota).quantize(Decimal("0.0001")) if quota else None,
            collection_rate=(c["paid"] / c["due"]).quantize(Decimal("0.0001")) if c and c["due"] else None))
    return out


@transaction.atomic
def honours_award(*, actor, month: date) -> list[Honour]:
    """Compute the month's honours by the rules; running again replaces them."""
    who = actor_of(actor)
    require(who, Perm.RUN_COMMISSION)
    month = month_start(month)
    awards = honours.award_all(honour_candidates(month))
    Honour.objects.filter(month=month).delete()
    rows = Honour.objects.bulk_create([Honour(month=month, kind=a.kind, staff_id=a.staff_id, value=a.value,
                                              tie_break=a.tie_break) for a in awards])
    record_event(actor=who.user, event_code="incentives.honours_awarded", object_type="incentives.month",
                 object_id=month.isoformat(),
                 after={a.kind: {"staff": a.staff_id, "value": a.value, "tie_break": a.tie_break} for a in awards})
    return rows


@transaction.atomic
def pool_create(*, actor, name: str, kind: str, total: Decimal) -> IncentivePool:
    who = actor_of(actor)
    require(who, Perm.MANAGE_LTI)
    if kind not in IncentivePool.Kind.values:
        raise _invalid("kind", "profit_share or equity")
    if Decimal(total) <= 0:
        raise _invalid("total", "must be positive")
    pool = IncentivePool.objects.create(name=name, kind=kind, total=total, created_by=who.staff)
    record_event(actor=who.user, event_code="incentives.pool_created", obj=pool, after={"total": total, "kind": kind})
    return pool


@transaction.atomic
def grant_make(*, actor, pool: IncentivePool, staff: Staff, amount: Decimal, granted_on: date,
               vesting_months: int = 48, cliff_months: int = 12) -> Grant:
    who = actor_of(actor)
    require(who, Perm.MANAGE_LTI)
    pool = IncentivePool.objects.select_for_update().get(pk=pool.pk)
    if Decimal(amount) <= 0:
        raise _invalid("amount", "must be positive")
    if not 1 <= vesting_months <= 120:
        raise _invalid("vesting_months", "1 to 120")
    if not 0 <= cliff_months <= vesting_months:
        raise _invalid("cliff_months", "from 0 up to the vesting months")
    granted = pool.grants.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    if granted + Decimal(amount) > pool.total:
        raise _invalid("amount", "the pool does not hold that much")
    grant = Grant.objects.create(pool=pool, staff=staff, amount=amount, granted_on=granted_on,
                                 vesting_months=vesting_months, cliff_months=cliff_months)
    record_event(actor=who.user, event_code="incentives.grant_made", obj=grant,
                 after={"staff": staff.pk, "amount": amount, "vesting_months": vesting_months})
    return grant


def _rating_month(month: date) -> date:
    month = month_start(month)
    if month > month_start(timezone.localdate()):
        raise _invalid("month", "a month that has not begun cannot be rated")
    return month


@transaction.atomic
def peer_rating_submit(*, actor, ratee: Staff, month: date, score: int, comment: str = "") -> PeerRating:
    """A team member rates another for the month (A7 teamwork): a score of 1 to 5, never oneself, only
    within one's own team, once per person rated and month (a second rating is a conflict), and not for a
    month that has not begun."""
    who = actor_of(actor)
    require(who, Perm.RATE_PEERS)
    rater = who.staff
    if rater is None or rater.team_id is None:
        raise _invalid("ratee_id", "only a member of a team rates team mates")
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise _invalid("score", "a whole score from 1 to 5")
    if ratee.pk == rater.pk:
        raise _invalid("ratee_id", "nobody rates themselves")
    if ratee.team_id != rater.team_id or not ratee.is_active:
        raise _invalid("ratee_id", "only an active member of your own team")
    month = _rating_month(month)
    comment = (comment or "").strip()[:300]
    try:
        with transaction.atomic():
            rating = PeerRating.objects.create(rater=rater, ratee=ratee, month=month, score=score, comment=comment)
    except IntegrityError as exc:
        raise Conflict(_("you have already rated this person for the month"), field="ratee_id") from exc
    record_event(actor=who.user, event_code="incentives.peer_rated", obj=rating,
                 after={"ratee": ratee.pk, "month": month, "score": score})
    return rating


@transaction.atomic
def peer_ratings_load(*, actor, month: date, ratings: list[tuple[int, int, int]]) -> int:
    """Load a month's ratings in bulk, (rater id, ratee id, score) each, by the same rules as
    `peer_rating_submit` (checked for the whole batch before anything is written; one bad row rejects the
    batch). Ratings already given for the month are kept, not replaced. One audit record for the batch."""
    who = actor_of(actor)
    require(who, Perm.RUN_COMMISSION)
    month = _rating_month(month)
    people = {r.pk: r for r in Staff.objects.filter(pk__in={x for row in ratings for x in row[:2]}).only(
        "pk", "team_id", "is_active")}
    seen = set()
    for n, (rater_id, ratee_id, score) in enumerate(ratings):
        rater, ratee = people.get(rater_id), people.get(ratee_id)
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            raise _invalid("ratings", f"row {n}: a whole score from 1 to 5")
        if rater is None or ratee is None or rater_id == ratee_id or rater.team_id is None \
                or rater.team_id != ratee.team_id or not ratee.is_active:
            raise _invalid("ratings", f"row {n}: only an active team mate, never oneself")
        if (rater_id, ratee_id) in seen:
            raise _invalid("ratings", f"row {n}: one rating per person rated and month")
        seen.add((rater_id, ratee_id))
    given = set(PeerRating.objects.filter(month=month).values_list("rater_id", "ratee_id"))
    rows = [PeerRating(rater_id=a, ratee_id=b, month=month, score=s) for a, b, s in ratings if (a, b) not in given]
    PeerRating.objects.bulk_create(rows, batch_size=5000)
    record_batch_event(actor=who.user, event_code="incentives.peer_ratings_loaded", summary={
        "batch_id": f"peer_ratings:{month.isoformat()}", "month": month, "ratings": len(rows),
        "kept": len(ratings) - len(rows)})
    return len(rows)
