"""Reads of incentives, scoped to the acting user: statements and their lines, the Excel export, disputes,
honours and the leaderboard, appraisal scores and the retention view."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import BytesIO

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from openpyxl import Workbook

from lendpilot.core.exports import append_row
from lendpilot.core.months import month_start, shift_month
from lendpilot.customers.models import Customer
from lendpilot.incentives import appraisal, commission
from lendpilot.incentives.commission_inputs import month_end, statements_computed
from lendpilot.incentives.models import (
    AppraisalInput,
    CommissionPlan,
    CommissionStatement,
    Dispute,
    Grant,
    Honour,
    IncentivePool,
    PeerRating,
)
from lendpilot.incentives.services import honour_candidates
from lendpilot.incentives.vesting import vesting
from lendpilot.incentives.wording import changes_in_words, line_in_words
from lendpilot.lending.classification import NPL_CLASSES
from lendpilot.lending.models import Instalment, Loan
from lendpilot.org.access import Actor, require, scope_filter
from lendpilot.org.models import Staff
from lendpilot.org.roles import Perm, Role
from lendpilot.planning.models import Quota
from lendpilot.service.selectors import complaints_by_manager, nps_by_manager


def statements_visible(actor: Actor, *, month: date | None = None) -> QuerySet[CommissionStatement]:
    require(actor, Perm.VIEW_INCENTIVES)
    qs = scope_filter(actor, CommissionStatement.objects.select_related("staff", "plan"), owner="staff")
    if month:
        qs = qs.filter(month=month_start(month))
    return qs.order_by("-month", "staff__employee_no")


def statement_get(actor: Actor, statement_id: int) -> CommissionStatement:
    st = statements_visible(actor).filter(pk=statement_id).first()
    if st is None:
        raise Http404("statement not found")
    return st


def statement_lines(statement: CommissionStatement) -> QuerySet:
    """The lines of the statement's current version."""
    return statement.lines.filter(version__number=statement.version).select_related("loan").order_by("id")


def statement_line_rows(statement: CommissionStatement) -> list[dict]:
    """The current lines with each one's sentence, for the page."""
    return [{"line": line, "words": line_in_words(rule=line.rule, loan_number=line.loan.number if line.loan_id else "",
                                                  basis=line.basis, rate=line.rate, multiplier=line.multiplier)}
            for line in statement_lines(statement)]


def statement_versions(statement: CommissionStatement) -> list[dict]:
    """Every version of the statement, latest first, with its cause, reason and what changed in words."""
    return [{"version": v, "changes": changes_in_words(v.changes)}
            for v in statement.versions.select_related("created_by", "plan").order_by("-number")]


@dataclass
class MonthToDate:
    """A person's commission for the running month so far, computed live from the loans disbursed up to
    today under the active plan: what the month-end run will say if nothing else happens."""

    staff_id: int
    month: date
    as_of: date
    disbursed: Decimal
    quota: Decimal
    attainment: Decimal | None
    multiplier: Decimal
    total: Decimal
    loans: int


def commission_estimates(actor: Actor, *, staff_ids: list[int], today: date | None = None) -> dict[int, MonthToDate]:
    """Month-to-date estimates for the people given who are in the actor's scope (set-based, one pass)."""
    require(actor, Perm.VIEW_INCENTIVES)
    plan_row = CommissionPlan.objects.filter(is_active=True).first()
    if plan_row is None or not staff_ids:
        return {}
    today = today or timezone.localdate()
    month = month_start(today)
    ids = list(scope_filter(actor, Staff.objects.filter(pk__in=staff_ids), owner="").values_list("pk", flat=True))
    computed = statements_computed(commission.parse_plan(plan_row.spec), month, ids, until=today)
    return {staff_id: MonthToDate(staff_id=staff_id, month=month, as_of=today, disbursed=st.disbursed, quota=st.quota,
                                  attainment=st.attainment, multiplier=st.multiplier, total=st.total,
                                  loans=sum(1 for line in st.lines if line.rule.startswith("rate:")))
            for staff_id, st in computed.items()}


