"""Channel partner tables: the partner and its place on the published list, its admission applications with
due-diligence documents, cooperation terms, tier history, the loan facts that higher packages push down, and
the quarterly review with probation and delisting."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 16, "decimal_places": 2}
RATE = {"max_digits": 7, "decimal_places": 6}


class Partner(models.Model):
    """A channel partner (broker, dealer, platform). Its portal logins are org.Staff with the channel-partner
    role; `login` is the one that submits. On the published list while active or on probation."""

    class Kind(models.TextChoices):
        BROKER = "broker", _("Broker")
        DEALER = "dealer", _("Dealer")
        PLATFORM = "platform", _("Platform")

    class Status(models.TextChoices):
        APPLYING = "applying", _("Applying")
        ACTIVE = "active", _("Active")
        PROBATION = "probation", _("On probation")
        REJECTED = "rejected", _("Rejected")
        DELISTED = "delisted", _("Delisted")

    LISTED = (Status.ACTIVE, Status.PROBATION)

    name = models.CharField(_("name"), max_length=120)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    login = models.OneToOneField("org.Staff", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="channel_partner")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.APPLYING)
    tier = models.CharField(_("tier"), max_length=10, default="bronze")
    listed_on = models.DateField(null=True, blank=True)
    delisted_on = models.DateField(null=True, blank=True)
    probation_since = models.DateField(null=True, blank=True)
    improvement_plan = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_listed(self) -> bool:
        return self.status in self.LISTED


class Application(models.Model):
    """An admission application: the criteria checklist, its assessment, and head office's decision."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting head office")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="applications")
    licence_held = models.BooleanField(_("licence held"))
    licence_number = models.CharField(_("licence number"), max_length=60, blank=True, default="")
    registered_capital = models.DecimalField(_("registered capital"), **MONEY)
    regulatory_penalties = models.PositiveIntegerField(_("regulatory penalties in three years"))
    complaints_per_10k = models.DecimalField(_("complaints per 10,000 customers"), max_digits=8, decimal_places=2)
    data_security_grade = models.CharField(_("data-security assessment"), max_length=1)
    score = models.PositiveIntegerField(default=0)
    gates = models.JSONField(default=list)
    points = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    submitted_by = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    decided_by = models.ForeignKey("org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [models.UniqueConstraint(fields=["partner"], condition=Q(status="submitted"),
                                               name="channels_one_open_application")]

    def __str__(self):
        return f"{self.partner_id} {self.status}"


class Document(models.Model):
    """A due-diligence document received with an application (its reference in the document store)."""

    class Kind(models.TextChoices):
        LICENCE = "licence", _("Business licence")
        FINANCIALS = "financials", _("Audited financial statements")
        COMPLIANCE = "compliance", _("Compliance and penalty record")
        COMPLAINTS = "complaints", _("Complaint statistics")
        SECURITY = "security", _("Data-security assessment report")
        ONSITE = "onsite", _("On-site visit report")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    reference = models.CharField(_("document reference"), max_length=120)

    def __str__(self):
        return f"{self.kind} {self.reference}"


class Terms(models.Model):
    """What a partner may do: the products it may sell, its fees under the cap, credit enhancement and its
    funding share of joint loans."""

    class Enhancement(models.TextChoices):
        NONE = "none", _("None")
        GUARANTEE = "guarantee", _("Guarantee")
        INSURANCE = "insurance", _("Credit insurance")
        DEPOSIT = "deposit", _("Margin deposit")

    partner = models.OneToOneField(Partner, on_delete=models.CASCADE, related_name="terms")
    products = models.ManyToManyField("products.Product", blank=True, related_name="+")
    fee_rate = models.DecimalField(_("service fee rate"), **RATE)
    fee_cap = models.DecimalField(_("fee cap"), **RATE)
    enhancement = models.CharField(max_length=10, choices=Enhancement.choices, default=Enhancement.NONE)
    enhancement_fee_rate = models.DecimalField(_("credit-enhancement fee rate"), default=Decimal("0"), **RATE)
    joint_share = models.DecimalField(_("partner funding share of joint loans"), default=Decimal("0.30"), **RATE)
    set_by = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    def __str__(self):
        return f"terms of {self.partner_id}"


# The reason a partner's first tier change records (translated when shown).
FIRST_PLACEMENT = "first placement"


