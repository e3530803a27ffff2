"""Scenario marketing reference data in the back office (read-only; the pages and API write through services,
which validate, version and audit every change)."""

from django.contrib import admin

from lendpilot.core.admin import ReadOnlyAdmin
from lendpilot.sales.models import ObjectionDrill, PlaybookEntry, PreApprovedOffer, TriggerRule, TriggerRun


@admin.register(TriggerRule)
class TriggerRuleAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "node", "tag_code", "amount_basis", "low_ratio", "high_ratio", "validity_days",
                    "cooldown_days", "max_offers", "window_days", "version", "active")
    list_filter = ("node", "active")


@admin.register(TriggerRun)
class TriggerRunAdmin(ReadOnlyAdmin):
    list_display = ("as_of", "started_at", "actor_label", "offers", "tasks", "messages", "expired")


@admin.register(PreApprovedOffer)
class PreApprovedOfferAdmin(ReadOnlyAdmin):
    list_display = ("customer", "product", "node", "amount_low", "amount_high", "offered_on", "valid_until", "status")
    list_filter = ("status", "node")


@admin.register(PlaybookEntry)
class PlaybookEntryAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "node", "tier", "objection", "usage_count", "is_active")
    list_filter = ("kind", "node")


@admin.register(ObjectionDrill)
class ObjectionDrillAdmin(ReadOnlyAdmin):
    list_display = ("manager", "status", "score_pct", "created_at", "scored_at")
    list_filter = ("status",)
