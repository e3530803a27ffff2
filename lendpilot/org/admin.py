"""Back-office maintenance of the organisation's reference data. Staff are created through
`org.services.staff_create` (login, placement, audit), so the admin shows them read-only."""

from django.contrib import admin

from lendpilot.core.admin import ReadOnlyAdmin
from lendpilot.org.models import ApiToken, Branch, Region, Staff, Team


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ("code", "name_zh", "name_en")


@admin.register(Branch)
class BranchAdmin(ReadOnlyAdmin):
    list_display = ("code", "name_zh", "city", "region")
    list_filter = ("region",)


@admin.register(Team)
class TeamAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "channel", "branch", "region")
    list_filter = ("region", "channel")


@admin.register(Staff)
class StaffAdmin(ReadOnlyAdmin):
    list_display = ("employee_no", "name", "role", "region", "team", "approval_level", "is_active")
    list_filter = ("role", "region", "is_active")
    search_fields = ("employee_no", "name", "user__username")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
