"""Pages of org."""

from django.urls import path

from lendpilot.org import views
from lendpilot.org.calendar import views as calendar_views

app_name = "org"
urlpatterns = [
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/<int:staff_id>/", views.staff_detail, name="staff_detail"),
    path("teams/", views.team_list, name="team_list"),
    path("lockouts/", views.lockouts, name="lockouts"),
    path("lockouts/clear/", views.lockout_clear, name="lockout_clear"),
    path("calendar/", calendar_views.calendar_overview, name="calendar"),
    path("calendar/import/", calendar_views.calendar_import, name="calendar_import"),
    path("calendar/<int:year>/", calendar_views.calendar_year, name="calendar_year"),
    path("calendar/<int:year>/remove/", calendar_views.calendar_day_remove, name="calendar_day_remove"),
]
