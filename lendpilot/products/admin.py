"""The product catalogue in the back office (read-only; the product pages and API write through services)."""

from django.contrib import admin

from lendpilot.core.admin import ReadOnlyAdmin
from lendpilot.products.models import Product


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ("code", "name_zh", "category", "min_amount", "max_amount", "min_term_months", "max_term_months",
                    "min_annual_rate", "max_annual_rate", "collateral", "is_active")
    list_filter = ("category", "is_active")
