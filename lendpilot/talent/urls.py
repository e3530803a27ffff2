"""Pages of talent."""

from django.urls import path

from lendpilot.talent import views

app_name = "talent"
urlpatterns = [
    path("", views.reviews, name="reviews"),
    path("reviews/<int:review_id>/", views.review_detail, name="review"),
    path("reviews/<int:review_id>/complete/", views.review_complete, name="review_complete"),
    path("entries/<int:entry_id>/rate/", views.entry_rate, name="entry_rate"),
    path("entries/<int:entry_id>/decide/", views.entry_decide, name="entry_decide"),
    path("entries/<int:entry_id>/calibrate/", views.entry_calibrate, name="entry_calibrate"),
    path("decisions/<int:decision_id>/confirm/", views.decision_confirm, name="decision_confirm"),
    path("requisitions/", views.requisitions, name="requisitions"),
    path("requisitions/<int:requisition_id>/", views.requisition_detail, name="requisition"),
    path("candidates/<int:candidate_id>/move/", views.candidate_move, name="candidate_move"),
    path("pipeline/", views.pipeline, name="pipeline"),
    path("curricula/", views.curricula, name="curricula"),
    path("curricula/enrol/", views.curriculum_enrol, name="curriculum_enrol"),
    path("enrolments/<int:enrolment_id>/complete/", views.enrolment_complete, name="enrolment_complete"),
    path("certifications/requirements/", views.certification_requirements, name="certification_requirements"),
    path("certifications/", views.certifications, name="certifications"),
    path("cases/", views.cases, name="cases"),
    path("cases/from-opportunities/", views.cases_from_opportunities, name="cases_from_opportunities"),
    path("drills/<int:scenario_id>/score/", views.drill_score, name="drill_score"),
]
