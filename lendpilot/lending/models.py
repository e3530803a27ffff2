"""Lending tables (FEATURES C1, C2, C3, X1, X2): applications and their approval, collateral, the pre-loan
checklist, cross-checks, the authority matrix, contracts, loans with their instalments, repayments,
credit lines and classification changes. Invariants live here as constraints; workflows in services."""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lendpilot.core.reference import RepaymentMethod
from lendpilot.customers.models import Customer
from lendpilot.org.models import Staff
from lendpilot.products.models import Product

MONEY = {"max_digits": 16, "decimal_places": 2}
RATE = {"max_digits": 7, "decimal_places": 6}


class RiskGrade(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"
    E = "E", "E"


class ApprovalLevel(models.IntegerChoices):
    INITIAL = 1, _("Initial review")
    SECONDARY = 2, _("Secondary review")
    FINAL = 3, _("Final approval")
    DIRECTOR = 4, _("Director")


class LoanClass(models.IntegerChoices):
    NORMAL = 1, pgettext_lazy("loan risk class", "Normal")
    SPECIAL_MENTION = 2, pgettext_lazy("loan risk class", "Special mention")
    SUBSTANDARD = 3, pgettext_lazy("loan risk class", "Substandard")
    DOUBTFUL = 4, pgettext_lazy("loan risk class", "Doubtful")
    LOSS = 5, pgettext_lazy("loan risk class", "Loss")


class AuthorityMatrix(models.Model):
    """One version of the approval rules (JSON of `lendpilot.lending.authority.AuthorityRules`). Exactly one
    version is active; a case keeps the version it was routed by."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    rules = models.JSONField(_("rules"))
    is_active = models.BooleanField(_("active"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    created_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("authority matrix")
        verbose_name_plural = _("authority matrices")
        constraints = [models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True),
                                               name="authority_matrix_one_active")]

    def __str__(self):
        return f"v{self.version}"


class ChecklistItem(models.Model):
    """A pre-loan check a product requires (a document or a verification) before a case may be submitted."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", _("Document")
        VERIFICATION = "verification", _("Verification")

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="checklist_items")
    code = models.CharField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.DOCUMENT)
    required = models.BooleanField(_("required"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["product", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["product", "code"], name="checklist_item_code_per_product")]

    def __str__(self):
        return self.label


class Application(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        RETURNED = "returned", _("Returned for information")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        CONTRACTED = "contracted", _("Contract issued")
        SIGNED = "signed", _("Signed")
        DISBURSED = "disbursed", _("Disbursed")

    number = models.CharField(_("number"), max_length=24, unique=True)
    applicant = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="applications",
                                  verbose_name=_("applicant"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="applications",
                                verbose_name=_("product"))
    amount = models.DecimalField(_("amount (CNY)"), **MONEY)
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    repayment_method = models.CharField(_("repayment method"), max_length=32, choices=RepaymentMethod.choices)
    annual_rate = models.DecimalField(_("annual rate"), **RATE)
    fee_amount = models.DecimalField(_("upfront fees (CNY)"), default=Decimal("0.00"), **MONEY)
    purpose = models.CharField(_("purpose"), max_length=200)
    # A best, E worst. The application page takes it from the pre-screen engine (score, scorecard and
    # policy versions stored beside it); imports and the API may still carry a grade decided elsewhere.
    risk_grade = models.CharField(_("risk grade"), max_length=1, choices=RiskGrade.choices)
    score = models.FloatField(_("score"), null=True, blank=True)
    scorecard_version = models.ForeignKey("scoring.ScorecardVersion", null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+",
                                          verbose_name=_("scorecard version"))
    policy_version = models.ForeignKey("scoring.PolicyVersion", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+", verbose_name=_("policy rules version"))
    prescreen = models.ForeignKey("scoring.PrescreenLog", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("pre-screen"))
    monthly_income = models.DecimalField(_("monthly income (CNY)"), **MONEY)
    monthly_debt_payments = models.DecimalField(_("existing monthly debt payments (CNY)"), **MONEY)
    # The collateral value the account manager stated for the pre-screen, shown (and used for the
    # loan-to-value) until valued collateral is registered on the case.
    stated_collateral_value = models.DecimalField(_("stated collateral value (CNY)"), null=True, blank=True,
                                                  **MONEY)
    dti = models.DecimalField(_("debt-to-income"), max_digits=7, decimal_places=4, null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT,
                              db_index=True)
    created_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    submission_round = models.PositiveSmallIntegerField(default=0)
    matrix = models.ForeignKey(AuthorityMatrix, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    route = models.JSONField(_("approval route"), default=list)
    step = models.PositiveSmallIntegerField(default=0)  # index into route of the level now deciding
    current_level = models.PositiveSmallIntegerField(null=True, blank=True, choices=ApprovalLevel.choices,
                                                     db_index=True)
    decline_recommended = models.BooleanField(default=False)
    stage_started_on = models.DateField(null=True, blank=True)
    stage_due_on = models.DateField(_("decision due"), null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    rate_approval_needed = models.BooleanField(default=False)
    rate_approved_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    conditions = models.JSONField(_("approval conditions"), default=dict, blank=True)
    # The listed channel partner that brought the case in (助贷/联合贷): its joint-lending share and the
    # concentration limits are checked when the loan is booked.
    partner = models.ForeignKey("channels.Partner", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("channel partner"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("loan application")
        verbose_name_plural = _("loan applications")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="application_amount_positive"),
            models.CheckConstraint(condition=Q(term_months__gte=1), name="application_term_positive"),
            models.CheckConstraint(condition=Q(annual_rate__gte=0) & Q(annual_rate__lte=Decimal("0.36")),
                                   name="application_rate_range"),
            models.CheckConstraint(condition=Q(monthly_income__gte=0) & Q(monthly_debt_payments__gte=0)
                                   & Q(fee_amount__gte=0), name="application_money_not_negative"),
        ]
        indexes = [models.Index(fields=["status", "current_level", "stage_due_on"])]

    def __str__(self):
        return self.number


class StatusChange(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="status_history")
    from_status = models.CharField(max_length=16, blank=True, default="")
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=500, blank=True, default="")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        # The command centre counts moves into a status per day (approval rate, B9).
        indexes = [models.Index(fields=["to_status", "at"])]

    def __str__(self):
        return f"{self.application_id}: {self.from_status} -> {self.to_status}"


class Decision(models.Model):
    class Outcome(models.TextChoices):
        APPROVE = "approve", _("Approve")
        APPROVE_WITH_CONDITIONS = "approve_with_conditions", _("Approve with conditions")
        RETURN = "return", _("Return for information")
        REJECT = "reject", _("Reject")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="decisions")
    submission_round = models.PositiveSmallIntegerField()
    step = models.PositiveSmallIntegerField()
    level = models.PositiveSmallIntegerField(choices=ApprovalLevel.choices)
    outcome = models.CharField(max_length=32, choices=Outcome.choices)
    approver = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="lending_decisions")
    reason = models.TextField(blank=True, default="")
    conditions = models.JSONField(default=dict, blank=True)
    override = models.BooleanField(default=False)
    decided_at = models.DateTimeField(auto_now_add=True)
    within_sla = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]
        # One decision per step of a submission: the second of two concurrent approvers is refused here.
        constraints = [models.UniqueConstraint(fields=["application", "submission_round", "step"],
                                               name="decision_once_per_step")]

    def __str__(self):
        return f"{self.application_id} L{self.level}: {self.outcome}"


class Collateral(models.Model):
    class Kind(models.TextChoices):
        REAL_ESTATE = "real_estate", _("Real estate")
        VEHICLE = "vehicle", _("Vehicle")
        EQUIPMENT = "equipment", _("Equipment")
        DEPOSIT = "deposit", _("Deposit")
        RECEIVABLES = "receivables", _("Receivables")
        GUARANTEE = "guarantee", _("Guarantee")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="collateral")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=200)
    valuation = models.DecimalField(_("valuation (CNY)"), **MONEY)
    valuer = models.CharField(_("valuer"), max_length=100)
    valued_on = models.DateField(_("valued on"))

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(valuation__gt=0), name="collateral_valuation_positive")]

    def __str__(self):
        return self.description


