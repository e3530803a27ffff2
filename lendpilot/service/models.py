"""Complaints with their deadlines (E7), satisfaction surveys (D8), referrals (D9), public posts and their
alerts (E8) and crisis incidents with their task force, statements, compensation and timeline (E9)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Complaint(models.Model):
    """A customer complaint from any channel, worked to a decision within the rule's deadline."""

    class Channel(models.TextChoices):
        COUNTER = "counter", _("Branch counter")
        PHONE = "phone", _("Phone")
        APP = "app", _("App")
        REGULATOR = "regulator", _("Regulator transfer")
        ONLINE = "online", _("Online platform")

    class Level(models.TextChoices):
        ORDINARY = "ordinary", _("Ordinary")
        MAJOR = "major", _("Major")

    class Stage(models.TextChoices):
        # The journey stages of F6: the five funnel nodes, approval, disbursement, repayment, collection.
        MARKETING = "marketing", _("Marketing and contact")
        APPROVAL = "approval", _("Approval")
        DISBURSEMENT = "disbursement", _("Disbursement")
        REPAYMENT = "repayment", _("Repayment")
        COLLECTION = "collection", _("Collection")
        SERVICE = "service", _("Service")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        DECIDED = "decided", _("Decided, awaiting the customer")
        APPEALED = "appealed", _("Appealed")
        CLOSED = "closed", _("Closed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="complaints",
                                 verbose_name=_("customer"))
    # The customer's manager at intake: the complaint counts in that manager's appraisal.
    manager = models.ForeignKey("org.Staff", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="complaints_about", verbose_name=_("account manager"))
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    stage = models.CharField(_("journey stage"), max_length=16, choices=Stage.choices, default=Stage.SERVICE)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.ORDINARY)
    summary = models.TextField(_("what happened"))
    request = models.TextField(_("what the customer asks for"))
    is_group = models.BooleanField(_("group complaint in person"), default=False)
    received_on = models.DateField(_("received on"), db_index=True)
    acknowledged_on = models.DateField(_("acknowledged on"), null=True, blank=True)
    owner = models.ForeignKey("org.Staff", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="owned_complaints", verbose_name=_("handler"))
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.RECEIVED,
                              db_index=True)
    extensions = models.PositiveSmallIntegerField(_("extensions"), default=0)
    due_on = models.DateField(_("decision due on"), db_index=True)
    escalated_to = models.ForeignKey("org.Staff", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="escalated_complaints", verbose_name=_("escalated to"))
    escalated_on = models.DateField(_("escalated on"), null=True, blank=True)
    decision = models.TextField(_("decision"), blank=True, default="")
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    root_cause = models.TextField(_("root cause"), blank=True, default="")
    remediation = models.TextField(_("remediation"), blank=True, default="")
    action_item = models.ForeignKey("core.ActionItem", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("remediation action item"))
    # The closed loop: the customer confirms the decision or appeals it.
    customer_response = models.CharField(_("customer response"), max_length=10, blank=True, default="",
                                         choices=[("confirmed", _("Confirmed")), ("appealed", _("Appealed"))])
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [
            models.CheckConstraint(condition=models.Q(extensions__lte=2), name="service_complaint_two_extensions"),
        ]
        indexes = [models.Index(fields=["status", "due_on"]), models.Index(fields=["manager", "received_on"])]

    def __str__(self):
        return self.reference


class ComplaintRepresentative(models.Model):
    """A representative named by a group complaint in person (at most five, checked by the service)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="representatives")
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name


class ComplaintExtension(models.Model):
    """An extension of the deadline with its recorded internal approval."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="extension_records")
    number = models.PositiveSmallIntegerField(_("extension"))
    reason = models.TextField(_("reason"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("approved by"))
    approved_on = models.DateField(_("approved on"))
    new_due_on = models.DateField(_("new due date"))

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["complaint", "number"], name="service_extension_once")]

    def __str__(self):
        return f"{self.complaint_id}#{self.number}"


