"""Sales: leads, opportunities through the five nodes with a history row per move, activities,
versioned proposals, playbooks (scripts and objection answers) and resource packs (FEATURES B7, B8,
D2, D4, D5; the transition rows feed the funnel diagnostics of B10); scenario trigger rules, pre-approved
offers and the managers' task list (B3, D3, D7); objection drills (D5).

Lead identifiers are stored like customers' (ciphertext, keyed hash, mask): the hash de-duplicates
open leads, the plaintext never touches the database.
"""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from lendpilot.core.reference import Industry, RepaymentMethod
from lendpilot.customers.models import Customer
from lendpilot.lending.models import Application
from lendpilot.org.models import Region, Staff, Team
from lendpilot.products.models import FundingNode, Product
from lendpilot.sales.funnel import LossReason, Node

MONEY = {"max_digits": 16, "decimal_places": 2}
LEAD_OPEN_STATUSES = ("new", "qualified", "assigned")
RATE = {"max_digits": 7, "decimal_places": 6}


class Tier(models.TextChoices):
    PREMIUM = "premium", _("Premium")
    STANDARD = "standard", _("Standard")
    BASIC = "basic", _("Basic")


class Lead(models.Model):
    class Source(models.TextChoices):
        DIRECT = "direct", _("Direct")
        CHANNEL = "channel", _("Channel partner")
        REFERRAL = "referral", _("Referral")
        CAMPAIGN = "campaign", _("Campaign")
        SCENARIO = "scenario", _("Scenario trigger")
        WALK_IN = "walk_in", _("Walk-in")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        QUALIFIED = "qualified", _("Passed screening")
        DISQUALIFIED = "disqualified", _("Disqualified")
        ASSIGNED = "assigned", _("Assigned")
        CONVERTED = "converted", _("Converted to opportunity")
        MERGED = "merged", _("Merged into an open lead")

    class Submission(models.TextChoices):
        LEAD = "lead", _("Lead")
        APPLICATION = "application", _("Loan application request")

    OPEN_STATUSES = LEAD_OPEN_STATUSES

    kind = models.CharField(_("kind"), max_length=16, choices=Customer.Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, db_index=True)
    source_detail = models.CharField(_("source detail"), max_length=100, blank=True, default="")
    id_number_cipher = models.TextField(blank=True, default="")
    id_number_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    id_number_masked = models.CharField(_("ID number"), max_length=18, blank=True, default="")
    credit_code_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    credit_code_masked = models.CharField(_("unified social credit code"), max_length=18, blank=True, default="")
    phone_cipher = models.TextField(blank=True, default="")
    phone_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    phone_masked = models.CharField(_("mobile phone"), max_length=11, blank=True, default="")
    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="leads", verbose_name=_("region"))
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT, related_name="leads",
                                verbose_name=_("product of interest"))
    amount_wanted = models.DecimalField(_("amount wanted (CNY)"), null=True, blank=True, **MONEY)
    # A partner (or a manager) may hand in a full application request: the terms the customer asks for.
    submission = models.CharField(_("submitted as"), max_length=16, choices=Submission.choices,
                                  default=Submission.LEAD)
    term_months = models.PositiveSmallIntegerField(_("term (months)"), null=True, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True, default="")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="leads",
                                 verbose_name=_("existing customer"))
    owner = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="leads",
                              verbose_name=_("account manager"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW, db_index=True)
    disqualification_reasons = models.JSONField(_("disqualification reasons"), default=list, blank=True)
    assignment_reason = models.CharField(_("assignment reason"), max_length=300, blank=True, default="")
    received_at = models.DateTimeField(_("received at"), db_index=True)
    created_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # A second submission of a person already in the funnel is kept (the submitter's record of it) but
    # worked on the open lead, so the submitter never learns whether anyone else holds that person.
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged",
                                    verbose_name=_("merged into"))

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        constraints = [
            models.UniqueConstraint(fields=["id_number_hash"], name="lead_open_id_number_unique",
                                    condition=~models.Q(id_number_hash="") & models.Q(status__in=LEAD_OPEN_STATUSES)),
            models.UniqueConstraint(fields=["credit_code_hash"], name="lead_open_credit_code_unique",
                                    condition=~models.Q(credit_code_hash="") & models.Q(status__in=LEAD_OPEN_STATUSES)),
            models.UniqueConstraint(fields=["phone_hash"], name="lead_open_phone_unique",
                                    condition=~models.Q(phone_hash="") & models.Q(status__in=LEAD_OPEN_STATUSES)),
            models.CheckConstraint(condition=~models.Q(id_number_hash="") | ~models.Q(credit_code_hash="")
                                   | ~models.Q(phone_hash=""), name="lead_has_an_identifier"),
        ]
        indexes = [models.Index(fields=["region", "status"]), models.Index(fields=["owner", "status"])]

    def __str__(self):
        return self.name


