"""Shared back-office pieces."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Business tables are written only through services (audit, validation); the admin just shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
