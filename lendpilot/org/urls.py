"""Pages of org."""

from django.urls import path

from lendpilot.org import views

app_name = "org"
urlpatterns = [
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/<int:staff_id>/", views.staff_detail, name="staff_detail"),
    path("teams/", views.team_list, name="team_list"),
]
