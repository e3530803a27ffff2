"""Pages of the compliance desk: AML screening, the regulatory register, data-leak drills, checkpoints."""

from django.urls import path

from lendpilot.compliance import views
from lendpilot.compliance.checkpoints import views as checkpoint_views
from lendpilot.compliance.drills import views as drill_views
from lendpilot.compliance.register import views as register_views
from lendpilot.compliance.screening import views as screening_views

app_name = "compliance"
urlpatterns = [
    path("", views.desk, name="desk"),
    path("screening/", screening_views.hits, name="hits"),
    path("screening/hits/<int:hit_id>/", screening_views.hit_detail, name="hit"),
    path("screening/hits/<int:hit_id>/decide/", screening_views.hit_decide, name="hit_decide"),
    path("screening/lists/import/", screening_views.watch_list_import, name="watch_list_import"),
    path("screening/run/", screening_views.run_screening, name="run_screening"),
    path("register/", register_views.register, name="register"),
    path("register/new/", register_views.document_new, name="document_new"),
    path("register/<int:document_id>/", register_views.document_detail, name="document"),
    path("register/revisions/<int:revision_id>/done/", register_views.revision_done, name="revision_done"),
    path("drills/", drill_views.drills, name="drills"),
    path("drills/<int:drill_id>/", drill_views.drill_detail, name="drill"),
    path("drills/fixes/<int:fix_id>/done/", drill_views.fix_done, name="drill_fix_done"),
    path("drills/alerts/<int:alert_id>/close/", drill_views.alert_close, name="canary_alert_close"),
    path("drills/sweep/", drill_views.sweep, name="canary_sweep"),
    path("checkpoints/", checkpoint_views.queue, name="checkpoints"),
    path("checkpoints/<int:review_id>/", checkpoint_views.review_detail, name="checkpoint"),
    path("checkpoints/submit/", checkpoint_views.submit, name="checkpoint_submit"),
    path("trainings/", register_views.my_trainings, name="my_trainings"),
    path("trainings/<int:training_id>/attest/", register_views.training_attest, name="training_attest"),
]