class ComplaintRecusal(models.Model):
    """A handler who has an interest in the case and stepped aside."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="recusals")
    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=300)
    on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["complaint", "staff"], name="service_recusal_once")]

    def __str__(self):
        return f"{self.complaint_id}: {self.staff_id}"


class ComplaintStatusChange(models.Model):
    """One move of a complaint, who made it and a note."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=14, blank=True, default="")
    to_status = models.CharField(max_length=14, choices=Complaint.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    note = models.CharField(max_length=500, blank=True, default="")
    on = models.DateField()

    class Meta:
        ordering = ["on", "id"]

    def __str__(self):
        return f"{self.complaint_id}: {self.from_status} -> {self.to_status}"

    @property
    def note_text(self) -> str:
        """The note as the reader reads it: the receipt notes the channel (its code), shown by its label."""
        if self.to_status == Complaint.Status.RECEIVED and self.note in Complaint.Channel.values:
            return str(Complaint.Channel(self.note).label)
        return self.note


class Survey(models.Model):
    """A satisfaction survey (0-10) sent through the customer outbox; answered later."""

    class Trigger(models.TextChoices):
        DISBURSEMENT = "disbursement", _("After disbursement")
        COMPLAINT = "complaint", _("After a complaint closed")
        ANNUAL = "annual", _("Yearly")

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="surveys")
    manager = models.ForeignKey("org.Staff", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    product = models.ForeignKey("products.Product", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    tier = models.CharField(_("tier"), max_length=12, blank=True, default="")
    trigger = models.CharField(_("occasion"), max_length=14, choices=Trigger.choices)
    # The journey stage the answer speaks about (F6): from the comment's words, else the occasion's stage.
    stage = models.CharField(_("journey stage"), max_length=16, choices=Complaint.Stage.choices, blank=True,
                             default="")
    # What caused it ("loan:<id>", "complaint:<id>", "year:<yyyy>:<customer>"): one survey per cause.
    source_ref = models.CharField(max_length=60, unique=True)
    sent_on = models.DateField(_("sent on"), db_index=True)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True, default="")
    answered_on = models.DateField(_("answered on"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-sent_on", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(score__isnull=True) | models.Q(score__lte=10),
                                              name="service_survey_score_0_10")]

    def __str__(self):
        return self.source_ref


class Referral(models.Model):
    """A customer referred by another through the referrer's code (D9); the reward is earned when the referred
    loan is disbursed and stays current for the configured months, capped per year and approved."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        QUALIFIED = "qualified", _("Reward earned, awaiting approval")
        APPROVED = "approved", _("Reward approved")
        LAPSED = "lapsed", _("No reward (loan past due)")

    referrer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="referrals_made",
                                 verbose_name=_("referrer"))
    referred = models.OneToOneField("customers.Customer", on_delete=models.PROTECT, related_name="referred_by",
                                    verbose_name=_("referred customer"))
    code = models.CharField(_("referral code"), max_length=12)
    registered_on = models.DateField(_("registered on"))
    loan = models.ForeignKey("lending.Loan", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REGISTERED,
                              db_index=True)
    reward = models.DecimalField(_("reward (CNY)"), max_digits=12, decimal_places=2, default=0)
    qualified_on = models.DateField(_("earned on"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    approved_on = models.DateField(_("approved on"), null=True, blank=True)

    class Meta:
        ordering = ["-registered_on", "-id"]
        constraints = [models.CheckConstraint(condition=~models.Q(referrer=models.F("referred")),
                                              name="service_referral_not_self")]

    def __str__(self):
        return f"{self.referrer_id} -> {self.referred_id}"


class Topic(models.TextChoices):
    """The curated topics of public posts and feedback, each with prepared response scripts (E8, F6)."""

    RATES_FEES = "rates_fees", _("Rates and fees")
    COLLECTION = "collection", _("Collection")
    SERVICE_ATTITUDE = "service_attitude", _("Service attitude")
    DISBURSEMENT_SPEED = "disbursement_speed", _("Approval and disbursement speed")
    DATA_SECURITY = "data_security", _("Data security")
    REPAYMENT = "repayment", _("Repayment and deductions")
    OTHER = "other", _("Other")


class PostCluster(models.Model):
    """A topic discovered by NMF in the posts of the last months, labelled by its top words (E8)."""

    computed_on = models.DateField(_("computed on"))
    number = models.PositiveSmallIntegerField(_("cluster"))
    top_words = models.CharField(_("top words"), max_length=300)
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    size = models.PositiveIntegerField(_("posts"))
    mean_sentiment = models.DecimalField(_("mean sentiment"), max_digits=5, decimal_places=4, null=True)

    class Meta:
        ordering = ["-size", "number"]

    def __str__(self):
        return self.top_words


class Post(models.Model):
    """A public post or review about the bank, from a social network, complaint platform or app store (E8)."""

    class Source(models.TextChoices):
        WEIBO = "weibo", _("Weibo")
        WECHAT = "wechat", _("WeChat")
        HEIMAO = "heimao", _("Heimao complaint platform")
        XIAOHONGSHU = "xiaohongshu", _("Xiaohongshu")
        DOUYIN = "douyin", _("Douyin")
        APP_STORE = "app_store", _("App store review")
        NEWS = "news", _("News")
        FORUM = "forum", _("Forum")
        OTHER = "other", _("Other source")

    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    posted_at = models.DateTimeField(_("posted at"))
    posted_on = models.DateField(_("posted on"), db_index=True)
    text = models.TextField(_("text"))
    url = models.CharField(_("web address"), max_length=500, blank=True, default="")
    # sha256 of the URL, or of the normalised text without one: the same post is held once.
    digest = models.CharField(max_length=64, unique=True)
    sentiment = models.DecimalField(_("sentiment"), max_digits=5, decimal_places=4)
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices, default=Topic.OTHER)
    cluster = models.ForeignKey(PostCluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts")
    imported_at = models.DateTimeField(_("imported at"))

    class Meta:
        ordering = ["-posted_at", "-id"]
        indexes = [models.Index(fields=["topic", "posted_on"])]

    def __str__(self):
        return self.text[:40]


class Incident(models.Model):
    """A reputation incident or crisis review (E9), worked by a task force through the seven steps of the
    reputation-risk rules; a drill is an incident flagged as such."""

    class Origin(models.TextChoices):
        ALERT = "alert", _("Public-sentiment alert")
        COMPLAINT = "complaint", _("Major complaint")
        MANUAL = "manual", _("Reported by staff")

    class Grade(models.TextChoices):
        MINOR = "minor", _("Grade IV (minor)")
        MODERATE = "moderate", _("Grade III (moderate)")
        MAJOR = "major", _("Grade II (major)")
        SEVERE = "severe", _("Grade I (severe)")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"))
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices, default=Topic.OTHER)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.MANUAL)
    complaint = models.ForeignKey(Complaint, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("complaint"))
    is_drill = models.BooleanField(_("drill"), default=False)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices, blank=True, default="")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True)
    opened_on = models.DateField(_("opened on"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    review_findings = models.TextField(_("what happened and why"), blank=True, default="")
    review_improvements = models.TextField(_("what we change"), blank=True, default="")
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_on", "-id"]

    def __str__(self):
        return self.reference


class SentimentAlert(models.Model):
    """The first day of a spike in a topic's daily post volume against its weekly baseline (E8)."""

    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    day = models.DateField(_("day"))
    volume = models.PositiveIntegerField(_("posts"))
    expected = models.DecimalField(_("expected"), max_digits=10, decimal_places=1)
    raised_on = models.DateField(_("raised on"))
    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts",
                                 verbose_name=_("crisis review"))

    class Meta:
        ordering = ["-day", "topic"]
        constraints = [models.UniqueConstraint(fields=["topic", "day"], name="service_alert_once")]

    def __str__(self):
        return f"{self.topic} {self.day}"


