"""Pages of the compliance desk: AML screening, the regulatory register, data-leak drills, checkpoints."""

from django.urls import path

from lendpilot.compliance import views
from lendpilot.compliance.screening import views as screening_views

app_name = "compliance"
urlpatterns = [
    path("", views.desk, name="desk"),
    path("screening/", screening_views.hits, name="hits"),
    path("screening/hits/<int:hit_id>/", screening_views.hit_detail, name="hit"),
    path("screening/hits/<int:hit_id>/decide/", screening_views.hit_decide, name="hit_decide"),
    path("screening/lists/import/", screening_views.watch_list_import, name="watch_list_import"),
    path("screening/run/", screening_views.run_screening, name="run_screening"),
]
