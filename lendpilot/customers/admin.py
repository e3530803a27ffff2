"""Customers in the back office, read-only and masked: changes go through the customer services."""

from django.contrib import admin

from lendpilot.core.admin import ReadOnlyAdmin
from lendpilot.customers.models import Customer


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ("id", "name", "kind", "id_number_masked", "credit_code", "phone_masked", "industry", "region",
                    "manager", "lifecycle_status")
    list_filter = ("kind", "lifecycle_status", "industry", "region")
    search_fields = ("name", "credit_code")
    exclude = ("id_number_cipher", "id_number_hash", "phone_cipher", "phone_hash", "bank_account_cipher",
               "bank_account_hash")
