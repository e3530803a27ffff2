"""Customers: persons and enterprises, with their personal identifiers encrypted at rest (C8, X3).

An identifier is stored three ways: the ciphertext (Fernet), a keyed hash for exact search, and
a masked form for display. The plaintext never touches the database.
"""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lendpilot.core.reference import Industry
from lendpilot.org.models import Region, Staff


class Customer(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        ENTERPRISE = "enterprise", _("Enterprise")

    class Lifecycle(models.TextChoices):
        PROSPECT = "prospect", _("Prospect")
        ACTIVE = "active", _("Active")
        DORMANT = "dormant", _("Dormant")
        CHURNED = "churned", _("Churned")

    class Tier(models.TextChoices):
        STRATEGIC = "strategic", _("Strategic")
        GROWTH = "growth", _("Growth")
        MICRO = "micro", _("Micro")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    # Person: resident ID number. Enterprise: the legal representative's, when known.
    id_number_cipher = models.TextField(blank=True, default="")
    id_number_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    id_number_masked = models.CharField(_("ID number"), max_length=18, blank=True, default="")
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True, default="")
    phone_cipher = models.TextField(blank=True, default="")
    phone_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    phone_masked = models.CharField(_("mobile phone"), max_length=11, blank=True, default="")
    bank_account_cipher = models.TextField(blank=True, default="")
    bank_account_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    bank_account_masked = models.CharField(_("bank account"), max_length=30, blank=True, default="")
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=1, blank=True, default="")
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True, default="")
    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices, db_index=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="customers", verbose_name=_("region"))
    city = models.CharField(_("city"), max_length=50, blank=True, default="")
    address = models.CharField(_("address"), max_length=200, blank=True, default="")
    manager = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="customers", verbose_name=_("relationship manager")
    )
    lifecycle_status = models.CharField(
        _("lifecycle status"), max_length=16, choices=Lifecycle.choices, default=Lifecycle.PROSPECT, db_index=True
    )
    # B2: by the largest single loan; kept here (not computed on read) so that snapshots and
    # segment queries can group by it. Changes go through a service that records the reason.
    tier = models.CharField(_("tier"), max_length=12, choices=Tier.choices, default=Tier.MICRO, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="person") | ~models.Q(id_number_hash=""),
                name="customer_person_has_id_number",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="enterprise") | ~models.Q(credit_code=""),
                name="customer_enterprise_has_credit_code",
            ),
            models.UniqueConstraint(
                fields=["id_number_hash"], condition=models.Q(kind="person"), name="customer_person_id_unique"
            ),
            models.UniqueConstraint(
                fields=["credit_code"], condition=models.Q(kind="enterprise"), name="customer_credit_code_unique"
            ),
        ]
        indexes = [models.Index(fields=["manager", "lifecycle_status"])]

    def __str__(self):
        return self.name


class CustomerMessage(models.Model):
    """Outbox of messages to a customer (SMS, app message). Nothing is sent from here: a sender
    drains the rows; until one is configured the row is the record of what would be sent.
    ``dedup_key`` makes a re-run of the job that queued it a no-op."""

    class Channel(models.TextChoices):
        SMS = "sms", "SMS"
        APP = "app", _("App message")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="messages")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    body = models.CharField(_("message"), max_length=500)
    purpose = models.CharField(_("purpose"), max_length=40)
    dedup_key = models.CharField(max_length=120, unique=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["customer", "created_at"])]

    def __str__(self):
        return self.dedup_key


# --- Customer 360 (FEATURES B2, B4, D1, D7) -------------------------------------------------------------

MONEY = {"max_digits": 16, "decimal_places": 2}


