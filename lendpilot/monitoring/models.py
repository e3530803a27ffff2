"""Post-loan monitoring tables (FEATURES C3, C5, C6, F3): the end-of-day run log, early-warning rules,
signals, alerts and their interventions, the transaction feed, external events and re-scores, credit-line
reviews, daily portfolio snapshots, month-end delinquency buckets, portfolio alerts, the industry
prosperity series and the industry proposals. Invariants as constraints; workflows in services."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lendpilot.core.reference import Industry
from lendpilot.customers.models import Customer
from lendpilot.lending.models import CreditLine, Loan
from lendpilot.org.models import Staff
from lendpilot.scoring.models import PolicyVersion

MONEY = {"max_digits": 18, "decimal_places": 2}


class RuleSet(models.Model):
    """One version of the early-warning thresholds (JSON of `rules.DEFAULT_RULES` shape); one is active."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    thresholds = models.JSONField(_("thresholds"))
    is_active = models.BooleanField(_("active"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True),
                                               name="monitoring_ruleset_one_active")]

    def __str__(self):
        return f"v{self.version}"


class EodRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Failed")

    class Trigger(models.TextChoices):
        COMMAND = "command", _("Command")
        SCHEDULER = "scheduler", _("Scheduler")
        USER = "user", _("User (page or API)")
        DEMO = "demo", _("Demo bank")

    business_date = models.DateField(_("business date"), unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING, db_index=True)
    # Who started the latest attempt; a scheduled run also keeps the task id of the queue.
    trigger = models.CharField(_("started by"), max_length=10, choices=Trigger.choices, default=Trigger.COMMAND)
    task_id = models.CharField(max_length=64, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    counts = models.JSONField(default=dict)
    seconds = models.FloatField(default=0)
    error = models.TextField(blank=True, default="")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # One entry per attempt (trigger, rerun, the stages it ran with their counts and seconds, its
    # outcome): a resumed or repeated run keeps what every earlier attempt found.
    attempt_log = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-business_date"]

    def __str__(self):
        return f"EOD {self.business_date} {self.status}"


class EodStage(models.Model):
    """One stage of a run; a completed stage is skipped when a killed run is started again."""

    run = models.ForeignKey(EodRun, on_delete=models.CASCADE, related_name="stages")
    stage = models.CharField(max_length=32)
    position = models.PositiveSmallIntegerField(default=0)
    completed = models.BooleanField(default=False)
    counts = models.JSONField(default=dict)
    seconds = models.FloatField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "position"]
        constraints = [models.UniqueConstraint(fields=["run", "stage"], name="monitoring_stage_once_per_run")]

    def __str__(self):
        return f"{self.run_id}:{self.stage}"


class AccountTransaction(models.Model):
    class Direction(models.TextChoices):
        IN = "in", _("Inflow")
        OUT = "out", _("Outflow")

    txn_id = models.CharField(max_length=64, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="account_transactions")
    booked_on = models.DateField()
    direction = models.CharField(max_length=3, choices=Direction.choices)
    amount = models.DecimalField(**MONEY)
    merchant_category = models.CharField(max_length=8, blank=True, default="")
    counterparty = models.CharField(max_length=100, blank=True, default="")
    batch = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        ordering = ["-booked_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="account_txn_amount_positive")]
        indexes = [models.Index(fields=["customer", "direction", "booked_on"]),
                   models.Index(fields=["booked_on", "direction"])]

    def __str__(self):
        return self.txn_id


class ExternalEvent(models.Model):
    class Kind(models.TextChoices):
        COURT_JUDGEMENT = "court_judgement", _("Court judgement")
        ENFORCEMENT = "enforcement", _("Enforcement order")

    reference = models.CharField(max_length=64, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="external_events")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    occurred_on = models.DateField()
    detail = models.CharField(max_length=300, blank=True, default="")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]

    def __str__(self):
        return self.reference