class IncidentStep(models.Model):
    """One of the seven steps of the reputation-risk rules, done on a day by someone, with a note."""

    class Step(models.TextChoices):
        ASSESS = "assess", _("Assess")
        MONITOR = "monitor", _("Monitor")
        GRADE = "grade", _("Grade")
        RESPOND = "respond", _("Respond")
        REPORT = "report", _("Report")
        ACCOUNT = "account", _("Hold accountable")
        REVIEW = "review", _("Review")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(_("step"), max_length=10, choices=Step.choices)
    done_on = models.DateField(_("done on"))
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    note = models.CharField(_("note"), max_length=1000, blank=True, default="")

    class Meta:
        ordering = ["done_on", "id"]
        constraints = [models.UniqueConstraint(fields=["incident", "step"], name="service_incident_step_once")]

    def __str__(self):
        return f"{self.incident_id}: {self.step}"


class TaskForceMember(models.Model):
    """A colleague on an incident's task force, for one function."""

    class Function(models.TextChoices):
        LEGAL = "legal", _("Legal")
        PR = "pr", _("Public relations")
        RISK = "risk", _("Risk")
        OPERATIONS = "operations", _("Operations")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="task_force")
    function = models.CharField(_("function"), max_length=12, choices=Function.choices)
    staff = models.ForeignKey("org.Staff", on_delete=models.PROTECT, related_name="+", verbose_name=_("colleague"))

    class Meta:
        ordering = ["function", "id"]
        constraints = [models.UniqueConstraint(fields=["incident", "function", "staff"],
                                               name="service_task_force_once")]

    def __str__(self):
        return f"{self.incident_id}: {self.function} {self.staff_id}"


class Statement(models.Model):
    """A version of a public statement: drafted by one colleague, approved or rejected by another."""

    class Kind(models.TextChoices):
        HOLDING = "holding", _("Holding statement")
        FULL = "full", _("Full statement")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="statements")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    version = models.PositiveSmallIntegerField(_("version"))
    text = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    drafted_on = models.DateField(_("drafted on"))
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    checked_on = models.DateField(_("checked on"), null=True, blank=True)
    check_note = models.CharField(_("note"), max_length=500, blank=True, default="")

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [models.UniqueConstraint(fields=["incident", "kind", "version"],
                                               name="service_statement_version_once")]

    def __str__(self):
        return f"{self.incident_id}: {self.kind} v{self.version}"


class CompensationCase(models.Model):
    """Compensation offered to a customer hurt by the incident: proposed by one colleague, approved by another."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="compensations")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("customer"))
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=500)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    proposed_on = models.DateField(_("proposed on"))
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    checked_on = models.DateField(_("checked on"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="service_compensation_positive")]

    def __str__(self):
        return f"{self.incident_id}: {self.customer_id} {self.amount}"


class IncidentEvent(models.Model):
    """One line of an incident's timeline: each step, statement and case writes one; staff add their own."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(_("time"))
    text = models.CharField(_("event"), max_length=1000)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return self.text[:40]
