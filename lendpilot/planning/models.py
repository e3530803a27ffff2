"""Target plans and their split (B5), person-month quotas with base and sprint parts, monthly re-set
proposals and the quota history (B6). Workflows live in services."""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from lendpilot.core.reference import ProductCategory
from lendpilot.org.models import Region, Staff, Team

MONEY = {"max_digits": 16, "decimal_places": 2}


class TargetPlan(models.Model):
    """One version of an annual plan. Versions of the same plan share `code` and its period; plans with
    different codes may not overlap in time. The director approves a version; the approved version's
    manager cells become quotas."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        SUPERSEDED = "superseded", _("Superseded")

    code = models.CharField(_("code"), max_length=40)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=100)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    total_amount = models.DecimalField(_("annual disbursement target (CNY)"), **MONEY)
    new_customers = models.PositiveIntegerField(_("new customers target"), default=0)
    npl_ceiling = models.DecimalField(_("NPL ceiling"), max_digits=5, decimal_places=4, default=Decimal("0.0200"))
    drivers = models.JSONField(_("driver weights"), default=dict)
    month_weights = models.JSONField(_("month weights"), default=list)
    sprint_ratio = models.DecimalField(_("sprint over base"), max_digits=5, decimal_places=4,
                                       default=Decimal("0.2000"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT,
                              db_index=True)
    created_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start", "code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="target_plan_version_once"),
            models.UniqueConstraint(fields=["code"], condition=Q(status="approved"),
                                    name="target_plan_one_approved_version"),
            models.CheckConstraint(condition=Q(total_amount__gte=0), name="target_plan_total_not_negative"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="target_plan_period_order"),
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"


class TargetCell(models.Model):
    """One part of the split, carrying the three targets: disbursed amount (whole CNY 10,000), new
    customers (whole customers) and the NPL amount ceiling (whole CNY 100; see `decompose` for why the
    ratio ceiling is split as an amount). Level `cell` is (product line, region, team type, month); level
    `team` adds the team; level `manager` adds the account manager."""

    class Level(models.TextChoices):
        CELL = "cell", _("Product x region x team type")
        TEAM = "team", _("Team")
        MANAGER = "manager", _("Account manager")

    plan = models.ForeignKey(TargetPlan, on_delete=models.CASCADE, related_name="cells")
    level = models.CharField(max_length=8, choices=Level.choices)
    product = models.CharField(_("product line"), max_length=32, choices=ProductCategory.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    team_type = models.CharField(_("team type"), max_length=16, choices=Team.Channel.choices)
    month = models.DateField(_("month"))
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    manager = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("target (CNY)"), **MONEY)
    new_customers = models.PositiveIntegerField(_("new customers target"), default=0)
    npl_amount = models.DecimalField(_("NPL ceiling (CNY)"), default=Decimal(0), **MONEY)
    risk = models.DecimalField(_("risk driver"), max_digits=6, decimal_places=3, default=Decimal(1))
    weight = models.DecimalField(max_digits=9, decimal_places=6, default=Decimal(0))
    last_year = models.DecimalField(default=Decimal(0), **MONEY)
    capacity = models.DecimalField(default=Decimal(0), **MONEY)
    exceeds_capacity = models.BooleanField(default=False)
    edited = models.BooleanField(default=False)

    class Meta:
        ordering = ["product", "region", "team_type", "month"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="target_cell_not_negative"),
            models.CheckConstraint(condition=Q(npl_amount__gte=0), name="target_cell_npl_not_negative"),
        ]
        indexes = [models.Index(fields=["plan", "level", "month"]), models.Index(fields=["manager", "month"])]

    def __str__(self):
        return f"{self.plan_id}:{self.level}:{self.product}/{self.region_id}/{self.team_type}/{self.month}"


class Quota(models.Model):
    """One person's target for one month: a base and a sprint part of the disbursed amount (B6), with the
    new-customers target and the NPL amount ceiling from the approved plan."""

    class Source(models.TextChoices):
        PLAN = "plan", _("Target plan")
        RESET = "reset", _("Monthly re-set")
        MANUAL = "manual", _("Manual")

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="quotas")
    month = models.DateField(_("month"))
    base = models.DecimalField(_("base target (CNY)"), **MONEY)
    sprint = models.DecimalField(_("sprint target (CNY)"), default=Decimal(0), **MONEY)
    new_customers = models.PositiveIntegerField(_("new customers target"), default=0)
    npl_amount = models.DecimalField(_("NPL ceiling (CNY)"), default=Decimal(0), **MONEY)
    plan = models.ForeignKey(TargetPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="quotas")
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.PLAN)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["month", "staff"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "month"], name="quota_once_per_person_month"),
            models.CheckConstraint(condition=Q(base__gte=0) & Q(sprint__gte=0), name="quota_not_negative"),
        ]
        indexes = [models.Index(fields=["month", "staff"])]

    def __str__(self):
        return f"{self.staff_id} {self.month:%Y-%m}: {self.base}+{self.sprint}"


class QuotaReset(models.Model):
    """A proposed re-set of next month's quotas; applied when the director approves it."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    month = models.DateField(_("month"))
    rules = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED, db_index=True)
    proposed_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month", "-id"]
        constraints = [models.UniqueConstraint(fields=["month"], condition=Q(status="proposed"),
                                               name="quota_reset_one_open_per_month")]

    def __str__(self):
        return f"{self.month:%Y-%m} ({self.status})"