def my_commission_month_to_date(actor: Actor, *, today: date | None = None) -> MonthToDate | None:
    """The acting account manager's own running estimate (None for people who earn no commission)."""
    if actor.staff is None or actor.role != Role.ACCOUNT_MANAGER or not actor.can(Perm.VIEW_INCENTIVES):
        return None
    return commission_estimates(actor, staff_ids=[actor.staff.pk], today=today).get(actor.staff.pk)


def disputes_visible(actor: Actor, *, status: str | None = None) -> QuerySet[Dispute]:
    require(actor, Perm.VIEW_INCENTIVES)
    qs = scope_filter(actor, Dispute.objects.select_related("statement", "statement__staff", "raised_by"),
                      owner="statement__staff")
    return qs.filter(status=status) if status else qs


def dispute_get(actor: Actor, dispute_id: int) -> Dispute:
    d = disputes_visible(actor).filter(pk=dispute_id).first()
    if d is None:
        raise Http404("dispute not found")
    return d


def statements_xlsx(statements) -> bytes:
    """A workbook: one summary sheet, one sheet of every line with its loan and rule."""
    wb = Workbook()
    summary = wb.active
    summary.title = "statements"
    append_row(summary, ["statement", "employee_no", "name", "month", "quota", "disbursed", "attainment",
                         "multiplier", "total", "status"])
    detail = wb.create_sheet("lines")
    append_row(detail, ["statement", "employee_no", "loan", "rule", "basis", "rate", "multiplier", "amount",
                        "version", "description"])
    for st in statements:
        append_row(summary, [st.pk, st.staff.employee_no, st.staff.name, st.month.strftime("%Y-%m"), st.quota,
                             st.disbursed, st.attainment, st.multiplier, st.total, st.status])
        for row in statement_line_rows(st):
            line = row["line"]
            append_row(detail, [st.pk, st.staff.employee_no, line.loan.number if line.loan_id else "", line.rule,
                                line.basis, line.rate, line.multiplier, line.amount, st.version, row["words"]])
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def honours_visible(actor: Actor, *, month: date | None = None) -> QuerySet[Honour]:
    require(actor, Perm.VIEW_INCENTIVES)
    qs = Honour.objects.select_related("staff", "staff__team")
    return qs.filter(month=month_start(month)) if month else qs.order_by("-month", "kind")


def leaderboard(actor: Actor, *, month: date, limit: int = 20) -> list[dict]:
    """The month's ranking by disbursed amount (ties by loans, then employee number). Names are shown to
    everyone who may see incentives: a leaderboard is public inside the sales organisation."""
    require(actor, Perm.VIEW_INCENTIVES)
    rows = sorted(honour_candidates(month_start(month)), key=lambda c: (-c.disbursed, -c.loans, c.employee_no))
    names = dict(Staff.objects.filter(pk__in=[r.staff_id for r in rows[:limit]]).values_list("pk", "name"))
    return [{"rank": n + 1, "staff_id": r.staff_id, "name": names.get(r.staff_id, ""), "disbursed": r.disbursed,
             "loans": r.loans, "attainment": r.attainment, "collection_rate": r.collection_rate}
            for n, r in enumerate(rows[:limit])]


