"""Compliance checkpoints (C7): material that cannot be published before a compliance officer approves the
exact text (a product version, a playbook script, an objection answer, a partner marketing toolkit)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CheckpointReview(models.Model):
    class Kind(models.TextChoices):
        PRODUCT_VERSION = "product_version", _("Product version")
        PLAYBOOK_SCRIPT = "playbook_script", _("Playbook script")
        OBJECTION_ANSWER = "objection_answer", _("Objection answer")
        PARTNER_TOOLKIT = "partner_toolkit", _("Partner marketing toolkit")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    subject_ref = models.CharField(_("material"), max_length=64, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), max_length=20_000)
    text_hash = models.CharField(max_length=64, db_index=True)
    has_fees = models.BooleanField(_("the product charges fees"), default=True)
    findings = models.JSONField(_("scanner findings"), default=list, blank=True)
    checklist = models.JSONField(_("checklist"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING,
                              db_index=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True, default="")

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("compliance review")
        verbose_name_plural = _("compliance reviews")

    def __str__(self):
        return f"{self.subject_ref} {self.status}"
