"""Data-leak drills (C8): canary records that must never be revealed, exported or queried in bulk, the alerts
their touches raise, and the drill schedule with results and fixes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CanaryRecord(models.Model):
    """A fake record (e.g. a fake customer) planted in the book; nobody has a reason to touch it."""

    ref = models.CharField(_("record"), max_length=64, unique=True)
    label = models.CharField(_("label"), max_length=120)
    planted_at = models.DateTimeField(_("planted at"), auto_now_add=True)
    planted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["ref"]
        verbose_name = _("canary record")
        verbose_name_plural = _("canary records")

    def __str__(self):
        return self.ref


class CanaryAlert(models.Model):
    """One touch of one or more canaries (one reveal, one export, one bulk query) raises one alert. The source
    key names the touch (`pii_access:<log id>`, `segment_export:<id>`), so reporting it twice changes nothing."""

    class Action(models.TextChoices):
        REVEAL = "reveal", _("Identifier revealed")
        EXPORT = "export", _("Exported")
        BULK_QUERY = "bulk_query", _("Queried in bulk")
        TOKEN = "token", _("Read through an API token")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    source_key = models.CharField(max_length=120, unique=True)
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    refs = models.JSONField(_("canaries touched"), default=list)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("by"))
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True, db_index=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    closing_note = models.CharField(_("closing note"), max_length=500, blank=True, default="")

    class Meta:
        ordering = ["-raised_at"]
        verbose_name = _("canary alert")
        verbose_name_plural = _("canary alerts")

    def __str__(self):
        return self.source_key


class LeakDrill(models.Model):
    class Scenario(models.TextChoices):
        SEGMENT_EXPORT = "segment_export", _("An account manager exports a customer segment")
        BULK_REVEAL = "bulk_reveal", _("Bulk reveal of personal identifiers")
        TOKEN_MISUSE = "token_misuse", _("Misuse of an API token")
        OTHER = "other", _("Other scenario")

    class Result(models.TextChoices):
        PENDING = "", _("Not run yet")
        DETECTED = "detected", _("Detected and contained in time")
        PARTIAL = "partial", _("Detected late or partly")
        MISSED = "missed", _("Not detected")

    title = models.CharField(_("title"), max_length=200)
    scenario = models.CharField(_("scenario"), max_length=16, choices=Scenario.choices)
    scheduled_for = models.DateField(_("scheduled for"))
    plan = models.TextField(_("plan"), max_length=2000, blank=True, default="")
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, blank=True, default="")
    findings = models.TextField(_("findings"), max_length=4000, blank=True, default="")
    detection_minutes = models.PositiveIntegerField(_("minutes to detection"), null=True, blank=True)
    run_on = models.DateField(_("run on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["-scheduled_for", "id"]
        verbose_name = _("data-leak drill")
        verbose_name_plural = _("data-leak drills")

    def __str__(self):
        return self.title


class DrillFix(models.Model):
    drill = models.ForeignKey(LeakDrill, on_delete=models.CASCADE, related_name="fixes")
    description = models.CharField(_("fix"), max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("owner"))
    due_date = models.DateField(_("due date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("drill fix")
        verbose_name_plural = _("drill fixes")

    def __str__(self):
        return self.description
