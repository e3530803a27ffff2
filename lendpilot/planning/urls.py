"""Pages of planning."""

from django.urls import path

from lendpilot.planning import views

app_name = "planning"
urlpatterns = [
    path("", views.plan_list, name="plans"),
    path("plans/<int:plan_id>/", views.plan_detail, name="plan"),
    path("plans/<int:plan_id>/<str:action>/", views.plan_action, name="plan_action"),
    path("quotas/", views.quotas, name="quotas"),
    path("resets/", views.reset_action, name="reset_action"),
    path("attainment/", views.attainment, name="attainment"),
]
