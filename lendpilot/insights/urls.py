"""Pages of insights: the command centre (views.py) and the review cycle (review/views.py)."""

from django.urls import path

from lendpilot.insights import views
from lendpilot.insights.review import views as review_views

app_name = "insights"
urlpatterns = [
    # the command centre
    path("", views.cockpit, name="cockpit"),
    path("drilldown/", views.drilldown, name="drilldown"),
    # the review cycle
    path("review/", review_views.review_page, name="review"),
    path("funnel/", review_views.funnel_page, name="funnel"),
    path("funnel/diagnose/", review_views.funnel_diagnose, name="funnel_diagnose"),
    path("conversion/", review_views.conversion_page, name="conversion"),
    path("actions/", review_views.action_board, name="actions"),
    path("actions/new/", review_views.action_create, name="action_create"),
    path("actions/from-alert/", review_views.action_from_alert, name="action_from_alert"),
    path("actions/<int:item_id>/", review_views.action_detail, name="action_detail"),
    path("actions/<int:item_id>/<str:move>/", review_views.action_move, name="action_move"),
]
