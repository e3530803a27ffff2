"""Commission plans and statements (A8), disputes, honours (A8) and long-term incentives (A9)."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lendpilot.lending.models import Loan
from lendpilot.org.models import Staff

MONEY = {"max_digits": 16, "decimal_places": 2}


class CommissionPlan(models.Model):
    """A commission plan stored as data (see `commission.parse_plan`); one version is active."""

    name = models.CharField(_("name"), max_length=100)
    version = models.PositiveIntegerField(unique=True)
    spec = models.JSONField(_("plan"))
    is_active = models.BooleanField(default=False)
    created_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True),
                                               name="commission_plan_one_active")]

    def __str__(self):
        return f"{self.name} v{self.version}"


class CommissionStatement(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="commission_statements")
    month = models.DateField(_("month"))
    plan = models.ForeignKey(CommissionPlan, on_delete=models.PROTECT, related_name="statements")
    quota = models.DecimalField(**MONEY)
    disbursed = models.DecimalField(**MONEY)
    attainment = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    multiplier = models.DecimalField(max_digits=6, decimal_places=3)
    total = models.DecimalField(**MONEY)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    # The current version; the statement keeps its id (and its link, its disputes) across recalculations.
    version = models.PositiveIntegerField(default=1)
    approved_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "staff"]
        constraints = [models.UniqueConstraint(fields=["staff", "month"], name="statement_once_per_person_month")]
        indexes = [models.Index(fields=["month", "status"])]

    def __str__(self):
        return f"{self.staff_id} {self.month:%Y-%m}"


class StatementVersion(models.Model):
    """One calculation of a statement: its figures as computed then, why it was made and what changed
    against the version before. The statement row carries the figures of its latest version."""

    class Cause(models.TextChoices):
        FIRST = "first", _("First calculation")
        RECALCULATED = "recalculated", _("Recalculated")

    statement = models.ForeignKey(CommissionStatement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    cause = models.CharField(max_length=16, choices=Cause.choices, default=Cause.FIRST)
    reason = models.CharField(_("reason"), max_length=300, blank=True, default="")
    changes = models.JSONField(default=dict, blank=True)
    plan = models.ForeignKey(CommissionPlan, on_delete=models.PROTECT, related_name="+")
    quota = models.DecimalField(**MONEY)
    disbursed = models.DecimalField(**MONEY)
    attainment = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    multiplier = models.DecimalField(max_digits=6, decimal_places=3)
    total = models.DecimalField(**MONEY)
    created_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["statement", "-number"]
        constraints = [models.UniqueConstraint(fields=["statement", "number"], name="statement_version_once")]

    def __str__(self):
        return f"{self.statement_id} v{self.number}"


class CommissionLine(models.Model):
    statement = models.ForeignKey(CommissionStatement, on_delete=models.CASCADE, related_name="lines")
    version = models.ForeignKey(StatementVersion, on_delete=models.CASCADE, related_name="lines")
    loan = models.ForeignKey(Loan, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(max_length=64)
    basis = models.DecimalField(default=Decimal(0), **MONEY)
    rate = models.DecimalField(max_digits=7, decimal_places=6, default=Decimal(0))
    multiplier = models.DecimalField(max_digits=6, decimal_places=3, default=Decimal(1))
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["statement", "id"]

    def __str__(self):
        return f"{self.rule}: {self.amount}"


class Dispute(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    statement = models.ForeignKey(CommissionStatement, on_delete=models.CASCADE, related_name="disputes")
    line = models.ForeignKey(CommissionLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The version the dispute was raised against; an open dispute follows the statement to later versions.
    raised_on_version = models.PositiveIntegerField(default=1)
    raised_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True)
    resolution = models.CharField(_("resolution"), max_length=500, blank=True, default="")
    resolved_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"{self.statement_id}: {self.status}"


class Honour(models.Model):
    class Kind(models.TextChoices):
        SALES_CHAMPION = "sales_champion", _("Monthly sales champion")
        BEST_SERVICE = "best_service", _("Best service award")
        ATTAINMENT_STAR = "attainment_star", _("Attainment star")

    month = models.DateField()
    kind = models.CharField(max_length=32, choices=Kind.choices)
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="honours")
    value = models.DecimalField(max_digits=18, decimal_places=4)
    tie_break = models.CharField(max_length=32, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "kind"]
        constraints = [models.UniqueConstraint(fields=["month", "kind"], name="honour_once_per_month")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.kind}: {self.staff_id}"


class IncentivePool(models.Model):
    class Kind(models.TextChoices):
        PROFIT_SHARE = "profit_share", _("Profit share")
        EQUITY = "equity", _("Equity")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    total = models.DecimalField(_("pool value (CNY)"), **MONEY)
    created_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(total__gt=0), name="pool_total_positive")]

    def __str__(self):
        return self.name


class Grant(models.Model):
    """A grant from a pool to one person, vesting monthly over `vesting_months` after a cliff."""

    pool = models.ForeignKey(IncentivePool, on_delete=models.PROTECT, related_name="grants")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="grants")
    amount = models.DecimalField(_("value (CNY)"), **MONEY)
    granted_on = models.DateField(_("granted on"))
    vesting_months = models.PositiveSmallIntegerField(_("vesting months"), default=48)
    cliff_months = models.PositiveSmallIntegerField(_("cliff months"), default=12)

    class Meta:
        ordering = ["granted_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="grant_amount_positive"),
                       models.CheckConstraint(condition=Q(vesting_months__gte=1), name="grant_vesting_positive")]

    def __str__(self):
        return f"{self.pool_id}:{self.staff_id} {self.amount}"


class PeerRating(models.Model):
    """A teamwork rating (A7): one team member rates another, 1 to 5, once a month. Never oneself, only
    within the team. The appraisal uses the month's (or quarter's) average as the teamwork score."""

    rater = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="peer_ratings_given")
    ratee = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="peer_ratings_received")
    month = models.DateField(_("month"))
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.CharField(_("comment"), max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "ratee", "rater"]
        constraints = [
            models.UniqueConstraint(fields=["rater", "ratee", "month"], name="peer_rating_once_a_month"),
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="peer_rating_one_to_five"),
            models.CheckConstraint(condition=~Q(rater=models.F("ratee")), name="peer_rating_not_self"),
        ]
        indexes = [models.Index(fields=["ratee", "month"])]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.rater_id}->{self.ratee_id}: {self.score}"


class AppraisalInput(models.Model):
    """The qualitative appraisal inputs that talent keeps, pushed down per person and month so that the
    appraisal reads them without reaching up a floor: the courses enrolled in the month and how many of them
    are completed, and the role-play drills scored in the month with the sum of their scores (0-100 each).
    Derived data: talent rewrites a person's month whenever an enrolment, a completion or a drill changes it."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="appraisal_inputs")
    month = models.DateField(_("month"))
    courses_enrolled = models.PositiveIntegerField(_("courses enrolled"), default=0)
    courses_completed = models.PositiveIntegerField(_("courses completed"), default=0)
    drills = models.PositiveIntegerField(_("drills scored"), default=0)
    drill_points = models.DecimalField(_("sum of drill scores"), max_digits=9, decimal_places=1,
                                       default=Decimal(0))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-month", "staff"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "month"], name="appraisal_input_once_a_month"),
            models.CheckConstraint(condition=Q(courses_completed__lte=models.F("courses_enrolled")),
                                   name="appraisal_input_completed_within_enrolled"),
            models.CheckConstraint(condition=Q(drill_points__gte=0) & Q(drill_points__lte=models.F("drills") * 100),
                                   name="appraisal_input_drill_points_0_100_each"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.staff_id}"
