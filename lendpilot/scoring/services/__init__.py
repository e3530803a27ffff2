"""Writes of scoring (FEATURES C4, D6, E1), one module per business action. Each service is keyword-only,
takes the acting user, runs in one transaction and records its audit event.

- `scorecards`: train a scorecard version (awaiting approval); activate or reject it (maker-checker);
- `history`: the lender's credit history and earlier scored applicants; training on that history;
- `policy_versions`: a new version of the hard rules, also from accepted industry proposals;
- `blacklist`: internal entries and industry-shared lists (all-or-nothing);
- `prescreen`: score, rules, approvable amount and reasons for one applicant, logged;
- `prescreen_log`: sealing a day's log into the audit chain; matured outcomes;
- `scorecard_monitoring`: PSI, CSI, KS and AUC of one version for one month (idempotent).

Callers may import from this package; the names below are those the pages, API, tasks and tests use.
"""

from lendpilot.scoring.services.blacklist import blacklist_add, blacklist_import, identifier_hash
from lendpilot.scoring.services.history import (
    HISTORY_FEATURES,
    credit_history_import,
    history_frame,
    prescreen_history_import,
    train_scorecard_from_history,
)
from lendpilot.scoring.services.policy_versions import policy_publish_industry_changes, policy_version_publish
from lendpilot.scoring.services.prescreen import PrescreenOutcome, prescreen_run
from lendpilot.scoring.services.prescreen_log import (
    LOG_FIELDS,
    prescreen_log_digest,
    prescreen_log_seal,
    prescreen_outcome_record,
)
from lendpilot.scoring.services.scorecard_monitoring import monitoring_run
from lendpilot.scoring.services.scorecards import (
    VERSION_FIELDS,
    scorecard_activate,
    scorecard_reject,
    scorecard_version_store,
    train_scorecard_version,
)

__all__ = [
    "HISTORY_FEATURES",
    "LOG_FIELDS",
    "VERSION_FIELDS",
    "PrescreenOutcome",
    "blacklist_add",
    "blacklist_import",
    "credit_history_import",
    "history_frame",
    "identifier_hash",
    "monitoring_run",
    "policy_publish_industry_changes",
    "policy_version_publish",
    "prescreen_history_import",
    "prescreen_log_digest",
    "prescreen_log_seal",
    "prescreen_outcome_record",
    "prescreen_run",
    "scorecard_activate",
    "scorecard_reject",
    "scorecard_version_store",
    "train_scorecard_from_history",
    "train_scorecard_version",
]