class CustomerFacts(models.Model):
    """Per-customer facts from the loan book, one row per customer that ever borrowed. Written in one
    set-based statement by the lending package (`lending.customer_facts.refresh_customer_facts`), since
    customers sit below lending and may not read its tables."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, primary_key=True, related_name="facts")
    as_of = models.DateField(_("as of"))
    loans_count = models.PositiveIntegerField(_("loans"), default=0)
    active_loans = models.PositiveIntegerField(_("active loans"), default=0)
    max_single_loan = models.DecimalField(_("largest single loan (CNY)"), default=0, **MONEY)
    total_disbursed = models.DecimalField(_("total disbursed (CNY)"), default=0, **MONEY)
    outstanding_balance = models.DecimalField(_("outstanding balance (CNY)"), default=0, **MONEY)
    first_disbursed_on = models.DateField(_("first loan on"), null=True, blank=True)
    last_disbursed_on = models.DateField(_("last loan on"), null=True, blank=True)
    last_repaid_on = models.DateField(_("last repayment on"), null=True, blank=True)
    repayments_count = models.PositiveIntegerField(_("repayments"), default=0)
    total_repaid = models.DecimalField(_("total repaid (CNY)"), default=0, **MONEY)
    interest_income = models.DecimalField(_("interest and penalty received (CNY)"), default=0, **MONEY)
    max_days_past_due = models.PositiveIntegerField(_("days past due (worst loan)"), default=0)
    credit_band = models.CharField(_("credit band"), max_length=1, blank=True, default="")

    class Meta:
        verbose_name = _("customer facts")
        verbose_name_plural = _("customer facts")
        indexes = [models.Index(fields=["max_single_loan"])]

    def __str__(self):
        return f"{self.customer_id} @ {self.as_of}"


class FeedRecord(models.Model):
    """One value from an external data feed (B4): tax invoices, social insurance headcount, e-commerce
    turnover, credit bureau, equipment purchases. One generic table keyed by (source, metric, period)
    so that a new feed metric is data, not a migration."""

    class Source(models.TextChoices):
        TAX = "tax", _("Tax")
        SOCIAL_INSURANCE = "social_insurance", _("Social insurance")
        ECOMMERCE = "ecommerce", _("E-commerce")
        BUREAU = "bureau", _("Credit bureau")
        EQUIPMENT = "equipment", _("Equipment purchases")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="feed_records")
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    metric = models.CharField(_("metric"), max_length=40)
    period = models.DateField(_("period"))
    value = models.DecimalField(_("value"), **MONEY)

    class Meta:
        ordering = ["customer", "metric", "period"]
        verbose_name = _("feed record")
        verbose_name_plural = _("feed records")
        indexes = [models.Index(fields=["metric", "period"]), models.Index(fields=["customer", "metric"])]

    def __str__(self):
        return f"{self.customer_id} {self.metric} {self.period}"


class CustomerSignals(models.Model):
    """Feed records summed up per customer (one row per customer with any feed), rebuilt set-based by
    `services.signals_refresh`; tag rules read these columns rather than the raw monthly rows."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, primary_key=True, related_name="signals")
    as_of = models.DateField(_("as of"))
    tax_invoice_12m = models.DecimalField(_("invoiced, last 12 months (CNY)"), default=0, **MONEY)
    tax_invoice_growth = models.FloatField(_("invoice growth, last 6 vs prior 6 months"), null=True, blank=True)
    tax_paid_12m = models.DecimalField(_("tax paid, last 12 months (CNY)"), default=0, **MONEY)
    headcount = models.PositiveIntegerField(_("insured employees"), default=0)
    headcount_change = models.IntegerField(_("insured employees, change over 12 months"), default=0)
    ecommerce_gmv_12m = models.DecimalField(_("online turnover, last 12 months (CNY)"), default=0, **MONEY)
    ecommerce_peak_ratio = models.FloatField(_("peak month / average month"), null=True, blank=True)
    bureau_queries_6m = models.PositiveIntegerField(_("bureau enquiries, last 6 months"), default=0)
    bureau_red_flags = models.PositiveIntegerField(_("bureau red flags"), default=0)
    external_debt = models.DecimalField(_("debt at other lenders (CNY)"), default=0, **MONEY)
    equipment_purchases_12m = models.PositiveIntegerField(_("equipment purchases, last 12 months"), default=0)
    equipment_amount_12m = models.DecimalField(_("equipment bought, last 12 months (CNY)"), default=0, **MONEY)

    class Meta:
        verbose_name = _("customer signals")
        verbose_name_plural = _("customer signals")

    def __str__(self):
        return f"{self.customer_id} @ {self.as_of}"


