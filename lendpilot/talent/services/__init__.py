"""Every write of talent, one function per business action, split by subdomain."""

from lendpilot.talent.services.appraisal_inputs import appraisal_inputs_push
from lendpilot.talent.services.cases import case_record, cases_from_closed_opportunities, drill_score
from lendpilot.talent.services.recruiting import (
    candidate_add,
    candidate_move,
    requisition_open,
    sourcing_spend_set,
)
from lendpilot.talent.services.reviews import (
    review_complete,
    review_decide,
    review_entry_calibrate,
    review_entry_rate,
    review_promotion_confirm,
    review_start,
)
from lendpilot.talent.services.training import (
    certification_record,
    certification_reminders_send,
    certification_requirement_set,
    curriculum_create,
    enrol,
    enrolment_complete,
)

__all__ = [
    "appraisal_inputs_push", "candidate_add", "candidate_move", "case_record", "cases_from_closed_opportunities",
    "certification_record", "certification_reminders_send", "certification_requirement_set", "curriculum_create",
    "drill_score", "enrol", "enrolment_complete", "requisition_open", "review_complete", "review_decide",
    "review_entry_calibrate", "review_entry_rate", "review_promotion_confirm", "review_start", "sourcing_spend_set",
]
