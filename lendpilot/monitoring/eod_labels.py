"""What the EOD run log calls its stages and the figures each stage counts, in the reader's language.

The stages and their counts stay codes in the database, the log lines and the API (`STAGES`, the keys of
`EodStage.counts`); the page shows these labels. A count the page does not know is shown under its code.
"""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

STAGE_LABELS = {
    "delinquency": gettext_lazy("Days past due and risk class"),
    "penalty": gettext_lazy("Penalty interest"),
    "signals": gettext_lazy("Risk signals"),
    "escalation": gettext_lazy("Escalation of overdue steps"),
    "plans": gettext_lazy("Intervention plans"),
    "line_review": gettext_lazy("Credit-line review"),
    "snapshot": gettext_lazy("Portfolio snapshot"),
    "buckets": gettext_lazy("Month-end overdue buckets"),
    "channel_facts": gettext_lazy("Channel figures"),
    "thresholds": gettext_lazy("Portfolio thresholds"),
}

COUNT_LABELS = {
    "loans": gettext_lazy("Loans updated"),
    "instalments": gettext_lazy("Instalments charged penalty interest"),
    "accrual_starts": gettext_lazy("Accrual start dates"),
    "other_signals_found": gettext_lazy("Other signals found"),
    "other_signals_new": gettext_lazy("New other signals"),
    "delinquency_signals": gettext_lazy("Delinquency signals"),
    "alerts_opened": gettext_lazy("Alerts opened"),
    "alerts_escalated": gettext_lazy("Alerts raised in severity"),
    "signals_attached": gettext_lazy("Signals attached to alerts"),
    "interventions_escalated": gettext_lazy("Interventions escalated"),
    "alerts_moved_up": gettext_lazy("Alerts moved up a tier"),
    "alerts_planned": gettext_lazy("Alerts planned"),
    "steps_planned": gettext_lazy("Steps planned"),
    "outbox": gettext_lazy("Messages queued"),
    "lines_frozen": gettext_lazy("Credit lines frozen"),
    "reviews": gettext_lazy("Reviews proposed"),
    "applied": gettext_lazy("Applied automatically"),
    "pending": pgettext_lazy("line reviews", "Awaiting a decision"),
    "snapshot_rows": gettext_lazy("Snapshot rows"),
    "month_end": gettext_lazy("Month end"),
    "partners": gettext_lazy("Partners"),
    "rows": gettext_lazy("Figure rows"),
    "portfolio_alerts": gettext_lazy("Portfolio alerts raised"),
}

JOB_LABELS = {"eod": gettext_lazy("End-of-day batch")}


def stage_row(stage: Any) -> dict[str, Any]:
    """One stage of a run as the page shows it: its label (its code when unknown), whether it finished, its
    seconds and its counts as labelled rows, a yes/no figure in words."""
    counts = []
    for code, value in (stage.counts or {}).items():
        shown = (_("Yes") if value else _("No")) if isinstance(value, bool) else value
        counts.append({"code": code, "label": COUNT_LABELS.get(code), "value": shown})
    return {"code": stage.stage, "label": STAGE_LABELS.get(stage.stage), "completed": stage.completed,
            "seconds": stage.seconds, "counts": counts}