class CustomerValue(models.Model):
    """RFM scores (quintiles, B2) and lifetime value (D7) per borrowing customer, rebuilt set-based."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, primary_key=True, related_name="value")
    computed_on = models.DateField(_("computed on"))
    last_activity_on = models.DateField(_("last activity"), null=True, blank=True)
    frequency = models.PositiveIntegerField(_("frequency"), default=0)
    monetary = models.DecimalField(_("monetary (CNY)"), default=0, **MONEY)
    r_score = models.PositiveSmallIntegerField("R", default=0)
    f_score = models.PositiveSmallIntegerField("F", default=0)
    m_score = models.PositiveSmallIntegerField("M", default=0)
    rfm_score = models.PositiveSmallIntegerField(_("RFM score"), default=0, db_index=True)
    lifetime_value = models.DecimalField(_("lifetime value (CNY)"), default=0, **MONEY)
    high_value = models.BooleanField(_("high value"), default=False, db_index=True)

    class Meta:
        verbose_name = _("customer value")
        verbose_name_plural = _("customer values")

    def __str__(self):
        return f"{self.customer_id} RFM {self.rfm_score}"


class TierPolicy(models.Model):
    """Tier thresholds on the largest single loan (B2) and the lifetime value above which a customer is
    high-value (D7). The newest row applies; without one, the defaults of `customers.tiering`."""

    strategic_min = models.DecimalField(_("strategic from (CNY)"), **MONEY)
    growth_min = models.DecimalField(_("growth from (CNY)"), **MONEY)
    high_value_clv = models.DecimalField(_("high value from lifetime value (CNY)"), **MONEY)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("tier policy")
        verbose_name_plural = _("tier policies")
        constraints = [models.CheckConstraint(condition=models.Q(strategic_min__gt=models.F("growth_min"))
                                              & models.Q(growth_min__gt=0), name="tier_policy_ordered")]

    def __str__(self):
        return f"{self.growth_min} / {self.strategic_min}"


class ServicePackage(models.Model):
    """What a tier is entitled to (B2, D7)."""

    tier = models.CharField(_("tier"), max_length=12, choices=Customer.Tier.choices, unique=True)
    dedicated_manager = models.BooleanField(_("dedicated manager"))
    response_sla_hours = models.PositiveIntegerField(_("response within (hours)"))
    pricing_band = models.CharField(_("pricing band"), max_length=40)
    review_every_months = models.PositiveSmallIntegerField(_("review every (months)"))
    advisory = models.CharField(_("post-loan advisory"), max_length=200, blank=True, default="")

    class Meta:
        ordering = ["tier"]
        verbose_name = _("service package")
        verbose_name_plural = _("service packages")

    def __str__(self):
        return self.tier


class TierChange(models.Model):
    """History of tier moves, written set-based by `services.tiers_recompute` (or one by one by hand)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="tier_changes")
    from_tier = models.CharField(max_length=12, choices=Customer.Tier.choices)
    to_tier = models.CharField(max_length=12, choices=Customer.Tier.choices)
    reason = models.CharField(_("reason"), max_length=200)
    batch = models.CharField(max_length=60, blank=True, default="")
    changed_on = models.DateField(_("changed on"))

    class Meta:
        ordering = ["-changed_on", "-id"]
        indexes = [models.Index(fields=["customer", "changed_on"])]

    def __str__(self):
        return f"{self.customer_id} {self.from_tier} -> {self.to_tier}"


