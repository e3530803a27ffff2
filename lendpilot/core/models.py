"""Core tables shared by every package."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduledRun(models.Model):
    """One row per daily job and business date: the scheduler enqueues a job only when it can
    insert this row, so two schedulers (or a restarted one) never enqueue the same day twice."""

    job = models.CharField(max_length=60)
    business_date = models.DateField()
    task_id = models.CharField(max_length=64, blank=True, default="")
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-business_date", "job"]
        constraints = [models.UniqueConstraint(fields=["job", "business_date"], name="core_scheduled_run_once")]

    def __str__(self):
        return f"{self.job} {self.business_date}"


class ActionItem(models.Model):
    """A cross-team action item with an SLA (FEATURES B11 agile squads; opened by hand, by the funnel
    diagnostics of B10/F4 or from an early-warning alert).

    Core sits on the lowest floor, so people are referenced as logins (settings.AUTH_USER_MODEL), never as
    org.Staff; the services that need the organisation (permissions, scopes, the escalation target up the
    reporting line) live in `lendpilot.insights.review.actions`, a floor that may read org. The rules that need no
    organisation (status moves, the SLA clock) are pure functions in `lendpilot.core.action_items`.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class SourceKind(models.TextChoices):
        MANUAL = "manual", _("Created by hand")
        DIAGNOSTIC = "diagnostic", _("Funnel diagnostics")
        ALERT = "alert", _("Early-warning alert")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, default="")
    source_kind = models.CharField(_("source"), max_length=16, choices=SourceKind.choices, default=SourceKind.MANUAL)
    # What opened it: "" for manual items, "funnel:<slice>:<node>:<start>:<end>" for diagnostics, "alert:<id>".
    source_ref = models.CharField(_("source reference"), max_length=200, blank=True, default="")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_action_items",
                              verbose_name=_("owner"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("created by"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN,
                              db_index=True)
    sla_hours = models.PositiveIntegerField(_("SLA (business hours)"), default=48)
    created_at = models.DateTimeField(_("created at"))
    due_at = models.DateTimeField(_("due at"), db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True, default="")
    escalated = models.BooleanField(_("escalated"), default=False)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    escalated_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="escalated_action_items", verbose_name=_("escalated to"))

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        constraints = [
            # One live item per source: re-running the diagnostics (or re-opening from the same alert) never
            # opens a second item while the first is still open or in progress.
            models.UniqueConstraint(fields=["source_kind", "source_ref"], name="core_action_item_one_live_per_source",
                                    condition=~models.Q(source_ref="") & models.Q(status__in=["open", "in_progress"])),
            models.CheckConstraint(condition=~models.Q(status="done") | ~models.Q(outcome=""),
                                   name="core_action_item_done_has_outcome"),
            models.CheckConstraint(condition=models.Q(escalated=False) | models.Q(escalated_at__isnull=False),
                                   name="core_action_item_escalated_has_time"),
        ]
        indexes = [models.Index(fields=["status", "due_at"]), models.Index(fields=["owner", "status"])]

    def __str__(self):
        return self.title

    @property
    def is_live(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.IN_PROGRESS)


class ActionItemMember(models.Model):
    """A member of the item's agile squad and the function they bring (B11: product, risk, operations)."""

    class Function(models.TextChoices):
        PRODUCT = "product", _("Product")
        RISK = "risk", _("Risk")
        OPERATIONS = "operations", _("Operations")
        SALES = "sales", _("Sales")

    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="action_item_squads",
                             verbose_name=_("member"))
    function = models.CharField(_("function"), max_length=16, choices=Function.choices)

    class Meta:
        ordering = ["item", "function", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "user"], name="core_action_item_member_once")]

    def __str__(self):
        return f"{self.item_id}: {self.user_id} ({self.function})"


class ActionItemStatusChange(models.Model):
    """One status move of an action item (the creation is a move from ""), who made it, and a note."""

    item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="status_history")
    from_status = models.CharField(max_length=16, blank=True, default="")
    to_status = models.CharField(max_length=16, choices=ActionItem.Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_label = models.CharField(max_length=150, default="system")
    note = models.CharField(max_length=500, blank=True, default="")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.item_id}: {self.from_status or '-'} -> {self.to_status}"


class CalendarYear(models.Model):
    """A year whose official holiday arrangement (节假日安排) the bank has entered or imported. A year
    without a row is provisional: weekends and the fixed-date holidays only (see business_calendar)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source_document = models.CharField(_("source document"), max_length=200, blank=True, default="")
    published_on = models.DateField(_("published on"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # When open deadlines of the year were last moved to this arrangement (the nightly recompute looks
    # for years changed since).
    recomputed_at = models.DateTimeField(_("deadlines recomputed at"), null=True, blank=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("official calendar year")
        verbose_name_plural = _("official calendar years")

    def __str__(self):
        return str(self.year)


class CalendarDay(models.Model):
    """A day the State Council arrangement moves: a holiday (休) or an adjusted working day (调休, 班)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        WORKDAY = "workday", _("Adjusted working day")

    day = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60, blank=True, default="")
    source_document = models.CharField(_("source document"), max_length=200, blank=True, default="")

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self):
        return f"{self.day} {self.kind}"
