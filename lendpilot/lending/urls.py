"""Pages of lending."""

from django.urls import path

from lendpilot.lending.views import applications, contracts, loans, operations

app_name = "lending"
urlpatterns = [
    path("", applications.application_list, name="applications"),
    path("applications/new/", applications.application_new, name="application_new"),
    path("applications/new/prescreen/", applications.application_prescreen, name="application_prescreen"),
    path("applications/<int:application_id>/", applications.application_detail, name="application"),
    path("applications/<int:application_id>/submit/", applications.application_submit, name="submit"),
    path("applications/<int:application_id>/checklist/<str:code>/", applications.checklist_mark,
         name="checklist_mark"),
    path("applications/<int:application_id>/collateral/", applications.collateral_add, name="collateral_add"),
    path("applications/<int:application_id>/cross-checks/", applications.cross_check_add, name="cross_check"),
    path("applications/<int:application_id>/decide/", applications.application_decide, name="decide"),
    path("applications/<int:application_id>/contract/", contracts.contract_generate, name="contract"),
    path("applications/<int:application_id>/contract.pdf", contracts.contract_document, name="contract_pdf"),
    path("applications/<int:application_id>/sign/", contracts.contract_sign, name="sign"),
    path("applications/<int:application_id>/disburse/", contracts.loan_disburse, name="disburse"),
    path("queues/<int:level>/", loans.queue, name="queue"),
    path("loans/", loans.loan_list, name="loans"),
    path("loans/<int:loan_id>/", loans.loan_detail, name="loan"),
    path("loans/<int:loan_id>/repay/", loans.loan_repay, name="loan_repay"),
    path("operations/", operations.operations_work, name="operations_work"),
    path("repayments/", operations.repayments_desk, name="repayments_desk"),
    path("repayments/post/", operations.repayment_post, name="repayment_post"),
    path("repayments/upload/", operations.repayments_upload, name="repayments_upload"),
    path("repayments/upload/confirm/", operations.repayments_import_confirm, name="repayments_import"),
]
