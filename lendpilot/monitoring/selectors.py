"""Reads of monitoring used by pages and the API: scoped alert queues and the set-based inputs of the
portfolio analytics (bucket transitions, vintages, concentration) and the snapshot series."""

from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import TruncMonth

from lendpilot.core.models import ScheduledRun
from lendpilot.lending.models import Loan
from lendpilot.monitoring import analytics
from lendpilot.monitoring.models import (
    Alert,
    CreditLineReview,
    EodRun,
    IndustryProposal,
    LoanMonthBucket,
    PortfolioAlert,
    PortfolioSnapshot,
)
from lendpilot.org.access import actor_of, require, scope_filter
from lendpilot.org.models import Staff
from lendpilot.org.roles import DataScope, Perm


def alerts_for(user, *, status: str | None = "open") -> QuerySet[Alert]:
    acting = actor_of(user)
    require(acting, Perm.VIEW_MONITORING)
    qs = Alert.objects.select_related("loan__borrower", "owner")
    if status:
        qs = qs.filter(status=status)
    return scope_filter(acting, qs, owner="loan__borrower__manager").order_by("-severity", "-tier", "opened_on", "pk")


def line_reviews_for(user) -> QuerySet[CreditLineReview]:
    acting = actor_of(user)
    require(acting, Perm.VIEW_MONITORING)
    qs = CreditLineReview.objects.select_related("line__customer")
    return scope_filter(acting, qs, owner="line__customer__manager")


def eod_runs(user) -> QuerySet[EodRun]:
    """The run log, newest first, with the number of finished stages (the progress of a running run).
    Its counts are the whole book's (loans, alerts, snapshot rows): for whole-bank readers only."""
    require_bank_wide(user)
    return EodRun.objects.prefetch_related("stages").annotate(
        stages_done=Count("stages", filter=Q(stages__completed=True))).order_by("-business_date")


EOD_TASK = "lendpilot.monitoring.tasks.run_eod_task"


def eod_scheduled(user, *, limit: int = 10) -> list[dict]:
    """The latest days the scheduler enqueued the EOD task for (settings.LENDPILOT_SCHEDULE), each with the
    state of its run: queued (no run yet), running, completed or failed."""
    require_bank_wide(user)
    jobs = [name for name, spec in settings.LENDPILOT_SCHEDULE.items() if spec.get("task") == EOD_TASK]
    rows = list(ScheduledRun.objects.filter(job__in=jobs).order_by("-business_date")
                .values("job", "business_date", "task_id", "enqueued_at")[:limit])
    runs = dict(EodRun.objects.filter(business_date__in=[r["business_date"] for r in rows])
                .values_list("business_date", "status"))
    return [{**r, "status": runs.get(r["business_date"], "queued")} for r in rows]


BANK_WIDE_DIMENSIONS = ("product", "industry", "tier", "class")
"""Snapshot dimensions that exist only for the whole book: no scoped reader can be served from them."""

SNAPSHOT_FIGURES = ("loans", "balance", "overdue_loans", "overdue_balance", "npl_loans", "npl_balance")


def require_bank_wide(user) -> None:
    """Raise PermissionDenied unless the reader sees the whole bank (director, risk, compliance,
    operations): industry proposals and portfolio alerts are figures of the whole book."""
    acting = actor_of(user)
    require(acting, Perm.VIEW_MONITORING)
    if not (acting.is_system or acting.scope == DataScope.ALL):
        raise PermissionDenied("bank-wide figures")


def _managers_in_scope(acting) -> list[str]:
    return [str(pk) for pk in scope_filter(acting, Staff.objects.all(), owner="").values_list("pk", flat=True)]


def snapshots(user, *, dimension: str = "all", key: str | None = None) -> QuerySet:
    """Daily snapshot rows of `dimension`, inside the reader's scope. A whole-bank reader reads the rows
    as stored; a scoped reader reads the manager, team and region rows of its scope only, its "all"
    (and its own region) as the sum of the manager rows in scope (dicts whose dimension and key are
    `scope_dimension` and `scope_key`), and is refused (403) the dimensions that exist only for the
    whole book."""
    acting = actor_of(user)
    require(acting, Perm.VIEW_MONITORING)
    if acting.is_system or acting.scope == DataScope.ALL:
        qs = PortfolioSnapshot.objects.filter(dimension=dimension)
        if key is not None:
            qs = qs.filter(key=key)
        return qs.order_by("business_date", "key")
    if dimension in BANK_WIDE_DIMENSIONS:
        raise PermissionDenied("bank-wide figures")
    managers = _managers_in_scope(acting)
    staff = acting.staff
    if dimension == "manager":
        qs = PortfolioSnapshot.objects.filter(dimension="manager", key__in=managers)
    elif dimension == "team":
        teams = {str(t) for t in Staff.objects.filter(pk__in=managers, team__isnull=False)
                 .values_list("team_id", flat=True)}
        # A team's row is the team's whole book: shown only when every member lies in the reader's scope.
        if acting.scope not in (DataScope.TEAM, DataScope.REGION):
            teams = set()
        qs = PortfolioSnapshot.objects.filter(dimension="team", key__in=teams)
    else:  # "all", or "region" for a regional head: the sum of the manager rows in scope
        own_key = "all" if dimension == "all" else (str(staff.region_id) if staff and staff.region_id
                                                    and acting.scope == DataScope.REGION else None)
        if own_key is None or (key is not None and key != own_key):
            return PortfolioSnapshot.objects.none().values("business_date")
        return (PortfolioSnapshot.objects.filter(dimension="manager", key__in=managers)
                .values("business_date").annotate(**{f: Sum(f) for f in SNAPSHOT_FIGURES},
                                                  scope_dimension=Value(dimension), scope_key=Value(own_key))
                .order_by("business_date"))
    if key is not None:
        qs = qs.filter(key=key)
    return qs.order_by("business_date", "key")


