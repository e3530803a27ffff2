"""Pages of monitoring."""

from django.urls import path

from lendpilot.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.alert_queue, name="alerts"),
    path("alerts/<int:alert_id>/", views.alert_detail, name="alert"),
    path("alerts/<int:alert_id>/close/", views.alert_close, name="alert_close"),
    path("steps/<int:step_id>/complete/", views.intervention_complete, name="step_complete"),
    path("board/", views.intervention_board, name="board"),
    path("line-reviews/", views.line_reviews, name="line_reviews"),
    path("line-reviews/<int:review_id>/decide/", views.line_review_decide, name="line_review_decide"),
    path("industries/", views.industry_map, name="industry_map"),
    path("industries/compute/", views.industry_compute, name="industry_compute"),
    path("industries/<int:proposal_id>/decide/", views.industry_decide, name="industry_decide"),
    path("industries/decide/", views.industry_decide_many, name="industry_decide_many"),
    path("portfolio/", views.portfolio, name="portfolio"),
    path("eod/", views.eod_runs, name="eod_runs"),
]
