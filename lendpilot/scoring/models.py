"""Scoring tables (FEATURES C4, D6, E1): scorecard versions with their points tables and quality
report, versioned policy rules, blacklists, the log of every pre-screen decision, and monthly
monitoring snapshots."""

import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lendpilot.core.reference import ProductCategory

# How `services.history` names the training data of a version trained on the bank's own history.
HISTORY_SOURCE = re.compile(r"history: (?P<rows>\d+) applicants with outcomes")


class ScorecardVersion(models.Model):
    """One trained scorecard for a product family. Trained (or submitted) by one risk officer,
    activated by another; at most one active version per family; old versions stay for audit."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")
        REJECTED = "rejected", _("Rejected")

    family = models.CharField(_("product family"), max_length=32, choices=ProductCategory.choices)
    number = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=100, blank=True, default="")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    source = models.CharField(_("training data"), max_length=200, blank=True, default="")
    source_sha256 = models.CharField(max_length=64, blank=True, default="")
    config = models.JSONField(_("training settings"), default=dict)
    table = models.JSONField(_("points table"), default=dict)
    training_summary = models.JSONField(_("training data summary"), default=dict)
    metrics = models.JSONField(_("quality report"), default=dict)
    trained_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("trained by"))
    trained_at = models.DateTimeField(_("trained at"), auto_now_add=True)
    activated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("activated by"))
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        ordering = ["family", "-number"]
        verbose_name = _("scorecard version")
        verbose_name_plural = _("scorecard versions")
        constraints = [
            models.UniqueConstraint(fields=["family", "number"], name="scorecard_number_per_family"),
            models.UniqueConstraint(fields=["family"], condition=models.Q(status="active"),
                                    name="scorecard_one_active_per_family"),
        ]

    def __str__(self):
        return f"{self.family} v{self.number}"

    @property
    def label(self) -> str:
        """The version as readers name it: the product family's label and the number."""
        return f"{self.get_family_display()} v{self.number}"

    @property
    def own_name(self) -> str:
        """The name the officer gave the version, or "" when it is the generated `<family> v<number>` one."""
        generated = f"{self.family} v{self.number}"
        return "" if not self.name or self.name == generated or self.name.startswith(f"{generated} (") else self.name

    @property
    def source_label(self) -> str:
        """What the version was trained on: the bank's history (with its number of applicants) or the file's name."""
        match = HISTORY_SOURCE.fullmatch(self.source or "")
        if match:
            return gettext("bank history: %(rows)s applicants with known outcomes") % {"rows": match["rows"]}
        return self.source

    @property
    def cv_auc(self) -> float | None:
        return (self.metrics.get("cv") or {}).get("mean", {}).get("auc")

    @property
    def reference_auc(self) -> float | None:
        """The validated AUC that monitoring compares against: CV when available, else the holdout."""
        return self.cv_auc or (self.metrics.get("holdout") or {}).get("auc")


