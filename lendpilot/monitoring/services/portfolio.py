"""The portfolio figures: the EOD's daily snapshot by dimension, month-end buckets and EWMA portfolio alerts
(F3), and rebuilding that history for past business days."""

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event
from lendpilot.core.business_calendar import is_business_day, next_business_day
from lendpilot.core.field_values import read_date
from lendpilot.lending.classification import NPL_CLASSES
from lendpilot.lending.models import Loan
from lendpilot.monitoring import history, thresholds
from lendpilot.monitoring.models import LoanMonthBucket, Outbox, PortfolioAlert, PortfolioSnapshot, RuleSet
from lendpilot.monitoring.services.acting import Acting
from lendpilot.monitoring.services.ruleset import active_ruleset
from lendpilot.monitoring.services.tables import MONEY_FIELD, ZERO
from lendpilot.org.access import Actor, actor_of, require
from lendpilot.org.models import Staff
from lendpilot.org.roles import Perm, Role

DIMENSIONS = {
    "all": None, "product": "product_id", "region": "borrower__region_id", "team": "borrower__manager__team_id",
    "manager": "borrower__manager_id", "industry": "borrower__industry", "tier": "borrower__tier",
    "class": "risk_class",
}


def stage_snapshot(*, day: date, rules: dict[str, Any], ruleset: RuleSet, acting: Actor) -> dict[str, Any]:
    """Delete and rebuild the day's rows: one aggregate query per dimension over the active book."""
    PortfolioSnapshot.objects.filter(business_date=day).delete()
    active = Loan.objects.filter(status=Loan.Status.ACTIVE)
    aggregates = {
        "loans": Count("pk"), "balance": Coalesce(Sum("outstanding_principal"), ZERO, output_field=MONEY_FIELD),
        "overdue_loans": Count("pk", filter=Q(days_past_due__gt=0)),
        "overdue_balance": Coalesce(Sum("outstanding_principal", filter=Q(days_past_due__gt=0)), ZERO,
                                    output_field=MONEY_FIELD),
        "npl_loans": Count("pk", filter=Q(risk_class__in=NPL_CLASSES)),
        "npl_balance": Coalesce(Sum("outstanding_principal", filter=Q(risk_class__in=NPL_CLASSES)), ZERO,
                                output_field=MONEY_FIELD),
    }
    rows = []
    for dim, path in DIMENSIONS.items():
        if path is None:
            groups: Iterable[Mapping[str, Any]] = [{"k": "all", **active.aggregate(**aggregates)}]
        else:
            groups = active.values(k=F(path)).annotate(**aggregates).order_by()
        rows += [PortfolioSnapshot(business_date=day, dimension=dim, key=str(g["k"]), loans=g["loans"],
                                   balance=g["balance"], overdue_loans=g["overdue_loans"],
                                   overdue_balance=g["overdue_balance"], npl_loans=g["npl_loans"],
                                   npl_balance=g["npl_balance"]) for g in groups]
    PortfolioSnapshot.objects.bulk_create(rows, batch_size=5000)
    return {"snapshot_rows": len(rows)}


def is_month_end(day: date) -> bool:
    """The last business day of the month (the EOD run that closes the month)."""
    return next_business_day(day + timedelta(days=1)).month != day.month


