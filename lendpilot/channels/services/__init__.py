"""Every write of the channels package, one module per business area."""

from lendpilot.channels.services.admission import application_decide, ensure_partner_may_submit, partner_apply
from lendpilot.channels.services.facts import MonthFacts, partner_facts_load
from lendpilot.channels.services.review import delisting_appeal, delisting_decide, quarterly_review_run
from lendpilot.channels.services.terms import ensure_joint_loan_fits, terms_set
from lendpilot.channels.services.tiering import partners_retier

__all__ = ["MonthFacts", "application_decide", "delisting_appeal", "delisting_decide", "ensure_joint_loan_fits",
           "ensure_partner_may_submit", "partner_apply", "partner_facts_load", "partners_retier",
           "quarterly_review_run", "terms_set"]
