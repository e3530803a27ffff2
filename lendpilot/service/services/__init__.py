"""Writes of the service package, one module per subject (complaints, surveys, referrals, sentiment, crisis)."""

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
from lendpilot.service.services.crisis import (
    compensation_check,
    compensation_propose,
    incident_close,
    incident_grade,
    incident_member_add,
    incident_note,
    incident_open,
    incident_review,
    incident_step_done,
    statement_check,
    statement_draft,
)
from lendpilot.service.services.referrals import referral_approve, referral_code, referral_register, referrals_check
from lendpilot.service.services.sentiment import posts_cluster, posts_import_csv, posts_ingest, sentiment_scan
from lendpilot.service.services.surveys import survey_answer, surveys_send

__all__ = ["complaint_acknowledge", "complaint_close", "complaint_decide", "complaint_extend", "complaint_receive",
           "complaint_recuse", "complaint_respond", "complaint_withdraw", "complaints_escalate", "referral_approve",
           "referral_code", "referral_register", "referrals_check", "survey_answer", "surveys_send",
           "compensation_check", "compensation_propose", "incident_close", "incident_grade", "incident_member_add",
           "incident_note", "incident_open", "incident_review", "incident_step_done", "statement_check",
           "statement_draft", "posts_cluster", "posts_import_csv", "posts_ingest", "sentiment_scan"]