class QuotaResetLine(models.Model):
    reset = models.ForeignKey(QuotaReset, on_delete=models.CASCADE, related_name="lines")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    old_base = models.DecimalField(**MONEY)
    new_base = models.DecimalField(**MONEY)
    old_sprint = models.DecimalField(**MONEY)
    new_sprint = models.DecimalField(**MONEY)
    attainment = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True)
    heat = models.DecimalField(max_digits=6, decimal_places=3, default=Decimal(1))
    reasons = models.JSONField(default=list)

    class Meta:
        ordering = ["staff"]
        constraints = [models.UniqueConstraint(fields=["reset", "staff"], name="quota_reset_line_once")]

    def __str__(self):
        return f"{self.reset_id}:{self.staff_id} {self.old_base} -> {self.new_base}"

    @property
    def delta(self) -> Decimal:
        return self.new_base - self.old_base

    @property
    def reason_texts(self) -> list[str]:
        """Why the quota moved, in the reader's language (the codes stay in `reasons` and the API)."""
        return [reset_reason_text(reason) for reason in self.reasons or []]


def _percent(value: object) -> str:
    try:
        return f"{Decimal(str(value)) * 100:.0f}%"
    except ArithmeticError:
        return str(value)


def reset_reason_text(reason: dict) -> str:
    code, value = reason.get("code"), reason.get("value")
    if code == "attainment":
        return str(_("attainment %(attainment)s over the last %(months)s months")) % {
            "attainment": _percent(value), "months": reason.get("months", "")}
    if code == "no_history":
        return str(_("no attainment history"))
    if code == "heat":
        return str(_("market heat %(heat)s")) % {"heat": value}
    if code == "capped_up":
        return str(_("capped at %(share)s of the current quota")) % {"share": _percent(value)}
    if code == "capped_down":
        return str(_("held at %(share)s of the current quota")) % {"share": _percent(value)}
    if code == "floor":
        return str(_("raised to the minimum quota"))
    return str(code)


class QuotaChange(models.Model):
    """History of every quota change (plan approval, re-set, manual)."""

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    month = models.DateField()
    old_base = models.DecimalField(null=True, blank=True, **MONEY)
    new_base = models.DecimalField(**MONEY)
    old_sprint = models.DecimalField(null=True, blank=True, **MONEY)
    new_sprint = models.DecimalField(**MONEY)
    new_customers = models.PositiveIntegerField(null=True, blank=True)
    npl_amount = models.DecimalField(null=True, blank=True, **MONEY)
    source = models.CharField(max_length=8, choices=Quota.Source.choices)
    reset = models.ForeignKey(QuotaReset, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    changed_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["staff", "month"])]

    def __str__(self):
        return f"{self.staff_id} {self.month:%Y-%m}: {self.old_base} -> {self.new_base}"


class MarketHeat(models.Model):
    """Market heat coefficient per region and product line (1.0 neutral); the market package will feed it,
    until then the director sets it."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    product = models.CharField(max_length=32, choices=ProductCategory.choices)
    heat = models.DecimalField(max_digits=6, decimal_places=3, default=Decimal(1))
    capacity = models.DecimalField(_("market capacity (CNY)"), default=Decimal(0), **MONEY)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region", "product"], name="market_heat_once"),
                       models.CheckConstraint(condition=Q(heat__gt=0), name="market_heat_positive")]

    def __str__(self):
        return f"{self.region_id}/{self.product}: {self.heat}"
