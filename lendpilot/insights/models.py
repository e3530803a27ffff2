"""Insights' own tables (FEATURES B9, F1): the daily metric snapshot, one row per business date, dimension
and key with the additive sums every flow metric is derived from, and the log of the days built.

Written only by `services.metric_snapshots_build` (set-based, idempotent per date); read by the metric
engine in `lendpilot.insights.metrics`. Stock figures (balances, overdue, NPL) are not copied here: they are
monitoring's `PortfolioSnapshot`. Action-item tables live in core (`lendpilot.core.models`)."""

from django.db import models

MONEY = {"max_digits": 20, "decimal_places": 2, "default": 0}


class MetricSnapshot(models.Model):
    """One day's flows of one segment. dimension: all, region, team, manager, product, channel, tier; key: the
    id (region, team, staff member, product), the lead source (channel), the customer tier, "all", or "none"
    for rows without one (an unassigned lead, a loan without a lead)."""

    business_date = models.DateField()
    dimension = models.CharField(max_length=12)
    key = models.CharField(max_length=40)
    disbursed_amount = models.DecimalField(**MONEY)
    loans = models.PositiveIntegerField(default=0)
    applications_decided = models.PositiveIntegerField(default=0)
    applications_approved = models.PositiveIntegerField(default=0)
    leads = models.PositiveIntegerField(default=0)
    opportunities = models.PositiveIntegerField(default=0)
    leads_converted = models.PositiveIntegerField(default=0)
    conversion_days_sum = models.BigIntegerField(default=0)
    due_amount = models.DecimalField(**MONEY)
    collected_amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["business_date", "dimension", "key"]
        constraints = [models.UniqueConstraint(fields=["business_date", "dimension", "key"],
                                               name="insights_metric_snapshot_once")]
        indexes = [models.Index(fields=["dimension", "key", "business_date"], name="insights_snapshot_slice"),
                   models.Index(fields=["dimension", "business_date"], name="insights_snapshot_dim_day")]

    def __str__(self):
        return f"{self.business_date} {self.dimension}={self.key}"


class MetricSnapshotDay(models.Model):
    """A business date whose snapshot rows are built; the engine reads live tables only after the last one."""

    business_date = models.DateField(unique=True)
    rows = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    built_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-business_date"]

    def __str__(self):
        return f"{self.business_date} ({self.rows} rows)"
