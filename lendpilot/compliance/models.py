"""Compliance tables: the hash-chained audit log (C8) and the PII access log (C8)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Audit and access-log rows are never changed or removed through the application."""


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only")


class AuditEvent(AppendOnlyModel):
    """One business write: who did what to which object, the state before and after, and the link
    to the previous event. `hash` = SHA-256 over this row's content and the previous row's hash, so
    editing or deleting any row breaks every link after it (`manage.py verify_audit`)."""

    seq = models.BigIntegerField(_("sequence"), unique=True)
    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("actor"), max_length=150)
    event_code = models.CharField(_("event"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self):
        return f"#{self.seq} {self.event_code} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """The single row that holds the chain's tip. Writers lock it (SELECT ... FOR UPDATE) so that
    concurrent transactions append one after the other and no two events share a predecessor."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_chain_head_singleton")]

    def __str__(self):
        return f"audit chain at #{self.last_seq}"


class AuditCheckpoint(AppendOnlyModel):
    """The audit chain's head at the end of a business day (sequence, hash, number of events), signed with
    the audit key and linked to the previous checkpoint's signature. `verify_audit` checks that every
    checkpointed event is still there with the same hash, so deleting the newest events and moving the
    chain head back is detected; each checkpoint is also written to the security log outside the database."""

    day = models.DateField(_("business day"), unique=True)
    seq = models.BigIntegerField(_("last event"))
    head_hash = models.CharField(_("head hash"), max_length=64)
    count = models.BigIntegerField(_("events"))
    prev_signature = models.CharField(max_length=64)
    signature = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")

    def __str__(self):
        return f"{self.day}: #{self.seq} {self.head_hash[:12]}"


class PiiAccessLog(AppendOnlyModel):
    """Every unmasked view of a personal identifier: who, whose, which field, why, when."""

    accessed_at = models.DateTimeField(_("accessed at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    field = models.CharField(_("field"), max_length=64)
    purpose = models.CharField(_("purpose"), max_length=200)
    channel = models.CharField(_("channel"), max_length=16, default="web")

    class Meta:
        ordering = ["-accessed_at"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("PII access")
        verbose_name_plural = _("PII access log")

    def __str__(self):
        return f"{self.actor_id} saw {self.object_type}:{self.object_id}.{self.field}"


# The compliance desk's subdomains keep their tables in their own subpackages; importing them here lets
# Django find them under this app.
from lendpilot.compliance.checkpoints.models import CheckpointReview  # noqa: E402, F401
from lendpilot.compliance.drills.models import (  # noqa: E402, F401
    CanaryAlert,
    CanaryRecord,
    DrillFix,
    LeakDrill,
)
from lendpilot.compliance.register.models import (  # noqa: E402, F401
    Attestation,
    ManualRevision,
    RegulatoryDocument,
    Training,
)
from lendpilot.compliance.screening.models import (  # noqa: E402, F401
    SanctionFreeze,
    ScreeningHit,
    ScreeningRun,
    WatchList,
    WatchListEntry,
)
