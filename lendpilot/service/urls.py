"""Pages of the service package."""

from django.urls import path

from lendpilot.service import views

app_name = "service"
urlpatterns = [
    path("", views.complaints, name="complaints"),
    path("complaints/<int:complaint_id>/", views.complaint_detail, name="complaint"),
    path("complaints/<int:complaint_id>/<str:step>/", views.complaint_step, name="complaint_step"),
    path("satisfaction/", views.satisfaction, name="satisfaction"),
    path("referrals/", views.referrals, name="referrals"),
    path("sentiment/", views.sentiment, name="sentiment"),
    path("incidents/", views.incidents, name="incidents"),
    path("incidents/<int:incident_id>/", views.incident_detail, name="incident"),
    path("incidents/<int:incident_id>/<str:action>/", views.incident_action, name="incident_action"),
    path("feedback/", views.feedback, name="feedback"),
]
