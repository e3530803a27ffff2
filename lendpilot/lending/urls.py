"""Pages of lending."""

from django.urls import path

from lendpilot.lending import views

app_name = "lending"
urlpatterns = [
    path("", views.application_list, name="applications"),
    path("applications/new/", views.application_new, name="application_new"),
    path("applications/new/prescreen/", views.application_prescreen, name="application_prescreen"),
    path("applications/<int:application_id>/", views.application_detail, name="application"),
    path("applications/<int:application_id>/submit/", views.application_submit, name="submit"),
    path("applications/<int:application_id>/checklist/<str:code>/", views.checklist_mark, name="checklist_mark"),
    path("applications/<int:application_id>/decide/", views.application_decide, name="decide"),
    path("applications/<int:application_id>/contract/", views.contract_generate, name="contract"),
    path("applications/<int:application_id>/sign/", views.contract_sign, name="sign"),
    path("applications/<int:application_id>/disburse/", views.loan_disburse, name="disburse"),
    path("queues/<int:level>/", views.queue, name="queue"),
    path("loans/", views.loan_list, name="loans"),
    path("loans/<int:loan_id>/", views.loan_detail, name="loan"),
    path("loans/<int:loan_id>/repay/", views.loan_repay, name="loan_repay"),
]
