"""Every write of incentives, one module per business area: commission plans, statements (the monthly run,
recalculation with versions, approval, disputes), honours, long-term incentive pools and grants, peer
ratings and the appraisal inputs talent pushes down. One transaction and one audit record per action."""

from lendpilot.incentives.commission_inputs import month_end, month_figures
from lendpilot.incentives.services.appraisal_inputs import InputRow, appraisal_inputs_set
from lendpilot.incentives.services.awards import honour_candidates, honours_award
from lendpilot.incentives.services.long_term import grant_make, pool_create
from lendpilot.incentives.services.peer_ratings import peer_rating_submit, peer_ratings_load
from lendpilot.incentives.services.statements import (
    active_plan,
    commission_plan_publish,
    commission_run,
    dispute_open,
    dispute_resolve,
    statement_approve,
    statement_recalculate,
    statements_approve,
)

__all__ = [
    "InputRow", "active_plan", "appraisal_inputs_set", "commission_plan_publish", "commission_run", "dispute_open",
    "dispute_resolve", "grant_make",
    "honour_candidates", "honours_award", "month_end", "month_figures", "peer_rating_submit", "peer_ratings_load",
    "pool_create", "statement_approve", "statement_recalculate", "statements_approve",
]
