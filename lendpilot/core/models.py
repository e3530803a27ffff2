"""Core tables shared by every package."""

from django.db import models


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
