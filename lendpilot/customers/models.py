"""Customers: persons and enterprises, with their personal identifiers encrypted at rest (C8, X3).

An identifier is stored three ways: the ciphertext (Fernet), a keyed hash for exact search, and
a masked form for display. The plaintext never touches the database.
"""

from django.db import models
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
