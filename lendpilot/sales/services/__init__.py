"""Every write of sales, one module per business area: leads (intake, screening, de-duplication),
lead assignment, opportunities (moves with their guards, following the loan), activities, proposals,
playbooks and resource packs. Each action is one transaction and writes its audit record; bad input
raises ValidationError naming the field and writes nothing.

Sales sits above lending: it reads lending's applications to guard the qualification review and to
move opportunities from the lending state; lending never calls back.
"""

from lendpilot.sales.selectors import (
    MAX_OPEN_OPPORTUNITIES,
    lead_features,
    manager_features,
    managers_for_assignment,
    open_counts,
)
from lendpilot.sales.services.activities import activity_log
from lendpilot.sales.services.lead_assignment import (
    REASON_LABELS,
    AssignmentPlan,
    AssignmentRow,
    assignment_apply,
    assignment_preview,
    reason_shown,
    reason_stored,
    reason_text,
    round_robin_in_region,
)
from lendpilot.sales.services.leads import (
    DISQUALIFICATION_LABELS,
    LeadTerms,
    ScreeningRules,
    default_rules,
    lead_create,
    screening_reasons,
)
from lendpilot.sales.services.opportunities import (
    DECLINED,
    LOAN_NODE,
    SUBMITTED,
    check_worker,
    manual_move_problem,
    opportunities_follow_loans,
    opportunities_sync_lending,
    opportunity_create,
    opportunity_move,
)
from lendpilot.sales.services.playbooks import playbook_entry_save, playbook_use, resource_pack_save
from lendpilot.sales.services.proposals import Preview, proposal_preview, proposal_save, rate_floor_for

__all__ = [
    "DECLINED", "DISQUALIFICATION_LABELS", "LOAN_NODE", "MAX_OPEN_OPPORTUNITIES", "REASON_LABELS", "SUBMITTED",
    "AssignmentPlan", "AssignmentRow", "LeadTerms", "Preview", "ScreeningRules",
    "activity_log", "assignment_apply", "assignment_preview", "check_worker", "default_rules", "lead_create",
    "lead_features", "manual_move_problem", "opportunities_follow_loans", "manager_features",
    "managers_for_assignment", "open_counts", "opportunities_sync_lending",
    "opportunity_create", "opportunity_move", "playbook_entry_save", "playbook_use", "proposal_preview",
    "proposal_save", "rate_floor_for", "reason_shown", "reason_stored", "reason_text", "resource_pack_save",
    "round_robin_in_region", "screening_reasons",
]