def appraisal_scores(actor: Actor, *, start: date, months: int = 1, scheme: dict | None = None) -> list[dict]:
    """Monthly (months=1) or quarterly (months=3) appraisal per person in scope: attainment of base and sprint
    quota, collection rate, NPL ratio of own book, teamwork from the period's peer ratings (not available
    below the scheme's minimum number of ratings), NPS of the customers' surveys, training completion and
    drill scores pushed down by talent (incentives.AppraisalInput) and complaints per 100 customers a month
    (formulas in `lendpilot.incentives.appraisal`). Missing inputs are not available, never zero."""
    require(actor, Perm.VIEW_INCENTIVES)
    parsed = appraisal.parse_scheme(scheme)
    start = month_start(start)
    end = month_end(shift_month(start, months - 1))
    people = scope_filter(actor, Staff.objects.filter(role=Role.ACCOUNT_MANAGER, is_active=True), owner="")
    ids = list(people.values_list("pk", flat=True))
    quotas = {r["staff_id"]: r for r in Quota.objects.filter(staff_id__in=ids, month__range=(start, end)).values(
        "staff_id").annotate(base=Sum("base"), sprint=Sum("sprint"))}
    sold = dict(Loan.objects.filter(borrower__manager_id__in=ids, disbursed_on__range=(start, end)).values(
        "borrower__manager_id").annotate(s=Sum("principal")).values_list("borrower__manager_id", "s"))
    coll = {r["loan__borrower__manager_id"]: r for r in Instalment.objects.filter(
        loan__borrower__manager_id__in=ids, due_date__range=(start, end)).values("loan__borrower__manager_id")
        .annotate(due=Sum("principal_due") + Sum("interest_due"), paid=Sum("principal_paid") + Sum("interest_paid"))}
    book = {r["borrower__manager_id"]: r for r in Loan.objects.filter(
        borrower__manager_id__in=ids, status=Loan.Status.ACTIVE).values("borrower__manager_id").annotate(
        total=Sum("outstanding_principal"), npl=Sum("outstanding_principal", filter=Q(risk_class__in=NPL_CLASSES)))}
    peers = {r["ratee_id"]: r for r in PeerRating.objects.filter(ratee_id__in=ids, month__range=(start, end))
             .values("ratee_id").annotate(total=Sum("score"), n=Count("id"))}
    satisfaction = nps_by_manager(ids, start, end)
    talent = {r["staff_id"]: r for r in AppraisalInput.objects.filter(staff_id__in=ids, month__range=(start, end))
              .values("staff_id").annotate(enrolled=Sum("courses_enrolled"), completed=Sum("courses_completed"),
                                           drills=Sum("drills"), points=Sum("drill_points")).order_by()}
    complaints = complaints_by_manager(ids, start, end)
    customers = dict(Customer.objects.filter(manager_id__in=ids).values("manager_id").annotate(n=Count("id"))
                     .order_by().values_list("manager_id", "n"))
    out = []
    for staff in people.order_by("employee_no"):
        q = quotas.get(staff.pk, {})
        p = peers.get(staff.pk, {})
        c = coll.get(staff.pk)
        b = book.get(staff.pk)
        t = talent.get(staff.pk, {})
        m = appraisal.Metrics(
            disbursed=sold.get(staff.pk) or Decimal(0), base_quota=q.get("base") or Decimal(0),
            sprint_quota=q.get("sprint") or Decimal(0),
            collection_rate=(c["paid"] / c["due"]) if c and c["due"] else None,
            npl_ratio=((b["npl"] or Decimal(0)) / b["total"]) if b and b["total"] else None,
            peer_rating=appraisal.peer_rating_of(p.get("total"), p.get("n"), parsed.min_peer_ratings),
            nps=satisfaction.get(staff.pk),
            training_completion=appraisal.training_completion_of(t.get("enrolled"), t.get("completed")),
            drill_score=appraisal.drill_average_of(t.get("points"), t.get("drills")),
            complaint_rate=appraisal.complaint_rate_of(complaints.get(staff.pk, 0), customers.get(staff.pk),
                                                       months))
        score = appraisal.appraise(m, parsed)
        out.append({"staff_id": staff.pk, "name": staff.name, "employee_no": staff.employee_no,
                    "score": score.score, "components": score.components, "missing": score.missing,
                    "peer_ratings": p.get("n", 0), "peer_average": m.peer_rating,
                    "courses_enrolled": t.get("enrolled") or 0, "courses_completed": t.get("completed") or 0,
                    "training_completion": m.training_completion, "drills": t.get("drills") or 0,
                    "drill_average": m.drill_score, "complaints": complaints.get(staff.pk, 0),
                    "customers": customers.get(staff.pk, 0), "complaint_rate": m.complaint_rate})
    return out


@dataclass
class RetentionRow:
    staff_id: int
    name: str
    granted: Decimal
    vested: Decimal
    unvested: Decimal
    months_to_full: int
    recent_attainment: Decimal | None
    at_risk: bool
    reasons: list[str]


def pools_visible(actor: Actor) -> QuerySet[IncentivePool]:
    require(actor, Perm.MANAGE_LTI)
    return IncentivePool.objects.annotate(granted=Sum("grants__amount"), holders=Count("grants__staff",
                                                                                     distinct=True)).order_by("id")


