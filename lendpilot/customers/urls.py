"""Pages of customers."""

from django.urls import path

from lendpilot.customers import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_new, name="create"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
    path("<int:customer_id>/edit/", views.customer_edit, name="edit"),
    path("<int:customer_id>/reveal/", views.customer_reveal, name="reveal"),
    path("<int:customer_id>/needs/", views.needs_form, name="needs"),
    path("tags/", views.tag_catalogue, name="tags"),
    path("segments/", views.segment_builder, name="segments"),
    path("segments/count/", views.segment_count, name="segment_count"),
    path("segments/preview/", views.segment_preview, name="segment_preview"),
    path("segments/<int:segment_id>/export.csv", views.segment_export, name="segment_export"),
    path("tiers/", views.tier_reference, name="tiers"),
]
