"""Pages of incentives."""

from django.urls import path

from lendpilot.incentives import views

app_name = "incentives"
urlpatterns = [
    path("", views.statements, name="statements"),
    path("export.xlsx", views.statements_export, name="export"),
    path("statements/<int:statement_id>/", views.statement_detail, name="statement"),
    path("honours/", views.honours, name="honours"),
    path("retention/", views.retention, name="retention"),
    path("peers/", views.peers, name="peers"),
]
