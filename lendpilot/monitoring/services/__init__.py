"""Every write of monitoring, one module per business action:

- `eod`: the end-of-day batch (C5) and its run log; its stages live with their subject:
  `arrears` (delinquency, penalty), `signals` (signals, alerts opened or escalated),
  `alerts` (escalation, intervention plans; completing a step, closing an alert),
  `line_review` (credit-line reviews and their approval), `portfolio` (snapshots, month-end buckets,
  portfolio alerts, history rebuild);
- `ruleset`: the early-warning thresholds; `feed`: transactions, external events, re-scores;
- `industry_proposals`: the industry risk map and the committee's decision (C6).

Callers may import from this package; the names below are those the pages, API, tasks and tests use.
"""

from lendpilot.monitoring.services.alerts import PLAN, alert_close, intervention_complete, sla_due
from lendpilot.monitoring.services.eod import (
    EOD_LOCK,
    STAGE_FUNCTIONS,
    STAGES,
    eod_lock,
    eod_missed_dates,
    eod_run,
)
from lendpilot.monitoring.services.feed import (
    FEED_COLUMNS,
    customer_rescore,
    external_event_record,
    transactions_import,
)
from lendpilot.monitoring.services.industry_proposals import (
    industry_default_rates,
    industry_proposal_decide,
    industry_proposals_compute,
    industry_proposals_decide,
    prosperity_import,
)
from lendpilot.monitoring.services.line_review import line_review_decide, review_lines
from lendpilot.monitoring.services.portfolio import (
    DIMENSIONS,
    history_rebuild,
    is_month_end,
    month_buckets_write,
    rate_series,
)
from lendpilot.monitoring.services.ruleset import active_ruleset, ruleset_publish
from lendpilot.monitoring.services.signals import delinquency_candidates, detect_signals

__all__ = [
    "DIMENSIONS",
    "EOD_LOCK",
    "FEED_COLUMNS",
    "PLAN",
    "STAGES",
    "STAGE_FUNCTIONS",
    "active_ruleset",
    "alert_close",
    "customer_rescore",
    "delinquency_candidates",
    "detect_signals",
    "eod_lock",
    "eod_missed_dates",
    "eod_run",
    "external_event_record",
    "history_rebuild",
    "industry_default_rates",
    "industry_proposal_decide",
    "industry_proposals_compute",
    "industry_proposals_decide",
    "intervention_complete",
    "is_month_end",
    "line_review_decide",
    "month_buckets_write",
    "prosperity_import",
    "rate_series",
    "review_lines",
    "ruleset_publish",
    "sla_due",
    "transactions_import",
]
