"""The audit and PII access logs in the back office: readable, never editable."""

from django.contrib import admin

from lendpilot.compliance.models import AuditEvent, PiiAccessLog
from lendpilot.core.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("seq", "occurred_at", "actor_label", "event_code", "object_type", "object_id")
    list_filter = ("event_code",)
    search_fields = ("object_id", "actor_label")


@admin.register(PiiAccessLog)
class PiiAccessLogAdmin(ReadOnlyAdmin):
    list_display = ("accessed_at", "actor", "object_type", "object_id", "field", "purpose", "channel")
    list_filter = ("field", "channel")
