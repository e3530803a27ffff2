"""Watch lists, screening runs, hits and the freezes that confirmed hits put on a subject (AML law,
targeted financial sanctions). Subjects are referenced by the caller's reference ("customers.customer:42"),
so compliance stays below the packages whose records it screens."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WatchList(models.Model):
    """One imported version of a list; importing a newer version of the same list retires the older."""

    name = models.CharField(_("list"), max_length=100)
    version = models.CharField(_("version"), max_length=40)
    source = models.CharField(_("source"), max_length=200, blank=True, default="")
    is_active = models.BooleanField(_("in use"), default=True)
    entry_count = models.PositiveIntegerField(_("entries"), default=0)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["name", "-imported_at"]
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="watch_list_name_version")]
        verbose_name = _("watch list")
        verbose_name_plural = _("watch lists")

    def __str__(self):
        return f"{self.name} {self.version}"


class WatchListEntry(models.Model):
    """A listed person or organisation. ID numbers are kept as keyed hashes and masks, like customers' own."""

    watch_list = models.ForeignKey(WatchList, on_delete=models.CASCADE, related_name="entries")
    name = models.CharField(_("name"), max_length=200)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    id_hashes = models.JSONField(default=list, blank=True)
    id_masked = models.JSONField(_("ID numbers"), default=list, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    remark = models.CharField(_("remark"), max_length=200, blank=True, default="")

    class Meta:
        ordering = ["watch_list", "id"]
        verbose_name = _("watch-list entry")
        verbose_name_plural = _("watch-list entries")

    def __str__(self):
        return self.name


class ScreeningRun(models.Model):
    class Trigger(models.TextChoices):
        MANUAL = "manual", _("Started by hand")
        LIST_UPDATE = "list_update", _("Watch list updated")
        ONBOARDING = "onboarding", _("Onboarding")

    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger.choices, default=Trigger.MANUAL)
    subjects = models.PositiveIntegerField(_("screened"), default=0)
    hits = models.PositiveIntegerField(_("new hits"), default=0)
    lists = models.JSONField(_("lists"), default=list)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("screening run")
        verbose_name_plural = _("screening runs")

    def __str__(self):
        return f"run {self.pk}"


class ScreeningHit(models.Model):
    """A subject that resembles a listed entry. Every hit waits for a compliance officer's proposal and a
    second officer's approval (maker-checker); the machine never clears one."""

    class Status(models.TextChoices):
        REVIEW = "review", _("In review")
        CONFIRMED = "confirmed", _("Confirmed")
        CLEARED = "cleared", _("Cleared (false positive)")

    run = models.ForeignKey(ScreeningRun, on_delete=models.PROTECT, related_name="hit_rows")
    subject_ref = models.CharField(_("subject"), max_length=64, db_index=True)
    subject_name = models.CharField(_("subject name"), max_length=200)
    entry = models.ForeignKey(WatchListEntry, on_delete=models.PROTECT, related_name="hits")
    score = models.DecimalField(_("score"), max_digits=4, decimal_places=3)
    matched_name = models.CharField(_("matched name"), max_length=200)
    reasons = models.JSONField(_("reasons"), default=list)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.REVIEW,
                              db_index=True)
    proposed_status = models.CharField(_("proposed decision"), max_length=12, choices=Status.choices, blank=True,
                                       default="")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    proposal_note = models.CharField(_("reason for the proposal"), max_length=500, blank=True, default="")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("found at"), auto_now_add=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [models.UniqueConstraint(fields=["subject_ref", "entry"], name="screening_hit_once")]
        verbose_name = _("screening hit")
        verbose_name_plural = _("screening hits")

    def __str__(self):
        return f"{self.subject_ref} ~ {self.matched_name}"


class SanctionFreeze(models.Model):
    """A confirmed hit freezes the subject's applications and disbursements. No message goes to the
    customer (the law requires freezing without notice)."""

    subject_ref = models.CharField(_("subject"), max_length=64, unique=True)
    hit = models.ForeignKey(ScreeningHit, on_delete=models.PROTECT, related_name="+")
    frozen_at = models.DateTimeField(_("frozen at"), auto_now_add=True)
    frozen_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-frozen_at"]
        verbose_name = _("sanction freeze")
        verbose_name_plural = _("sanction freezes")

    def __str__(self):
        return self.subject_ref


class ScreeningSweep(models.Model):
    """A re-screen of one source of subjects (the customer book) against one generation of the lists in use
    (the set of list versions active at the time). It advances in batches with a cursor, each batch in its own
    transaction with its hits, so a killed sweep resumes where it stopped, and a finished one is not run again."""

    source = models.CharField(_("source"), max_length=40)
    generation = models.CharField(_("lists in use"), max_length=200)
    run = models.ForeignKey(ScreeningRun, on_delete=models.PROTECT, related_name="sweeps")
    cursor = models.BigIntegerField(_("screened up to"), default=0)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [models.UniqueConstraint(fields=["source", "generation"], name="screening_sweep_once")]
        verbose_name = _("re-screening sweep")
        verbose_name_plural = _("re-screening sweeps")

    def __str__(self):
        return f"{self.source} {self.generation}"