class CustomerScore(models.Model):
    """A behaviour re-score of a customer (from the scoring engine or the bureau refresh)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="rescores")
    scored_on = models.DateField()
    score = models.FloatField()
    source = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        ordering = ["customer", "scored_on", "id"]
        indexes = [models.Index(fields=["customer", "scored_on"])]

    def __str__(self):
        return f"{self.customer_id} {self.scored_on}: {self.score}"


class Alert(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="alerts")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True)
    severity = models.PositiveSmallIntegerField(_("severity"), default=1)  # 1 low .. 4 critical
    tier = models.PositiveSmallIntegerField(_("intervention tier"), default=1)
    planned_tier = models.PositiveSmallIntegerField(default=0)  # the tier whose plan exists
    ruleset = models.ForeignKey(RuleSet, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts")
    opened_on = models.DateField()
    last_signal_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    close_reason = models.CharField(max_length=300, blank=True, default="")
    closed_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-severity", "-tier", "opened_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["loan"], condition=Q(status="open"), name="monitoring_one_open_alert"),
            models.CheckConstraint(condition=Q(severity__gte=1, severity__lte=4) & Q(tier__gte=1, tier__lte=4),
                                   name="monitoring_alert_levels"),
        ]

    def __str__(self):
        return f"alert {self.pk} loan {self.loan_id} S{self.severity}"


class Signal(models.Model):
    class Code(models.TextChoices):
        FIRST_MISSED = "first_missed", _("First missed instalment")
        DPD_BUCKET = "dpd_bucket", _("Days-past-due bucket jump")
        LARGE_OUTFLOW = "large_outflow", _("Large outflow")
        INFLOW_DROP = "inflow_drop", _("Sudden drop of inflows")
        HIGH_RISK_MERCHANT = "high_risk_merchant", _("Transfer to a high-risk merchant category")
        COURT_JUDGEMENT = "court_judgement", _("Court judgement")
        BLACKLIST_HIT = "blacklist_hit", _("New blacklist hit")
        SCORE_DROP = "score_drop", _("Score deterioration")
        SLA_ESCALATION = "sla_escalation", _("Intervention overdue")

    # No index of its own: the unique (loan, code, dedup_key) and (loan, business_date) indexes lead with it.
    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="signals", db_index=False)
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.CASCADE, related_name="signals")
    code = models.CharField(max_length=24, choices=Code.choices)
    dedup_key = models.CharField(max_length=64)
    severity = models.PositiveSmallIntegerField()
    value = models.FloatField(null=True, blank=True)
    evidence = models.JSONField(default=dict)
    business_date = models.DateField(db_index=True)
    ruleset_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["business_date", "id"]
        constraints = [models.UniqueConstraint(fields=["loan", "code", "dedup_key"], name="monitoring_signal_once")]
        indexes = [models.Index(fields=["loan", "business_date"], name="monitoring_signal_loan_day")]

    def __str__(self):
        return f"{self.loan_id}:{self.code}:{self.dedup_key}"


class Intervention(models.Model):
    class Kind(models.TextChoices):
        SMS_REMINDER = "sms_reminder", _("SMS reminder")
        MANAGER_CALL = "manager_call", _("Manager call")
        VISIT = "visit", _("On-site visit")
        COLLATERAL_CHECK = "collateral_check", _("Collateral check")
        LINE_FREEZE = "line_freeze", _("Credit-line freeze")
        COLLECTION = "collection", _("Collection")
        LEGAL = "legal", _("Legal action")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        ESCALATED = "escalated", _("Escalated (SLA passed)")
        CANCELLED = "cancelled", _("Cancelled")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="interventions")
    tier = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=24, choices=Kind.choices)
    owner = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="interventions")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    created_on = models.DateField()
    due_on = models.DateField(db_index=True)
    outcome = models.CharField(max_length=300, blank=True, default="")
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["alert", "tier", "id"]
        constraints = [models.UniqueConstraint(fields=["alert", "tier", "kind"], name="monitoring_step_once")]

    def __str__(self):
        return f"{self.alert_id} T{self.tier} {self.kind}"


class Outbox(models.Model):
    """Messages to send (SMS to a customer, notices to staff); a sender drains it. Keyed so that a
    re-run never queues the same message twice."""

    class Channel(models.TextChoices):
        SMS = "sms", "SMS"
        NOTICE = "notice", _("Staff notice")

    dedup_key = models.CharField(max_length=80, unique=True)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    body = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return self.dedup_key


class CreditLineReview(models.Model):
    class Action(models.TextChoices):
        KEEP = "keep", _("Keep")
        REDUCE = "reduce", _("Reduce")
        FREEZE = "freeze", _("Freeze")

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        PENDING = "pending", _("Awaiting risk officer")
        APPROVED = "approved", _("Approved and applied")
        REJECTED = "rejected", _("Rejected")
        STALE = "stale", _("Superseded")

    line = models.ForeignKey(CreditLine, on_delete=models.CASCADE, related_name="reviews")
    business_date = models.DateField(db_index=True)
    action = models.CharField(max_length=8, choices=Action.choices)
    current_limit = models.DecimalField(**MONEY)
    proposed_limit = models.DecimalField(**MONEY)
    reasons = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, db_index=True)
    decided_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-business_date", "-id"]
        constraints = [models.UniqueConstraint(fields=["line", "business_date"], name="monitoring_review_once")]

    def __str__(self):
        return f"{self.line_id} {self.business_date} {self.action}"

    @property
    def reason_texts(self) -> list[str]:
        """Why the line is reviewed, in the reader's language (the codes stay in `reasons` and the API)."""
        texts = []
        for reason in self.reasons or []:
            code = reason.get("code")
            if code == "dpd":
                texts.append(str(_("%(days)s days past due")) % {"days": reason.get("days_past_due")})
            elif code == "score":
                texts.append(str(_("score %(score)s below the floor")) % {"score": reason.get("score")})
            elif code == "industry":
                industry = reason.get("industry", "")
                texts.append(str(_("industry tightened: %(industry)s")) % {
                    "industry": dict(Industry.choices).get(industry, industry)})
            else:
                texts.append(str(code))
        return texts


