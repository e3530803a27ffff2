"""Pages of scoring."""

from django.urls import path

from lendpilot.scoring import views

app_name = "scoring"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("versions/<int:version_id>/", views.version_detail, name="version_detail"),
    path("versions/<int:version_id>/decide/", views.version_decide, name="version_decide"),
    path("prescreen/", views.prescreen, name="prescreen"),
]