class ChecklistEntry(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="checklist")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    done = models.BooleanField(default=False)
    evidence = models.CharField(max_length=300, blank=True, default="")
    done_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["item__position", "id"]
        constraints = [models.UniqueConstraint(fields=["application", "item"], name="checklist_entry_once")]

    def __str__(self):
        return f"{self.application_id}: {self.item_id} {'done' if self.done else 'open'}"


class CrossCheck(models.Model):
    class Kind(models.TextChoices):
        INCOME_VS_TAX = "income_vs_tax", _("Stated income vs tax records")
        INCOME_VS_BANK_FLOW = "income_vs_bank_flow", _("Stated income vs bank flows")
        IDENTITY_VS_BUREAU = "identity_vs_bureau", _("Identity vs credit bureau")
        COLLATERAL_VS_REGISTRY = "collateral_vs_registry", _("Collateral vs registry")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="cross_checks")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    passed = models.BooleanField()
    stated = models.CharField(max_length=100, blank=True, default="")
    observed = models.CharField(max_length=100, blank=True, default="")
    evidence = models.CharField(max_length=300)
    checked_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.kind}: {'pass' if self.passed else 'fail'}"


class Contract(models.Model):
    class Status(models.TextChoices):
        GENERATED = "generated", _("Generated")
        SIGNED = "signed", _("Signed")
        DISBURSED = "disbursed", _("Disbursed")

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="contract")
    number = models.CharField(max_length=24, unique=True)
    principal = models.DecimalField(**MONEY)
    annual_rate = models.DecimalField(**RATE)
    apr = models.DecimalField(_("annualised rate (APR)"), **RATE)
    term_months = models.PositiveSmallIntegerField()
    repayment_method = models.CharField(max_length=32, choices=RepaymentMethod.choices)
    schedule = models.JSONField(default=list)
    disclosures = models.JSONField(default=dict)
    # The product's money terms as they stood when the contract was generated (issue 15).
    product_terms_version = models.PositiveIntegerField(default=1)
    penalty_multiplier = models.DecimalField(max_digits=5, decimal_places=3, default=Decimal("1.500"))
    allocation_order = models.CharField(max_length=40, default="penalty,interest,principal")
    roll_business_days = models.BooleanField(default=True)
    settlement_fee_rate = models.DecimalField(max_digits=7, decimal_places=6, default=Decimal("0"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.GENERATED)
    generated_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    generated_at = models.DateTimeField(auto_now_add=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_recorded_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Above the configured amount a payout takes two people: one requests it, another confirms it.
    disbursement_requested_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT,
                                                  related_name="+")
    disbursement_requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return self.number


class CreditLine(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        REDUCED = "reduced", _("Reduced")
        FROZEN = "frozen", _("Frozen")

    number = models.CharField(max_length=24, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="credit_lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="credit_lines")
    limit = models.DecimalField(_("limit (CNY)"), **MONEY)
    utilised = models.DecimalField(_("utilised (CNY)"), default=Decimal("0.00"), **MONEY)
    annual_rate = models.DecimalField(**RATE)
    expires_on = models.DateField(_("expires on"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    status_reason = models.CharField(max_length=300, blank=True, default="")
    created_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(limit__gte=0), name="credit_line_limit_not_negative"),
            # A reduced limit may fall below what is already drawn (no new draws until repaid), so
            # "utilised <= limit" is enforced by the draw's conditional UPDATE, not by a constraint.
            models.CheckConstraint(condition=Q(utilised__gte=0), name="credit_line_utilised_not_negative"),
        ]

    def __str__(self):
        return self.number

    @property
    def available(self) -> Decimal:
        return max(Decimal("0.00"), self.limit - self.utilised)


class Loan(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SETTLED = "settled", _("Settled")

    number = models.CharField(max_length=24, unique=True)
    contract = models.OneToOneField(Contract, null=True, blank=True, on_delete=models.PROTECT, related_name="loan")
    credit_line = models.ForeignKey(CreditLine, null=True, blank=True, on_delete=models.PROTECT, related_name="loans")
    borrower = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="loans")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="loans")
    principal = models.DecimalField(**MONEY)
    annual_rate = models.DecimalField(**RATE)
    penalty_multiplier = models.DecimalField(max_digits=5, decimal_places=3, default=Decimal("1.500"))
    allocation_order = models.CharField(max_length=40, default="penalty,interest,principal")
    settlement_fee_rate = models.DecimalField(max_digits=7, decimal_places=6, default=Decimal("0"))
    term_months = models.PositiveSmallIntegerField()
    repayment_method = models.CharField(max_length=32, choices=RepaymentMethod.choices)
    disbursed_on = models.DateField()
    outstanding_principal = models.DecimalField(**MONEY)
    # Cash received beyond what was due and not declared a prepayment: it pays instalments as they fall
    # due, settles the loan, or is refunded; it never pays interest that is not yet due.
    unapplied_credit = models.DecimalField(_("unapplied credit (CNY)"), default=Decimal("0.00"), **MONEY)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    days_past_due = models.PositiveIntegerField(default=0)
    dpd_as_of = models.DateField(null=True, blank=True)
    risk_class = models.PositiveSmallIntegerField(choices=LoanClass.choices, default=LoanClass.NORMAL, db_index=True)
    manual_class = models.PositiveSmallIntegerField(choices=LoanClass.choices, null=True, blank=True)
    manual_reason = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(principal__gt=0), name="loan_principal_positive"),
            models.CheckConstraint(condition=Q(outstanding_principal__gte=0)
                                   & Q(outstanding_principal__lte=F("principal")), name="loan_outstanding_range"),
        ]
        # Today's figures of the command centre are read by date from the raw tables (B9).
        indexes = [models.Index(fields=["disbursed_on"])]

    def __str__(self):
        return self.number


