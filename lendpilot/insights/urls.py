"""Pages of insights: the command centre (views.py) and the review cycle (review_views.py)."""

from django.urls import path  # noqa: F401

app_name = "insights"
urlpatterns = []
