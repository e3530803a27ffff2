"""Every write of lending: one function per business act, keyword-only, one transaction, one audit record.

One module per business action: applications and their preparation (C1), approval (C2), contracts,
disbursement, repayments and instalment allocation (X1), settlement and early repayment,
delinquency and classification (X2), credit lines (C3), and the authority matrix. Concurrency: the
approval and repayment paths lock their row (`select_for_update`) and re-check state after the lock;
a decision is unique per (case, submission round, step) and a repayment per external reference, so a
lost race ends in `Conflict`, never a double action. Credit-line draws use one conditional UPDATE.

This package re-exports the public names so callers may write `from lendpilot.lending import services`.
"""

from lendpilot.lending.services.applications import (
    APPLICANT_FACTS,
    PRESCREEN_VALID_DAYS,
    RESCREEN_FACTS,
    RESCREENED_FIELDS,
    application_create,
    application_prescreen,
    application_rate_approve,
    application_update,
    application_withdraw,
    checklist_item_set,
    checklist_mark,
    collateral_add,
    cross_check_record,
    decline_texts,
)
from lendpilot.lending.services.approval import (
    Conditions,
    application_decide,
    application_submit,
    applications_escalate_overdue,
    approver_problem,
)
from lendpilot.lending.services.authority_matrix import active_matrix, authority_matrix_publish, rules_of
from lendpilot.lending.services.contracts import (
    REQUIRED_DISCLOSURES,
    contract_generate,
    contract_sign,
    disclosure_gaps,
    schedule_json,
)
from lendpilot.lending.services.credit_lines import credit_line_create, credit_line_draw, credit_line_set_status
from lendpilot.lending.services.delinquency import (
    loan_downgrade,
    loan_upgrade_decide,
    loan_upgrade_request,
    loans_update_delinquency,
)
from lendpilot.lending.services.disbursement import create_loan, loan_disburse
from lendpilot.lending.services.instalments import Applied, apply_to_instalments, open_instalments
from lendpilot.lending.services.records import AUDITED_APPLICATION_FIELDS, LOAN_FIELDS, Acting
from lendpilot.lending.services.repayments import (
    PREPAYMENT_MODES,
    REPAYMENT_KINDS,
    loans_apply_credit,
    repayment_post,
    validate_repayment,
)
from lendpilot.lending.services.settlement import quote_settlement
from lendpilot.lending.services.terms import EDITABLE_APPLICATION_FIELDS, loan_to_value

# The loan builder under its earlier name, still used by the test worlds of other packages.
_create_loan = create_loan

__all__ = [
    "APPLICANT_FACTS", "AUDITED_APPLICATION_FIELDS", "EDITABLE_APPLICATION_FIELDS", "LOAN_FIELDS", "PREPAYMENT_MODES",
    "PRESCREEN_VALID_DAYS", "REPAYMENT_KINDS", "REQUIRED_DISCLOSURES", "RESCREENED_FIELDS", "RESCREEN_FACTS",
    "Acting", "Applied", "Conditions", "active_matrix", "application_create", "application_decide",
    "application_prescreen", "application_rate_approve", "application_submit", "application_update",
    "application_withdraw", "applications_escalate_overdue", "apply_to_instalments", "approver_problem",
    "authority_matrix_publish", "checklist_item_set", "checklist_mark", "collateral_add", "contract_generate",
    "contract_sign", "create_loan", "credit_line_create", "credit_line_draw", "credit_line_set_status",
    "cross_check_record", "decline_texts", "disclosure_gaps", "loan_disburse", "loan_downgrade", "loan_to_value",
    "loan_upgrade_decide", "loan_upgrade_request", "loans_apply_credit", "loans_update_delinquency",
    "open_instalments", "quote_settlement", "repayment_post", "rules_of", "schedule_json", "validate_repayment",
]
