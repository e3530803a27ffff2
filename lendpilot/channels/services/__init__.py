"""Every write of the channels package, one module per business area."""

from lendpilot.channels.services.admission import application_decide, ensure_partner_may_submit, partner_apply
from lendpilot.channels.services.enablement import (
    course_result_record,
    course_save,
    partner_staff_add,
    partner_staff_leave,
    toolkit_create,
    toolkit_download,
    toolkit_publish,
    toolkit_submit,
    toolkit_withdraw,
)
from lendpilot.channels.services.facts import MonthFacts, partner_facts_load
from lendpilot.channels.services.review import delisting_appeal, delisting_decide, quarterly_review_run
from lendpilot.channels.services.terms import ensure_joint_loan_fits, terms_set
from lendpilot.channels.services.tiering import partners_retier

__all__ = ["MonthFacts", "application_decide", "course_result_record", "course_save", "delisting_appeal",
           "delisting_decide", "ensure_joint_loan_fits", "ensure_partner_may_submit", "partner_apply",
           "partner_facts_load", "partner_staff_add", "partner_staff_leave", "partners_retier",
           "quarterly_review_run", "terms_set", "toolkit_create", "toolkit_download", "toolkit_publish",
           "toolkit_submit", "toolkit_withdraw"]
