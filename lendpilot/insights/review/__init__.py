"""The biweekly review cycle (FEATURES B9, B10, B11, F2, F4): the review report and its exports
(`report`), funnel diagnostics and conversion analysis read within the viewer's scope (`selectors`),
action items and squads (`actions`), their pages (`views`) and API (`api`), the overdue escalation job
(`tasks`), the demo bank's review (`demo`) and the funnel benchmark (`benchmarks`)."""
