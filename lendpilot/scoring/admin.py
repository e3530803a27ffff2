"""Scoring in the back office (read-only; writes go through the services: training, maker-checker
activation, policy publication, blacklist import)."""

from django.contrib import admin

from lendpilot.core.admin import ReadOnlyAdmin
from lendpilot.scoring.models import (
    BlacklistEntry,
    BlacklistImport,
    MonitoringSnapshot,
    PolicyVersion,
    PrescreenLog,
    ScorecardVersion,
)


@admin.register(ScorecardVersion)
class ScorecardVersionAdmin(ReadOnlyAdmin):
    list_display = ("family", "number", "name", "status", "source", "trained_by", "trained_at", "activated_by",
                    "activated_at")
    list_filter = ("family", "status")
    exclude = ("table",)


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ReadOnlyAdmin):
    list_display = ("number", "status", "note", "published_by", "published_at")


@admin.register(BlacklistImport)
class BlacklistImportAdmin(ReadOnlyAdmin):
    list_display = ("source", "file_name", "rows", "imported_by", "imported_at")


@admin.register(BlacklistEntry)
class BlacklistEntryAdmin(ReadOnlyAdmin):
    list_display = ("kind", "masked", "source", "list_name", "reason", "is_active", "added_at")
    list_filter = ("kind", "source", "is_active")


@admin.register(PrescreenLog)
class PrescreenLogAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "actor", "product", "scorecard_version", "policy_version", "score", "grade",
                    "decision", "approvable_amount")
    list_filter = ("decision", "grade")


@admin.register(MonitoringSnapshot)
class MonitoringSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("scorecard_version", "month", "population", "psi", "matured", "auc", "ks")