class OpenAmounts:
    """What is still open on an instalment; shared by the model and the import's light row objects."""

    __slots__ = ()  # the import's row objects keep theirs
    principal_due: Decimal
    principal_paid: Decimal
    interest_due: Decimal
    interest_paid: Decimal
    penalty_accrued: Decimal
    penalty_paid: Decimal

    @property
    def principal_open(self) -> Decimal:
        return self.principal_due - self.principal_paid

    @property
    def interest_open(self) -> Decimal:
        return self.interest_due - self.interest_paid

    @property
    def penalty_open(self) -> Decimal:
        return self.penalty_accrued - self.penalty_paid


class Instalment(OpenAmounts, models.Model):
    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="instalments")
    seq = models.PositiveSmallIntegerField()
    due_date = models.DateField()
    # The due date as a day number (date.toordinal()) so that days past due is integer arithmetic in SQL,
    # the same on SQLite and PostgreSQL.
    due_day = models.IntegerField()
    principal_due = models.DecimalField(**MONEY)
    interest_due = models.DecimalField(**MONEY)
    principal_paid = models.DecimalField(default=Decimal("0.00"), **MONEY)
    interest_paid = models.DecimalField(default=Decimal("0.00"), **MONEY)
    penalty_accrued = models.DecimalField(default=Decimal("0.00"), **MONEY)
    penalty_paid = models.DecimalField(default=Decimal("0.00"), **MONEY)
    penalty_through = models.DateField(null=True, blank=True)
    is_settled = models.BooleanField(default=False)

    class Meta:
        ordering = ["loan", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "seq"], name="instalment_seq_per_loan"),
            models.CheckConstraint(condition=Q(principal_paid__lte=F("principal_due"))
                                   & Q(interest_paid__lte=F("interest_due"))
                                   & Q(penalty_paid__lte=F("penalty_accrued")), name="instalment_not_overpaid"),
        ]
        indexes = [models.Index(fields=["loan", "is_settled", "due_day"]), models.Index(fields=["due_date"])]

    def __str__(self):
        return f"{self.loan_id}#{self.seq}"