class TagDefinition(models.Model):
    """A portrait tag (B4) and the rule that decides who carries it. The rule is a boolean expression
    over the whitelisted fields of `customers.rules` (e.g. ``industry == "C" and headcount >= 50``)."""

    class Theme(models.TextChoices):
        BASIC = "basic", _("Basic")
        BUSINESS = "business", _("Business")
        FINANCIAL = "financial", _("Financial")
        BEHAVIOUR = "behaviour", _("Behaviour")
        RISK = "risk", _("Risk")
        NEEDS = "needs", _("Needs")
        VALUE = "value", _("Value")

    class Source(models.TextChoices):
        INTERNAL = "internal", _("Internal")
        TAX = "tax", _("Tax")
        SOCIAL_INSURANCE = "social_insurance", _("Social insurance")
        ECOMMERCE = "ecommerce", _("E-commerce")
        BUREAU = "bureau", _("Credit bureau")
        QUESTIONNAIRE = "questionnaire", _("Questionnaire")

    code = models.CharField(_("code"), max_length=60, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=60, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    theme = models.CharField(_("theme"), max_length=12, choices=Theme.choices, db_index=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    rule = models.TextField(_("rule"))
    version = models.PositiveIntegerField(_("version"), default=1)
    active = models.BooleanField(_("active"), default=True)
    member_count = models.PositiveIntegerField(_("customers"), default=0)
    computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["theme", "code"]
        verbose_name = _("tag definition")
        verbose_name_plural = _("tag definitions")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """The name in the reader's language (the Chinese one when no English name is set)."""
        return self.name_en if self.name_en and (get_language() or "").startswith("en") else self.name_zh


class CustomerTag(models.Model):
    """Who carries which tag. Rebuilt per tag with one DELETE and one INSERT ... SELECT."""

    pk = models.CompositePrimaryKey("tag_id", "customer_id")
    # Derived data, rebuilt by the recompute: no database-level foreign keys, whose per-row checks would
    # dominate a rebuild of tens of millions of rows; deleting a tag or a customer still cascades (ORM).
    tag = models.ForeignKey(TagDefinition, on_delete=models.CASCADE, related_name="+", db_constraint=False,
                            db_index=False)  # the primary key (tag, customer) serves lookups by tag
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="tags", db_constraint=False)

    class Meta:
        indexes = [models.Index(fields=["customer"])]

    def __str__(self):
        return f"{self.customer_id}:{self.tag_id}"


class Segment(models.Model):
    """A saved tag query (B4) with its owner; members are always counted within the owner's data scope
    and the viewer's."""

    name = models.CharField(_("name"), max_length=100)
    query = models.TextField(_("query"))
    owner = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="segments", verbose_name=_("owner"))
    scope = models.CharField(_("scope"), max_length=10)
    member_count = models.PositiveIntegerField(_("customers"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    counted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")

    def __str__(self):
        return self.name


class Questionnaire(models.Model):
    """A version of the needs questionnaire (D1). Publishing a new version deactivates the previous one;
    answers stay tied to the version they were given on."""

    code = models.CharField(_("code"), max_length=40)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="questionnaire_version_unique"),
            models.UniqueConstraint(fields=["code"], condition=models.Q(active=True),
                                    name="questionnaire_one_active_version"),
        ]

    def __str__(self):
        return f"{self.title} v{self.version}"


class Question(models.Model):
    class Kind(models.TextChoices):
        CHOICE = "choice", _("Choice")
        NUMBER = "number", _("Number")
        MONEY = "money", _("Amount (CNY)")
        BOOLEAN = "boolean", _("Yes / no")
        TEXT = "text", _("Text")

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(_("code"), max_length=40)
    label_zh = models.CharField(_("question (Chinese)"), max_length=200)
    label_en = models.CharField(_("question (English)"), max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=True)
    min_value = models.DecimalField(null=True, blank=True, **MONEY)
    max_value = models.DecimalField(null=True, blank=True, **MONEY)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["questionnaire", "position"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "code"], name="question_code_unique")]

    def __str__(self):
        return self.code

    @property
    def label(self) -> str:
        """The question in the reader's language."""
        return self.label_en if self.label_en and (get_language() or "").startswith("en") else self.label_zh


class QuestionnaireResponse(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="questionnaire_responses")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="responses")
    answered_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    answered_on = models.DateField(_("answered on"))
    answers = models.JSONField(_("answers"), default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-answered_on", "-id"]
        indexes = [models.Index(fields=["customer", "answered_on"])]

    def __str__(self):
        return f"{self.customer_id} {self.answered_on}"


class CustomerNeeds(models.Model):
    """The latest questionnaire answers of a customer as columns, so needs tags are plain rules (D1)."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, primary_key=True, related_name="needs")
    response = models.ForeignKey(QuestionnaireResponse, on_delete=models.CASCADE, related_name="+")
    answered_on = models.DateField(_("answered on"))
    purpose = models.CharField(_("purpose"), max_length=30, blank=True, default="")
    amount = models.DecimalField(_("amount wanted (CNY)"), null=True, blank=True, **MONEY)
    term_months = models.PositiveSmallIntegerField(_("term (months)"), null=True, blank=True)
    cashflow_cycle = models.CharField(_("cash-flow cycle"), max_length=20, blank=True, default="")
    collateral = models.CharField(_("collateral available"), max_length=20, blank=True, default="")
    existing_debts = models.DecimalField(_("existing debts (CNY)"), null=True, blank=True, **MONEY)
    risk_appetite = models.CharField(_("risk appetite"), max_length=20, blank=True, default="")

    class Meta:
        verbose_name = _("customer needs")
        verbose_name_plural = _("customer needs")

    def __str__(self):
        return f"{self.customer_id} {self.purpose}"
