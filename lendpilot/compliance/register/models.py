"""The regulatory register (C9): regulator documents, the manual revisions each causes, and the trainings
staff attest to."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RegulatoryDocument(models.Model):
    class Issuer(models.TextChoices):
        PBOC = "pboc", _("People's Bank of China (PBoC)")
        NFRA = "nfra", _("National Financial Regulatory Administration (NFRA)")
        CAC = "cac", _("Cyberspace Administration of China (CAC)")
        OTHER = "other", _("Other authority")

    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued, not yet in force")
        IN_FORCE = "in_force", _("In force")
        SUPERSEDED = "superseded", _("Superseded")
        REPEALED = "repealed", _("Repealed")

    title = models.CharField(_("title"), max_length=200)
    number = models.CharField(_("document number"), max_length=80, unique=True)
    issuer = models.CharField(_("issuer"), max_length=8, choices=Issuer.choices)
    effective_date = models.DateField(_("effective date"))
    summary = models.TextField(_("summary"), max_length=2000, blank=True, default="")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.IN_FORCE)
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")

    class Meta:
        ordering = ["-effective_date", "number"]
        verbose_name = _("regulator document")
        verbose_name_plural = _("regulator documents")

    def __str__(self):
        return f"{self.number} {self.title}"


class ManualRevision(models.Model):
    """A section of the internal manual that a document changes, with the person who rewrites it."""

    document = models.ForeignKey(RegulatoryDocument, on_delete=models.CASCADE, related_name="revisions")
    section = models.CharField(_("manual section"), max_length=120)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("owner"))
    due_date = models.DateField(_("due date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True, default="")

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("manual revision")
        verbose_name_plural = _("manual revisions")

    def __str__(self):
        return self.section


class Training(models.Model):
    """Training on a document for the roles it concerns (every active staff member when none is named)."""

    document = models.ForeignKey(RegulatoryDocument, on_delete=models.CASCADE, related_name="trainings")
    title = models.CharField(_("title"), max_length=200)
    deadline = models.DateField(_("attestation deadline"))
    roles = models.JSONField(_("roles"), default=list, blank=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("regulatory training")
        verbose_name_plural = _("regulatory trainings")

    def __str__(self):
        return self.title


class Attestation(models.Model):
    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="attestations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attested_at = models.DateTimeField(_("attested at"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["training", "user"], name="attestation_once")]
        verbose_name = _("attestation")
        verbose_name_plural = _("attestations")

    def __str__(self):
        return f"{self.user_id} attested {self.training_id}"