def month_buckets_write(*, day: date) -> int:
    """Month-end buckets of every active loan: delete the month, one INSERT ... SELECT."""
    month = day.replace(day=1)
    LoanMonthBucket.objects.filter(month=month).delete()
    table, loans = LoanMonthBucket._meta.db_table, Loan._meta.db_table
    sql = (f"INSERT INTO {table} (month, loan_id, bucket, balance) "  # noqa: S608 (model table names; values bound)
           f"SELECT %s, id, CASE WHEN days_past_due > 90 THEN 4 WHEN days_past_due > 60 THEN 3 "
           f"WHEN days_past_due > 30 THEN 2 WHEN days_past_due > 0 THEN 1 ELSE 0 END, outstanding_principal "
           f"FROM {loans} WHERE status = %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [month, Loan.Status.ACTIVE])
        return cursor.rowcount


def stage_buckets(*, day: date, rules: dict[str, Any], ruleset: RuleSet, acting: Actor) -> dict[str, Any]:
    if not is_month_end(day):
        return {"month_end": False}
    return {"month_end": True, "loans": month_buckets_write(day=day)}


def rate_series(*, dimension: str, key: str, until: date, metric: str,
                limit: int = 400) -> tuple[list[date], list[float]]:
    rows = list(PortfolioSnapshot.objects.filter(dimension=dimension, key=key, business_date__lte=until)
                .order_by("-business_date").values_list("business_date", "balance", "overdue_balance",
                                                         "npl_balance")[:limit])[::-1]
    rates = [float((overdue if metric == "overdue_rate" else npl) / balance) if balance else 0.0
             for _day, balance, overdue, npl in rows]
    return [r[0] for r in rows], rates


def stage_thresholds(*, day: date, rules: dict[str, Any], ruleset: RuleSet, acting: Actor) -> dict[str, Any]:
    ew = rules["ewma"]
    segments = [("all", "all")] + list(PortfolioSnapshot.objects.filter(business_date=day, dimension="product")
                                       .values_list("dimension", "key"))
    raised = []
    for dim, key in segments:
        for metric in ("overdue_rate", "npl_rate"):
            _days, values = rate_series(dimension=dim, key=key, until=day, metric=metric)
            breached, centre, upper = thresholds.latest_breach(values, lam=ew["lam"], k=ew["k"],
                                                               warmup=int(ew["warmup"]))
            if breached:
                raised.append(PortfolioAlert(business_date=day, segment=f"{dim}:{key}", metric=metric,
                                             value=values[-1], centre=centre, upper=upper))
    PortfolioAlert.objects.bulk_create(raised, ignore_conflicts=True)
    recipients = Staff.objects.filter(is_active=True, role__in=[Role.DIRECTOR, Role.RISK_OFFICER]).values_list(
        "pk", flat=True)
    Outbox.objects.bulk_create([
        Outbox(dedup_key=f"pa:{day}:{a.segment}:{a.metric}:{sid}"[:80], channel=Outbox.Channel.NOTICE, staff_id=sid,
               body=f"组合预警：{a.segment} {a.metric} {a.value:.2%} 超过动态上限 {a.upper:.2%}")
        for a in raised for sid in recipients], ignore_conflicts=True)
    return {"portfolio_alerts": len(raised)}


def _breach_days(dimension: str, key: str, metric: str, *, until: date,
                 ew: dict[str, Any]) -> list[tuple[date, float, float, float]]:
    days, values = rate_series(dimension=dimension, key=key, until=until, metric=metric)
    band = thresholds.ewma_band(values, lam=ew["lam"], k=ew["k"], warmup=int(ew["warmup"]))
    return [(days[i], values[i], float(band.centre[i]), float(band.upper[i])) for i in band.breaches.tolist()]
def _historic_alerts(dates: list[date], ew: dict[str, Any]) -> list[PortfolioAlert]:
    """The portfolio alerts of `dates` against the EWMA band of the whole series up to the last of them;
    the range's earlier alerts are replaced."""
    PortfolioAlert.objects.filter(business_date__gte=dates[0], business_date__lte=dates[-1]).delete()
    segments = [("all", "all")] + sorted(set(PortfolioSnapshot.objects.filter(
        business_date__in=dates, dimension="product").values_list("dimension", "key")))
    wanted = set(dates)
    raised = []
    for dim, key in segments:
        for metric in ("overdue_rate", "npl_rate"):
            raised += [PortfolioAlert(business_date=d, segment=f"{dim}:{key}", metric=metric, value=v,
                                      centre=c, upper=u)
                       for d, v, c, u in _breach_days(dim, key, metric, until=dates[-1], ew=ew) if d in wanted]
    PortfolioAlert.objects.bulk_create(raised, ignore_conflicts=True)
    return raised


@transaction.atomic
def history_rebuild(*, actor: Acting, start: date | str,
                    end: date | str) -> dict[str, Any]:
    """Rebuild the daily portfolio snapshots and month-end buckets of the business days from `start` to
    `end` from the repayment schedules and value dates (`history.rebuild`: when monitoring starts on an
    existing book, or after back-dated repayments), then the portfolio alerts (F3) of those days against
    the EWMA band of the rebuilt series, without notices (they are history). Rejects a range that is
    empty, reversed, in the future, longer than two years or outside the business calendar."""
    acting = actor_of(actor)
    require(acting, Perm.RUN_EOD)
    first, last = read_date(start, field="start"), read_date(end, field="end")
    if last > timezone.localdate():
        raise ValidationError({"end": _("the business date lies in the future")})
    if first > last:
        raise ValidationError({"start": _("the start lies after the end")})
    if (last - first).days > 731:
        raise ValidationError({"start": _("at most two years at a time")})
    days = [history.Day(d, is_month_end(d)) for d in
            (first + timedelta(days=n) for n in range((last - first).days + 1)) if is_business_day(d)]
    counts = history.rebuild(days)
    dates = [d.day for d in days]
    raised = _historic_alerts(dates, active_ruleset().thresholds["ewma"]) if dates else []
    counts["portfolio_alerts"] = len(raised)
    record_event(actor=acting.user, event_code="monitoring.history_rebuilt", object_type="batch",
                 object_id=f"history:{first.isoformat()}:{last.isoformat()}",
                 after={"start": first.isoformat(), "end": last.isoformat(), **counts})
    return counts
