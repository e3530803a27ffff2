"""Pagination shared by every list page."""

from django.core.paginator import Page, Paginator

PAGE_SIZE = 25


def paginate(request, queryset, *, per_page: int = PAGE_SIZE) -> Page:
    """One page of `queryset`; a page number out of range or not a number gives the nearest page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