class PolicyVersion(models.Model):
    """A published set of hard rules (E1). Publishing a new version retires the previous one; every
    decision stores the version that applied."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")

    number = models.PositiveIntegerField(_("version"), unique=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    rules = models.JSONField(_("rules"), default=dict)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("published by"))
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        constraints = [
            models.UniqueConstraint(fields=["status"], condition=models.Q(status="active"),
                                    name="policy_one_active"),
        ]

    def __str__(self):
        return f"policy v{self.number}"


class BlacklistImport(models.Model):
    """One load of a blacklist: an industry-shared file or an internal batch."""

    source = models.CharField(_("source"), max_length=100)
    file_name = models.CharField(_("file"), max_length=200, blank=True, default="")
    rows = models.PositiveIntegerField(_("rows"), default=0)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = _("blacklist import")
        verbose_name_plural = _("blacklist imports")

    def __str__(self):
        return f"{self.source} ({self.rows})"


class BlacklistEntry(models.Model):
    """An identifier that must be declined. Only the keyed hash of the normalised identifier is kept,
    the same hash as on customers, so lists match without holding plaintext."""

    class Kind(models.TextChoices):
        ID_NUMBER = "id_number", _("ID number")
        CREDIT_CODE = "credit_code", _("Unified social credit code")
        PHONE = "phone", _("Mobile phone")

    class Source(models.TextChoices):
        INTERNAL = "internal", _("Internal")
        INDUSTRY = "industry", _("Industry-shared list")

    kind = models.CharField(_("identifier"), max_length=16, choices=Kind.choices)
    value_hash = models.CharField(max_length=64)
    masked = models.CharField(_("identifier (masked)"), max_length=30, blank=True, default="")
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    list_name = models.CharField(_("list"), max_length=100, blank=True, default="")
    reason = models.CharField(_("reason"), max_length=200, blank=True, default="")
    batch = models.ForeignKey(BlacklistImport, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="entries")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-added_at"]
        verbose_name = _("blacklist entry")
        verbose_name_plural = _("blacklist entries")
        constraints = [
            models.UniqueConstraint(fields=["kind", "value_hash", "source", "list_name"],
                                    name="blacklist_entry_once_per_list"),
        ]
        indexes = [models.Index(fields=["value_hash", "is_active"])]

    def __str__(self):
        return f"{self.kind} {self.masked}"


class PrescreenLog(models.Model):
    """Every pre-screen decision with the scorecard and policy versions that made it (D6, E1). The
    applicant's characteristics are kept (no identifiers) so monitoring can re-bin the population;
    `outcome_bad` is filled once the case has matured."""

    class Decision(models.TextChoices):
        PASS = "pass", _("Pass")
        DECLINE = "decline", _("Decline")

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    month = models.DateField(_("month"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="prescreens")
    product = models.ForeignKey("products.Product", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="prescreens")
    amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    term_months = models.PositiveSmallIntegerField(null=True, blank=True)
    # no index of its own: the (scorecard_version, month) index leads with it, and every index is one
    # more write on the busiest insert of the system
    scorecard_version = models.ForeignKey(ScorecardVersion, on_delete=models.PROTECT, related_name="prescreens",
                                          db_index=False)
    policy_version = models.ForeignKey(PolicyVersion, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="prescreens")
    score = models.FloatField()
    pd = models.FloatField()
    grade = models.CharField(max_length=1)
    decision = models.CharField(max_length=16, choices=Decision.choices)
    declines = models.JSONField(default=list)
    reasons = models.JSONField(default=list)
    approvable_amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    approval_probability = models.FloatField(null=True, blank=True)
    bins = models.JSONField(default=list)
    inputs = models.JSONField(default=dict)
    outcome_bad = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("pre-screen")
        verbose_name_plural = _("pre-screens")
        indexes = [models.Index(fields=["scorecard_version", "month"])]

    def __str__(self):
        return f"prescreen #{self.pk} {self.grade} {self.decision}"


class CreditHistory(models.Model):
    """One booked applicant of the lender's own history (C4): the characteristics the pre-screen
    collects, as entered at application time (raw values, not bins, so any future scorecard can be
    re-binned from them), and whether the loan defaulted within the outcome window. A risk officer
    trains new scorecards on these rows (`train_scorecard --history`)."""

    month = models.DateField(_("application month"))
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    monthly_income = models.DecimalField(_("monthly income (CNY)"), max_digits=16, decimal_places=2)
    debt_to_income = models.FloatField(_("debt-to-income"))
    employment_years = models.FloatField(_("years employed"), null=True, blank=True)
    bureau_inquiries_6m = models.PositiveSmallIntegerField(_("bureau inquiries in 6 months"), null=True, blank=True)
    bureau_overdue_24m = models.PositiveSmallIntegerField(_("overdue records in 24 months"), null=True, blank=True)
    credit_history_months = models.PositiveSmallIntegerField(_("credit history (months)"), null=True, blank=True)
    industry = models.CharField(_("industry"), max_length=2, blank=True, default="")
    outcome_months = models.PositiveSmallIntegerField(_("outcome window (months)"), default=12)
    bad = models.BooleanField(_("defaulted in the window"))
    source = models.CharField(_("source"), max_length=100, blank=True, default="")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["month", "id"]
        verbose_name = _("credit history row")
        verbose_name_plural = _("credit history")
        constraints = [
            models.CheckConstraint(condition=models.Q(monthly_income__gte=0) & models.Q(debt_to_income__gte=0),
                                   name="credit_history_not_negative"),
        ]
        indexes = [models.Index(fields=["month"])]

    def __str__(self):
        return f"history {self.month:%Y-%m} #{self.pk}"


class MonitoringSnapshot(models.Model):
    """The stability and quality of one scorecard version in one month (PSI, CSI, KS, AUC)."""

    scorecard_version = models.ForeignKey(ScorecardVersion, on_delete=models.CASCADE, related_name="snapshots")
    month = models.DateField(_("month"))
    population = models.PositiveIntegerField(default=0)
    psi = models.FloatField(null=True, blank=True)
    csi = models.JSONField(default=dict)
    matured = models.PositiveIntegerField(default=0)
    auc = models.FloatField(null=True, blank=True)
    ks = models.FloatField(null=True, blank=True)
    alerts = models.JSONField(default=list)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scorecard_version", "month"]
        verbose_name = _("monitoring snapshot")
        verbose_name_plural = _("monitoring snapshots")
        constraints = [
            models.UniqueConstraint(fields=["scorecard_version", "month"], name="monitoring_once_per_month"),
        ]

    def __str__(self):
        return f"{self.scorecard_version} {self.month:%Y-%m}"