class TierChange(models.Model):
    """One move (or confirmation at first placement) of a partner's tier at a monthly re-tiering."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="tier_changes")
    month = models.DateField()
    from_tier = models.CharField(max_length=10, blank=True, default="")
    to_tier = models.CharField(max_length=10)
    reasons = models.JSONField(default=list)
    metrics = models.JSONField(default=dict)

    class Meta:
        ordering = ["-month", "partner_id"]
        constraints = [models.UniqueConstraint(fields=["partner", "month"], name="channels_tier_change_once")]

    def __str__(self):
        return f"{self.partner_id} {self.month} {self.to_tier}"

    @property
    def reason_texts(self) -> list[str]:
        """The reasons in the reader's language; the first placement is stored as `FIRST_PLACEMENT`, the other
        reasons in the words of the re-tiering."""
        return [gettext("first placement") if reason == FIRST_PLACEMENT else reason for reason in self.reasons]


class MonthFact(models.Model):
    """A partner's funnel, book and conduct in one month, pushed down by lending and monitoring in the EOD."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="month_facts")
    month = models.DateField()
    leads = models.PositiveIntegerField(default=0)
    applications = models.PositiveIntegerField(default=0)
    approved = models.PositiveIntegerField(default=0)
    loans = models.PositiveIntegerField(default=0)
    disbursed = models.DecimalField(default=Decimal("0"), **MONEY)
    balance = models.DecimalField(default=Decimal("0"), **MONEY)
    complaints = models.PositiveIntegerField(default=0)
    findings = models.PositiveIntegerField(default=0)
    incidents = models.PositiveIntegerField(default=0)
    fees = models.DecimalField(default=Decimal("0"), **MONEY)
    clawback = models.DecimalField(default=Decimal("0"), **MONEY)

    class Meta:
        ordering = ["partner_id", "month"]
        constraints = [models.UniqueConstraint(fields=["partner", "month"], name="channels_month_fact_once")]

    def __str__(self):
        return f"{self.partner_id} {self.month}"


class VintageCell(models.Model):
    """A partner's monthly cohort at one month on book: disbursed, and outstanding principal past 30/60/90 days."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="vintage_cells")
    cohort = models.DateField()
    mob = models.PositiveSmallIntegerField()
    disbursed = models.DecimalField(**MONEY)
    m1 = models.DecimalField(default=Decimal("0"), **MONEY)
    m2 = models.DecimalField(default=Decimal("0"), **MONEY)
    m3 = models.DecimalField(default=Decimal("0"), **MONEY)

    class Meta:
        ordering = ["partner_id", "cohort", "mob"]
        constraints = [models.UniqueConstraint(fields=["partner", "cohort", "mob"], name="channels_vintage_once")]

    def __str__(self):
        return f"{self.partner_id} {self.cohort} MOB {self.mob}"


class Review(models.Model):
    """A partner's line in one quarter's bottom-ranked review."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="reviews")
    quarter = models.DateField()
    score = models.DecimalField(max_digits=6, decimal_places=2)
    rank = models.PositiveIntegerField()
    bottom = models.BooleanField()
    action = models.CharField(max_length=20)

    class Meta:
        ordering = ["-quarter", "rank"]
        constraints = [models.UniqueConstraint(fields=["partner", "quarter"], name="channels_review_once")]

    def __str__(self):
        return f"{self.partner_id} {self.quarter} #{self.rank}"


class Delisting(models.Model):
    """A proposed delisting, the committee's decision and the partner's appeal."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        DELISTED = "delisted", _("Delisted")
        RETAINED = "retained", _("Retained")

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="delistings")
    quarter = models.DateField()
    reason = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    proposed_at = models.DateTimeField()
    appeal = models.TextField(blank=True, default="")
    appeal_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey("org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    committee_note = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["-proposed_at"]
        constraints = [models.UniqueConstraint(fields=["partner", "quarter"], name="channels_delisting_once")]

    def __str__(self):
        return f"{self.partner_id} {self.quarter} {self.status}"


class Course(models.Model):
    """A course the bank gives partner staff: its products, compliance (the one a partner needs to submit), or
    sales skills; passed at `pass_score` out of 100."""

    class Kind(models.TextChoices):
        PRODUCTS = "products", _("Products")
        COMPLIANCE = "compliance", _("Compliance")
        SALES = "sales", _("Sales skills")

    code = models.CharField(_("code"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    pass_score = models.PositiveSmallIntegerField(_("pass score"), default=60)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "code"]

    def __str__(self):
        return f"{self.code} {self.title}"


class PartnerStaff(models.Model):
    """A member of a partner's staff who sells the bank's products (on the partner's roster)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="staff")
    name = models.CharField(_("name"), max_length=60)
    employee_ref = models.CharField(_("partner's employee number"), max_length=30)
    active = models.BooleanField(_("active"), default=True)
    added_on = models.DateField()

    class Meta:
        ordering = ["partner_id", "name"]
        constraints = [models.UniqueConstraint(fields=["partner", "employee_ref"], name="channels_staff_once")]

    def __str__(self):
        return self.name


class Completion(models.Model):
    """A staff member's latest result in a course (a retake replaces it)."""

    staff = models.ForeignKey(PartnerStaff, on_delete=models.CASCADE, related_name="completions")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="completions")
    score = models.PositiveSmallIntegerField(_("score"))
    passed = models.BooleanField(_("passed"))
    completed_on = models.DateField(_("completed on"))
    recorded_by = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["staff_id", "course_id"]
        constraints = [models.UniqueConstraint(fields=["staff", "course"], name="channels_completion_once")]

    def __str__(self):
        return f"{self.staff_id} {self.course_id} {self.score}"


class Toolkit(models.Model):
    """Marketing material for partners; published only once compliance approved exactly its text."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("With compliance")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("text"), max_length=20_000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    published_by = models.ForeignKey("org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    @property
    def subject_ref(self) -> str:
        """The material's reference in the compliance checkpoint queue."""
        return f"channels.toolkit:{self.pk}"


class Download(models.Model):
    """One download of a published toolkit by a partner login."""

    toolkit = models.ForeignKey(Toolkit, on_delete=models.PROTECT, related_name="downloads")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="downloads")
    by = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"{self.toolkit_id} {self.partner_id} {self.at}"