def rate_series(user, *, until: date, metric: str, limit: int = 400) -> tuple[list, list]:
    """The reader's whole-scope overdue or NPL rate by day (the "all" snapshot inside its scope)."""
    rows = list(snapshots(user, dimension="all").filter(business_date__lte=until)
                .order_by("-business_date")[:limit])[::-1]
    column = "overdue_balance" if metric == "overdue_rate" else "npl_balance"

    def figure(row, name):
        return row[name] if isinstance(row, dict) else getattr(row, name)

    return ([figure(r, "business_date") for r in rows],
            [float(figure(r, column) / figure(r, "balance")) if figure(r, "balance") else 0.0 for r in rows])


def portfolio_alerts(user) -> QuerySet[PortfolioAlert]:
    require_bank_wide(user)
    return PortfolioAlert.objects.all()


def industry_proposals(user) -> QuerySet[IndustryProposal]:
    require_bank_wide(user)
    return IndustryProposal.objects.all()


def _buckets_in_scope(user) -> QuerySet[LoanMonthBucket]:
    acting = actor_of(user)
    require(acting, Perm.VIEW_MONITORING)
    return scope_filter(acting, LoanMonthBucket.objects.all(), owner="loan__borrower__manager")


def roll_rates(user, month: date | None = None) -> tuple[date | None, list[list[float]]]:
    """The bucket transition matrix from the month before `month` (default: the latest) to `month`,
    over the loans in the reader's scope."""
    buckets = _buckets_in_scope(user)
    months = list(buckets.values_list("month", flat=True).distinct().order_by("-month")[:2])
    if month is None:
        month = months[0] if months else None
    if month is None:
        return None, analytics.roll_rate_matrix([]).tolist()
    prev = LoanMonthBucket.objects.filter(loan_id=OuterRef("loan_id"), month__lt=month).order_by("-month") \
        .values("bucket")[:1]
    pairs = buckets.filter(month=month).annotate(prev=Subquery(prev)).filter(prev__isnull=False) \
        .values("prev", "bucket").annotate(n=Count("pk")).order_by()
    return month, analytics.roll_rate_matrix([(p["prev"], p["bucket"], p["n"]) for p in pairs]).round(4).tolist()


def vintages(user, max_mob: int = 24) -> dict:
    rows = _buckets_in_scope(user).values("month", vintage=TruncMonth("loan__disbursed_on")).annotate(
        n=Count("pk"), bad=Count("pk", filter=Q(bucket__gte=2))).order_by()
    return analytics.vintage_curves([(r["vintage"], r["month"], r["n"], r["bad"]) for r in rows], max_mob=max_mob)


def concentration(user) -> dict:
    """Industry concentration and the largest borrowers of the active book in the reader's scope."""
    acting = actor_of(user)
    require(acting, Perm.VIEW_MONITORING)
    active = scope_filter(acting, Loan.objects.filter(status=Loan.Status.ACTIVE), owner="borrower__manager")
    by_industry = list(active.values(industry=F("borrower__industry")).annotate(b=Sum("outstanding_principal"))
                       .order_by("-b"))
    top = list(active.values("borrower_id", name=F("borrower__name")).annotate(b=Sum("outstanding_principal"))
               .order_by("-b")[:10])
    total = active.aggregate(t=Sum("outstanding_principal"))["t"] or 0
    stats = analytics.concentration([float(r["b"]) for r in by_industry])
    top_share = float(sum(r["b"] for r in top) / total) if total else 0.0
    return {"industry": [{"industry": r["industry"], "balance": float(r["b"])} for r in by_industry],
            "industry_hhi": stats["hhi"], "top_borrowers": [{"name": r["name"], "balance": float(r["b"])} for r in top],
            "top10_borrower_share": round(top_share, 4), "total": float(total)}
