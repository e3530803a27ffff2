from django.urls import path

from lendpilot.market import views

app_name = "market"
urlpatterns = [
    path("", views.market_data, name="data"),
    path("competition/", views.competition, name="competition"),
    path("competition/act/", views.competition_act, name="competition_act"),
    path("feedback/", views.feedback, name="feedback"),
    path("capacity/", views.operations_capacity, name="capacity"),
    path("enter/<str:kind>/", views.figure_entry, name="enter"),
    path("pilots/", views.pilot_list, name="pilots"),
    path("pilots/new/", views.pilot_new, name="pilot_new"),
    path("pilots/<int:pilot_id>/", views.pilot_detail, name="pilot"),
]