class Repayment(models.Model):
    class Source(models.TextChoices):
        API = "api", _("API")
        CSV = "csv", _("CSV import")
        MANUAL = "manual", _("Manual")
        DEMO = "demo", _("Demo")

    class Kind(models.TextChoices):
        REGULAR = "regular", _("Regular")
        PREPAYMENT = "prepayment", _("Early repayment")
        SETTLEMENT = "settlement", _("Early settlement")

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="repayments")
    # The core-banking reference: a repayment is posted once, however often the feed repeats it.
    external_ref = models.CharField(max_length=64, unique=True)
    amount = models.DecimalField(**MONEY)
    value_date = models.DateField()
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.REGULAR)
    penalty_part = models.DecimalField(default=Decimal("0.00"), **MONEY)
    interest_part = models.DecimalField(default=Decimal("0.00"), **MONEY)
    principal_part = models.DecimalField(default=Decimal("0.00"), **MONEY)
    fee_part = models.DecimalField(default=Decimal("0.00"), **MONEY)
    unapplied = models.DecimalField(default=Decimal("0.00"), **MONEY)
    # The loan's earlier credit spent with this repayment: parts = amount + credit_used - unapplied.
    credit_used = models.DecimalField(default=Decimal("0.00"), **MONEY)
    # A back-dated repayment re-values the loan from its value date; what changed is kept here for the
    # loan's history (penalty taken back and re-accrued, days past due and class before and after).
    revaluation = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.API)
    batch = models.CharField(max_length=40, blank=True, default="")
    posted_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-value_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="repayment_amount_positive"),
            # Every fen is allocated. Within half a fen, because SQLite keeps decimals as floating point.
            models.CheckConstraint(
                condition=Q(amount__lte=F("penalty_part") + F("interest_part") + F("principal_part") + F("fee_part")
                            + F("unapplied") - F("credit_used") + Decimal("0.005"))
                & Q(amount__gte=F("penalty_part") + F("interest_part") + F("principal_part") + F("fee_part")
                    + F("unapplied") - F("credit_used") - Decimal("0.005")),
                name="repayment_fully_allocated"),
        ]
        indexes = [models.Index(fields=["loan", "value_date"]), models.Index(fields=["value_date"])]

    def __str__(self):
        return self.external_ref


class ClassificationChange(models.Model):
    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        PENDING = "pending", _("Awaiting second approver")
        REJECTED = "rejected", _("Rejected")

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="class_changes")
    from_class = models.PositiveSmallIntegerField(choices=LoanClass.choices)
    to_class = models.PositiveSmallIntegerField(choices=LoanClass.choices)
    reason = models.CharField(max_length=300)
    requested_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"{self.loan_id}: {self.from_class} -> {self.to_class} ({self.status})"