class Opportunity(models.Model):
    lead = models.OneToOneField(Lead, null=True, blank=True, on_delete=models.PROTECT, related_name="opportunity")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="opportunities", verbose_name=_("customer"))
    name = models.CharField(_("name"), max_length=100)
    owner = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="opportunities",
                              verbose_name=_("account manager"))
    node = models.CharField(_("node"), max_length=16, choices=Node.choices, default=Node.SCREENING)
    tier = models.CharField(_("customer tier"), max_length=16, choices=Tier.choices, default=Tier.STANDARD)
    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices)
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="opportunities", verbose_name=_("product"))
    amount = models.DecimalField(_("amount (CNY)"), null=True, blank=True, **MONEY)
    application = models.ForeignKey(Application, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("loan application"))
    loss_reason = models.CharField(_("loss reason"), max_length=16, choices=LossReason.choices, blank=True,
                                   default="")
    created_at = models.DateTimeField(_("created at"), db_index=True)
    node_entered_at = models.DateTimeField(_("at this node since"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-node_entered_at", "-id"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        constraints = [
            models.CheckConstraint(condition=~models.Q(node="lost") | ~models.Q(loss_reason=""),
                                   name="opportunity_lost_has_reason"),
        ]
        indexes = [models.Index(fields=["owner", "node"]), models.Index(fields=["node", "created_at"])]

    def __str__(self):
        return self.name

    @property
    def is_open(self) -> bool:
        return self.node not in (Node.WON, Node.LOST)


class Transition(models.Model):
    """One move of an opportunity (the creation is a move from ""): when, who, from where to where."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="transitions")
    from_node = models.CharField(max_length=16, blank=True, default="")
    to_node = models.CharField(max_length=16, choices=Node.choices)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(max_length=150, default="system")
    note = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["opportunity", "at"]), models.Index(fields=["to_node", "at"])]

    def __str__(self):
        return f"{self.opportunity_id}: {self.from_node or '-'} -> {self.to_node}"


class Activity(models.Model):
    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        VISIT = "visit", _("Visit")
        MEETING = "meeting", _("Meeting")
        MESSAGE = "message", _("Message")

    class Outcome(models.TextChoices):
        POSITIVE = "positive", _("Positive")
        NEUTRAL = "neutral", _("Neutral")
        NEGATIVE = "negative", _("Negative")
        NO_ANSWER = "no_answer", _("No answer")

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="activities")
    owner = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="sales_activities")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    notes = models.CharField(_("notes"), max_length=1000, blank=True, default="")
    happened_at = models.DateTimeField(_("when"))
    next_step = models.CharField(_("next step"), max_length=200, blank=True, default="")
    next_step_on = models.DateField(_("next step due"), null=True, blank=True)
    follow_up_done = models.BooleanField(_("follow-up done"), default=False)

    class Meta:
        ordering = ["-happened_at", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [models.Index(fields=["owner", "follow_up_done", "next_step_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.happened_at:%Y-%m-%d}"


class Proposal(models.Model):
    """One version of the tailored offer on an opportunity (D2), with its instalment preview figures."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="proposals")
    version = models.PositiveSmallIntegerField()
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    amount = models.DecimalField(_("amount (CNY)"), **MONEY)
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    repayment_method = models.CharField(_("repayment method"), max_length=32, choices=RepaymentMethod.choices)
    annual_rate = models.DecimalField(_("annual rate"), **RATE)
    apr = models.DecimalField(_("annualised rate (IRR)"), **RATE)
    first_payment = models.DecimalField(_("first instalment (CNY)"), **MONEY)
    total_interest = models.DecimalField(_("total interest (CNY)"), **MONEY)
    needs = models.JSONField(_("needs answers"), default=dict, blank=True)
    created_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["opportunity", "-version"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [models.UniqueConstraint(fields=["opportunity", "version"], name="proposal_version_once")]

    def __str__(self):
        return f"{self.opportunity_id} v{self.version}"


class PlaybookEntry(models.Model):
    """A script for a node and customer tier, or a standard answer to an objection (D4, D5)."""

    class Kind(models.TextChoices):
        SCRIPT = "script", _("Script")
        OBJECTION = "objection", _("Objection answer")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    node = models.CharField(_("node"), max_length=16, choices=Node.choices, blank=True, default="")
    tier = models.CharField(_("customer tier"), max_length=16, choices=Tier.choices, blank=True, default="")
    objection = models.CharField(_("objection"), max_length=16, choices=LossReason.choices, blank=True, default="")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    usage_count = models.PositiveIntegerField(_("times used"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "node", "-usage_count", "id"]
        verbose_name = _("playbook entry")
        verbose_name_plural = _("playbook entries")
        indexes = [models.Index(fields=["kind", "node", "tier"])]

    def __str__(self):
        return self.title


class ResourcePack(models.Model):
    """What a team works a target with (B8): a customer whitelist, a script selection and a rate-authority
    tier (the lowest annual rate its managers may offer without a rate approval)."""

    name = models.CharField(_("name"), max_length=100)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="resource_packs", verbose_name=_("team"))
    target = models.CharField(_("target"), max_length=100, blank=True, default="")
    customers = models.ManyToManyField(Customer, blank=True, related_name="+", verbose_name=_("customer whitelist"))
    scripts = models.ManyToManyField(PlaybookEntry, blank=True, related_name="packs", verbose_name=_("scripts"))
    rate_floor = models.DecimalField(_("lowest rate without approval"), **RATE)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team", "name"]
        verbose_name = _("resource pack")
        verbose_name_plural = _("resource packs")
        constraints = [
            models.CheckConstraint(condition=models.Q(rate_floor__gte=Decimal("0")),
                                   name="pack_rate_floor_not_negative"),
        ]

    def __str__(self):
        return self.name


# --- scenario triggers, pre-approved offers, manager tasks (FEATURES B3, D3, D7) -------------------------

RATIO = {"max_digits": 6, "decimal_places": 4}


class TriggerRule(models.Model):
    """Maps a life-cycle funding node, detected by a portrait tag and/or a condition in the tag rule
    language (`customers.rules`), to an ordered list of scenario products, with the amount band, the
    validity of the offer and the per-customer rate limits. Every edit raises `version`; offers keep
    the version they were made under."""

    class AmountBasis(models.TextChoices):
        NEED_AMOUNT = "need_amount", _("Amount wanted (needs questionnaire)")
        EQUIPMENT_AMOUNT = "equipment_amount_12m", _("Equipment bought, last 12 months")
        TAX_INVOICE = "tax_invoice_12m", _("Invoiced, last 12 months")
        MAX_SINGLE_LOAN = "max_single_loan", _("Largest single loan")

    class Channel(models.TextChoices):
        SMS = "sms", "SMS"
        APP = "app", _("App message")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    node = models.CharField(_("funding node"), max_length=24, choices=FundingNode.choices, db_index=True)
    tag_code = models.CharField(_("tag"), max_length=60, blank=True, default="")
    condition = models.TextField(_("condition"), blank=True, default="")
    products = models.ManyToManyField(Product, through="TriggerRuleProduct", related_name="trigger_rules",
                                      verbose_name=_("products"))
    amount_basis = models.CharField(_("amount basis"), max_length=24, choices=AmountBasis.choices)
    low_ratio = models.DecimalField(_("band low (share of the basis)"), **RATIO)
    high_ratio = models.DecimalField(_("band high (share of the basis)"), **RATIO)
    validity_days = models.PositiveSmallIntegerField(_("offer valid for (days)"), default=30)
    cooldown_days = models.PositiveSmallIntegerField(_("same node again after (days)"), default=90)
    max_offers = models.PositiveSmallIntegerField(_("offers per customer at most"), default=2)
    window_days = models.PositiveSmallIntegerField(_("per window (days)"), default=30)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.SMS)
    version = models.PositiveIntegerField(_("version"), default=1)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["node", "code"]
        verbose_name = _("trigger rule")
        verbose_name_plural = _("trigger rules")
        constraints = [
            models.CheckConstraint(condition=models.Q(low_ratio__gt=0)
                                   & models.Q(high_ratio__gte=models.F("low_ratio")),
                                   name="trigger_rule_band_ordered"),
            models.CheckConstraint(condition=models.Q(validity_days__gte=1) & models.Q(cooldown_days__gte=1)
                                   & models.Q(max_offers__gte=1) & models.Q(window_days__gte=1),
                                   name="trigger_rule_limits_positive"),
            models.CheckConstraint(condition=~models.Q(tag_code="") | ~models.Q(condition=""),
                                   name="trigger_rule_has_a_detector"),
        ]

    def __str__(self):
        return self.name


class TriggerRuleProduct(models.Model):
    rule = models.ForeignKey(TriggerRule, on_delete=models.CASCADE, related_name="rule_products")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["rule", "position"]
        constraints = [models.UniqueConstraint(fields=["rule", "product"], name="trigger_rule_product_once")]

    def __str__(self):
        return f"{self.rule_id}#{self.position}: {self.product_id}"


class TriggerRun(models.Model):
    """One evaluation of the active rules (the daily job or a manual run), with what it produced."""

    as_of = models.DateField(_("as of"), db_index=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    actor_label = models.CharField(max_length=150, default="system")
    expired = models.PositiveIntegerField(_("offers expired"), default=0)
    offers = models.PositiveIntegerField(_("offers pushed"), default=0)
    tasks = models.PositiveIntegerField(_("tasks created"), default=0)
    messages = models.PositiveIntegerField(_("messages queued"), default=0)
    per_rule = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("trigger run")
        verbose_name_plural = _("trigger runs")

    def __str__(self):
        return f"{self.as_of}: {self.offers}"


class PreApprovedOffer(models.Model):
    """A pre-approved amount band on a scenario product, pushed to a customer at a funding node (D3)."""

    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="preapproved_offers",
                                 verbose_name=_("customer"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    rule = models.ForeignKey(TriggerRule, on_delete=models.PROTECT, related_name="offers", verbose_name=_("rule"))
    rule_version = models.PositiveIntegerField(_("rule version"))
    run = models.ForeignKey(TriggerRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="offer_rows")
    node = models.CharField(_("funding node"), max_length=24, choices=FundingNode.choices)
    manager = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("account manager"))
    amount_low = models.DecimalField(_("from (CNY)"), **MONEY)
    amount_high = models.DecimalField(_("up to (CNY)"), **MONEY)
    offered_on = models.DateField(_("offered on"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OFFERED)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decline_reason = models.CharField(_("reason"), max_length=200, blank=True, default="")
    opportunity = models.ForeignKey(Opportunity, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("opportunity"))
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-offered_on", "-id"]
        verbose_name = _("pre-approved offer")
        verbose_name_plural = _("pre-approved offers")
        constraints = [
            # A re-run of the same rule on the same day can never push twice.
            models.UniqueConstraint(fields=["customer", "rule", "offered_on"], name="offer_once_per_rule_and_day"),
            models.CheckConstraint(condition=models.Q(amount_low__gt=0)
                                   & models.Q(amount_high__gte=models.F("amount_low")), name="offer_band_ordered"),
            models.CheckConstraint(condition=models.Q(valid_until__gte=models.F("offered_on")),
                                   name="offer_valid_after_offered"),
        ]
        indexes = [models.Index(fields=["customer", "node", "offered_on"]),
                   models.Index(fields=["customer", "offered_on"]),
                   models.Index(fields=["status", "valid_until"])]

    def __str__(self):
        return f"{self.customer_id}/{self.product_id} {self.amount_low}-{self.amount_high}"

    @property
    def is_live(self) -> bool:
        return self.status == self.Status.OFFERED


class ManagerTask(models.Model):
    """An item on an account manager's task list: follow up a pushed offer (D3) or a post-loan advisory
    visit to a high-value customer (D7). `dedup_key` makes every generator idempotent."""

    class Kind(models.TextChoices):
        OFFER = "offer", _("Follow up a pre-approved offer")
        ADVISORY = "advisory", _("Post-loan advisory")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    owner = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="sales_tasks",
                              verbose_name=_("account manager"))
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    offer = models.ForeignKey(PreApprovedOffer, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="tasks")
    due_on = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    dedup_key = models.CharField(max_length=80, unique=True)
    note = models.CharField(_("note"), max_length=300, blank=True, default="")
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [models.Index(fields=["owner", "status", "due_on"]), models.Index(fields=["customer", "kind"])]

    def __str__(self):
        return self.dedup_key


# --- objection drills (FEATURES D5) ---------------------------------------------------------------------


class ObjectionDrill(models.Model):
    """A manager answers a random set of standard objections; a lead scores each answer (0-5)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for answers")
        ANSWERED = "answered", _("Waiting for scoring")
        SCORED = "scored", _("Scored")

    manager = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="objection_drills",
                                verbose_name=_("account manager"))
    started_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    scored_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    score_pct = models.DecimalField(_("score (%)"), max_digits=5, decimal_places=1, null=True, blank=True)
    feedback = models.CharField(_("feedback"), max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("objection drill")
        verbose_name_plural = _("objection drills")
        indexes = [models.Index(fields=["manager", "status"])]
        constraints = [models.CheckConstraint(condition=models.Q(score_pct__isnull=True)
                                              | models.Q(score_pct__gte=0, score_pct__lte=100),
                                              name="drill_score_pct_range")]

    def __str__(self):
        return f"{self.manager_id} {self.created_at:%Y-%m-%d}"


class DrillItem(models.Model):
    drill = models.ForeignKey(ObjectionDrill, on_delete=models.CASCADE, related_name="items")
    entry = models.ForeignKey(PlaybookEntry, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("objection"))
    position = models.PositiveSmallIntegerField()
    answer = models.TextField(_("answer"), blank=True, default="")
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)

    class Meta:
        ordering = ["drill", "position"]
        constraints = [
            models.UniqueConstraint(fields=["drill", "entry"], name="drill_item_once"),
            models.CheckConstraint(condition=models.Q(score__isnull=True) | models.Q(score__lte=5),
                                   name="drill_item_score_range"),
        ]

    def __str__(self):
        return f"{self.drill_id}#{self.position}"