def retention(actor: Actor, *, as_of: date | None = None) -> list[RetentionRow]:
    """Who holds unvested value and who is at risk: recent attainment below 80% (a performance or flight
    risk) or everything vested within three months (nothing left to hold them)."""
    require(actor, Perm.VIEW_INCENTIVES)
    as_of = as_of or timezone.localdate()
    grants = scope_filter(actor, Grant.objects.select_related("staff"), owner="staff").order_by("staff_id", "id")
    per: dict[int, dict] = {}
    for g in grants:
        v = vesting(amount=g.amount, granted_on=g.granted_on, vesting_months=g.vesting_months,
                    cliff_months=g.cliff_months, as_of=as_of)
        row = per.setdefault(g.staff_id, {"name": g.staff.name, "granted": Decimal(0), "vested": Decimal(0),
                                          "unvested": Decimal(0), "months_to_full": 0})
        row["granted"] += g.amount
        row["vested"] += v.vested
        row["unvested"] += v.unvested
        row["months_to_full"] = max(row["months_to_full"], max(0, g.vesting_months - v.months_elapsed))
    first = shift_month(month_start(as_of), -3)
    last = month_end(shift_month(month_start(as_of), -1))
    quotas = dict(Quota.objects.filter(staff_id__in=list(per), month__range=(first, last)).values("staff_id")
                  .annotate(s=Sum("base")).values_list("staff_id", "s"))
    sold = dict(Loan.objects.filter(borrower__manager_id__in=list(per), disbursed_on__range=(first, last)).values(
        "borrower__manager_id").annotate(s=Sum("principal")).values_list("borrower__manager_id", "s"))
    out = []
    for staff_id, row in per.items():
        att = (Decimal(sold.get(staff_id) or 0) / quotas[staff_id]).quantize(Decimal("0.0001")) \
            if quotas.get(staff_id) else None
        reasons = []
        if att is not None and att < Decimal("0.8"):
            reasons.append("low_attainment")
        if row["unvested"] > 0 and row["months_to_full"] <= 3:
            reasons.append("vesting_ends")
        out.append(RetentionRow(staff_id=staff_id, recent_attainment=att, at_risk=bool(reasons), reasons=reasons,
                                **row))
    return sorted(out, key=lambda r: (-r.unvested, r.staff_id))


def team_mates(actor: Actor) -> QuerySet[Staff]:
    """The active members of the acting person's team, themselves excluded: whom they may rate."""
    require(actor, Perm.RATE_PEERS)
    staff = actor.staff
    if staff is None or staff.team_id is None:
        return Staff.objects.none()
    return Staff.objects.filter(team_id=staff.team_id, is_active=True).exclude(pk=staff.pk).order_by("employee_no")


def peer_ratings_given(actor: Actor, *, month: date) -> QuerySet[PeerRating]:
    """The ratings the acting person gave for the month."""
    require(actor, Perm.VIEW_INCENTIVES)
    if actor.staff is None:
        return PeerRating.objects.none()
    return PeerRating.objects.filter(rater=actor.staff, month=month_start(month)).select_related("ratee")


def peer_summary(actor: Actor, *, month: date) -> list[dict]:
    """Per person in scope: the number and average of the ratings received for the month, and whether
    they are enough for the appraisal. Who rated whom is not shown: ratings are anonymous to the rated."""
    require(actor, Perm.VIEW_INCENTIVES)
    minimum = appraisal.parse_scheme(None).min_peer_ratings
    people = scope_filter(actor, Staff.objects.filter(is_active=True, team__isnull=False), owner="")
    rows = (PeerRating.objects.filter(month=month_start(month), ratee__in=people).values("ratee_id", "ratee__name")
            .annotate(total=Sum("score"), n=Count("id")).order_by("ratee__name"))
    return [{"staff_id": r["ratee_id"], "name": r["ratee__name"], "ratings": r["n"],
             "average": (Decimal(r["total"]) / r["n"]).quantize(Decimal("0.01")),
             "enough": r["n"] >= minimum} for r in rows]
