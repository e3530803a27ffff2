"""Complaints with their deadlines (E7) and satisfaction surveys (D8)."""

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