class PortfolioSnapshot(models.Model):
    """Daily figures per segment. dimension: all, product, region, team, manager, industry, tier, class."""

    business_date = models.DateField()
    dimension = models.CharField(max_length=12)
    key = models.CharField(max_length=40)
    loans = models.PositiveIntegerField(default=0)
    balance = models.DecimalField(**MONEY)
    overdue_loans = models.PositiveIntegerField(default=0)
    overdue_balance = models.DecimalField(**MONEY)
    npl_loans = models.PositiveIntegerField(default=0)
    npl_balance = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["business_date", "dimension", "key"]
        constraints = [models.UniqueConstraint(fields=["business_date", "dimension", "key"],
                                               name="monitoring_snapshot_once")]
        indexes = [models.Index(fields=["dimension", "key", "business_date"])]

    def __str__(self):
        return f"{self.business_date} {self.dimension}={self.key}"


class LoanMonthBucket(models.Model):
    """Month-end delinquency bucket of every active loan (0 current, 1 1-30, 2 31-60, 3 61-90, 4 90+): the
    base of roll rates, vintages and industry default rates."""

    month = models.DateField()
    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="+")
    bucket = models.PositiveSmallIntegerField()
    balance = models.DecimalField(**MONEY)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "loan"], name="monitoring_bucket_once")]

    def __str__(self):
        return f"{self.month} {self.loan_id}: {self.bucket}"


PORTFOLIO_METRIC_LABELS = {"overdue_rate": _("Overdue rate"), "npl_rate": _("NPL ratio")}


class PortfolioAlert(models.Model):
    business_date = models.DateField()
    segment = models.CharField(max_length=60)
    metric = models.CharField(max_length=16)  # overdue_rate, npl_rate
    value = models.FloatField()
    centre = models.FloatField()
    upper = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-business_date", "segment"]
        constraints = [models.UniqueConstraint(fields=["business_date", "segment", "metric"],
                                               name="monitoring_portfolio_alert_once")]

    def __str__(self):
        return f"{self.business_date} {self.segment} {self.metric}"

    @property
    def metric_label(self) -> str:
        return str(PORTFOLIO_METRIC_LABELS.get(self.metric, self.metric))

    @property
    def segment_label(self) -> str:
        """The book the breach is in: the whole bank or a product, by its name in the reader's language."""
        dimension, _sep, key = self.segment.partition(":")
        if dimension == "all":
            return str(_("Whole bank"))
        if dimension == "product" and key.isdigit():
            from lendpilot.products.models import Product

            product = Product.objects.filter(pk=int(key)).first()
            if product is not None:
                return product.name
        return self.segment


class ProsperityIndex(models.Model):
    industry = models.CharField(max_length=1, choices=Industry.choices)
    month = models.DateField()
    value = models.FloatField()
    source = models.CharField(max_length=60, blank=True, default="")

    class Meta:
        ordering = ["industry", "month"]
        constraints = [models.UniqueConstraint(fields=["industry", "month"], name="monitoring_index_once")]

    def __str__(self):
        return f"{self.industry} {self.month}: {self.value}"


class IndustryProposal(models.Model):
    class Admission(models.TextChoices):
        TIGHTEN = "tighten", _("Tighten")
        KEEP = "keep", _("Keep")
        LOOSEN = "loosen", _("Loosen")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    month = models.DateField()
    industry = models.CharField(max_length=1, choices=Industry.choices)
    default_rate = models.FloatField()
    correlation = models.FloatField(null=True, blank=True)
    lead_months = models.SmallIntegerField(default=0)
    index_trend = models.FloatField(default=0)
    admission = models.CharField(max_length=8, choices=Admission.choices)
    premium_bps = models.IntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    policy_version = models.ForeignKey(PolicyVersion, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    decided_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-month", "industry"]
        constraints = [models.UniqueConstraint(fields=["month", "industry"], name="monitoring_proposal_once")]

    def __str__(self):
        return f"{self.month} {self.industry} {self.admission}"
