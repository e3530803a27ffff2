"""Reads of monitoring used by pages and the API: scoped alert queues and the set-based inputs of the
portfolio analytics (bucket transitions, vintages, concentration) and the snapshot series."""

from datetime import date

from django.conf import settings
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncMonth

from lendpilot.core.models import ScheduledRun
from lendpilot.lending.models import Loan
from lendpilot.monitoring import analytics
from lendpilot.monitoring.models import Alert, CreditLineReview, EodRun, LoanMonthBucket, PortfolioSnapshot
from lendpilot.org.access import actor_of, require, scope_filter
from lendpilot.org.roles import Perm


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
    """The run log, newest first, with the number of finished stages (the progress of a running run)."""
    require(actor_of(user), Perm.VIEW_MONITORING)
    return EodRun.objects.prefetch_related("stages").annotate(
        stages_done=Count("stages", filter=Q(stages__completed=True))).order_by("-business_date")


EOD_TASK = "lendpilot.monitoring.tasks.run_eod_task"


def eod_scheduled(user, *, limit: int = 10) -> list[dict]:
    """The latest days the scheduler enqueued the EOD task for (settings.LENDPILOT_SCHEDULE), each with the
    state of its run: queued (no run yet), running, completed or failed."""
    require(actor_of(user), Perm.VIEW_MONITORING)
    jobs = [name for name, spec in settings.LENDPILOT_SCHEDULE.items() if spec.get("task") == EOD_TASK]
    rows = list(ScheduledRun.objects.filter(job__in=jobs).order_by("-business_date")
                .values("job", "business_date", "task_id", "enqueued_at")[:limit])
    runs = dict(EodRun.objects.filter(business_date__in=[r["business_date"] for r in rows])
                .values_list("business_date", "status"))
    return [{**r, "status": runs.get(r["business_date"], "queued")} for r in rows]


def snapshots(user, *, dimension: str = "all", key: str | None = None) -> QuerySet[PortfolioSnapshot]:
    require(actor_of(user), Perm.VIEW_MONITORING)
    qs = PortfolioSnapshot.objects.filter(dimension=dimension)
    if key is not None:
        qs = qs.filter(key=key)
    return qs.order_by("business_date", "key")


def roll_rates(month: date | None = None) -> tuple[date | None, list[list[float]]]:
    """The bucket transition matrix from the month before `month` (default: the latest) to `month`."""
    months = list(LoanMonthBucket.objects.values_list("month", flat=True).distinct().order_by("-month")[:2])
    if month is None:
        month = months[0] if months else None
    if month is None:
        return None, analytics.roll_rate_matrix([]).tolist()
    prev = LoanMonthBucket.objects.filter(loan_id=OuterRef("loan_id"), month__lt=month).order_by("-month") \
        .values("bucket")[:1]
    pairs = LoanMonthBucket.objects.filter(month=month).annotate(prev=Subquery(prev)).filter(prev__isnull=False) \
        .values("prev", "bucket").annotate(n=Count("pk")).order_by()
    return month, analytics.roll_rate_matrix([(p["prev"], p["bucket"], p["n"]) for p in pairs]).round(4).tolist()


def vintages(max_mob: int = 24) -> dict:
    rows = LoanMonthBucket.objects.values("month", vintage=TruncMonth("loan__disbursed_on")).annotate(
        n=Count("pk"), bad=Count("pk", filter=Q(bucket__gte=2))).order_by()
    return analytics.vintage_curves([(r["vintage"], r["month"], r["n"], r["bad"]) for r in rows], max_mob=max_mob)


def concentration() -> dict:
    active = Loan.objects.filter(status=Loan.Status.ACTIVE)
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
