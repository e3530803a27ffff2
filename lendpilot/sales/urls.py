"""Pages of sales."""

from django.urls import path

from lendpilot.sales import views

app_name = "sales"
urlpatterns = [
    path("", views.kanban, name="kanban"),
    path("opportunities/<int:opportunity_id>/", views.opportunity_detail, name="opportunity"),
    path("opportunities/<int:opportunity_id>/move/", views.opportunity_move, name="move"),
    path("opportunities/<int:opportunity_id>/preview/", views.proposal_preview, name="preview"),
    path("playbook/<int:entry_id>/use/", views.playbook_use, name="playbook_use"),
    path("leads/", views.lead_inbox, name="leads"),
    path("funnel/", views.funnel, name="funnel"),
    path("assignment/", views.assignment, name="assignment"),
]
