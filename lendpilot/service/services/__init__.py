"""Writes of the service package, one module per subject (complaints, surveys)."""

from lendpilot.service.services.complaints import (
    complaint_acknowledge,
    complaint_close,
    complaint_decide,
    complaint_extend,
    complaint_receive,
    complaint_recuse,
    complaint_respond,
    complaint_withdraw,
    complaints_escalate,
)
from lendpilot.service.services.referrals import referral_approve, referral_code, referral_register, referrals_check
from lendpilot.service.services.surveys import survey_answer, surveys_send

__all__ = ["complaint_acknowledge", "complaint_close", "complaint_decide", "complaint_extend", "complaint_receive",
           "complaint_recuse", "complaint_respond", "complaint_withdraw", "complaints_escalate", "referral_approve",
           "referral_code", "referral_register", "referrals_check", "survey_answer", "surveys_send"]
