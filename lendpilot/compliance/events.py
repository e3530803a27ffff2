"""The one registry of audit event codes. A service records only codes listed here, so the log
stays searchable by a known vocabulary; later packages add their codes to this registry."""

from django.utils.translation import gettext_lazy as _

EVENTS: dict[str, str] = {
    # org
    "org.region_created": _("Region created"),
    "org.branch_created": _("Branch created"),
    "org.team_created": _("Team created"),
    "org.staff_created": _("Staff member created"),
    "org.staff_updated": _("Staff member updated"),
    "org.skills_updated": _("Skills matrix updated"),
    "org.api_token_issued": _("API token issued"),
    "org.api_token_revoked": _("API token revoked"),
    "org.login_lockout_cleared": _("Sign-in lockout cleared"),
    "org.calendar_day_set": _("Business calendar day set"),
    "org.calendar_day_removed": _("Business calendar day removed"),
    "org.calendar_year_imported": _("Official holiday arrangement imported"),
    # customers
    "customers.customer_created": _("Customer created"),
    "customers.customer_updated": _("Customer updated"),
    "customers.customer_reassigned": _("Customer reassigned"),
    "customers.pii_revealed": _("Personal identifier revealed"),
    "customers.message_queued": _("Message to customer queued"),
    "customers.messages_queued": _("Messages to customers queued in bulk"),
    "customers.tag_defined": _("Portrait tag defined"),
    "customers.tags_recomputed": _("Portrait tags recomputed"),
    "customers.portrait_recomputed": _("Customer portraits recomputed (signals, tiers, RFM, value, tags)"),
    "customers.tiers_changed": _("Customer tiers changed"),
    "customers.tier_policy_set": _("Tier policy set"),
    "customers.segment_saved": _("Customer segment saved"),
    "customers.segment_exported": _("Segment whitelist exported"),
    "customers.questionnaire_published": _("Needs questionnaire published"),
    "customers.questionnaire_answered": _("Needs questionnaire answered"),
    # products
    "products.product_created": _("Product created"),
    "products.product_updated": _("Product updated"),
    # compliance
    "compliance.pii_keys_rotated": _("PII encryption keys rotated"),
    "compliance.audit_checkpoint": _("Audit chain checkpoint signed"),
    # scoring
    "scoring.scorecard_trained": _("Scorecard version trained"),
    "scoring.scorecard_activated": _("Scorecard version activated"),
    "scoring.scorecard_rejected": _("Scorecard version rejected"),
    "scoring.policy_published": _("Policy rules version published"),
    "scoring.blacklist_added": _("Blacklist entry added"),
    "scoring.blacklist_imported": _("Blacklist imported"),
    "scoring.prescreen_log_sealed": _("Day of pre-screen log sealed"),
    "scoring.monitoring_run": _("Scorecard monitoring computed"),
    "scoring.outcome_recorded": _("Pre-screened case outcome recorded"),
    "scoring.history_imported": _("Pre-screen history imported"),
    "scoring.credit_history_imported": _("Credit history with outcomes imported"),
    # lending
    "lending.application_created": _("Loan application created"),
    "lending.application_updated": _("Loan application updated"),
    "lending.application_submitted": _("Loan application submitted"),
    "lending.application_withdrawn": _("Loan application withdrawn"),
    "lending.application_decided": _("Approval decision recorded"),
    "lending.application_escalated": _("Overdue approval escalated"),
    "lending.rate_approved": _("Rate below authority approved"),
    "lending.collateral_added": _("Collateral added"),
    "lending.checklist_updated": _("Pre-loan checklist item updated"),
    "lending.checklist_configured": _("Product checklist configured"),
    "lending.cross_check_recorded": _("Cross-validation check recorded"),
    "lending.authority_matrix_published": _("Authority matrix version published"),
    "lending.contract_generated": _("Loan contract generated"),
    "lending.contract_signed": _("Loan contract signed"),
    "lending.loan_disbursed": _("Loan disbursed"),
    "lending.repayment_posted": _("Repayment posted"),
    "lending.repayments_imported": _("Repayment file imported"),
    "lending.loan_prepaid": _("Early repayment posted"),
    "lending.loan_settled_early": _("Loan settled early"),
    "lending.credit_applied": _("Unapplied credit applied to instalments due"),
    "lending.delinquency_updated": _("Days past due and classification updated"),
    "lending.class_downgraded": _("Loan classification downgraded"),
    "lending.class_upgrade_requested": _("Loan classification upgrade requested"),
    "lending.class_upgrade_decided": _("Loan classification upgrade decided"),
    "lending.credit_line_created": _("Credit line created"),
    "lending.credit_line_status_changed": _("Credit line status or limit changed"),
    "lending.credit_line_drawn": _("Credit line drawn"),
    # planning
    "planning.plan_created": _("Target plan created"),
    "planning.plan_split": _("Target plan split"),
    "planning.cell_edited": _("Target cell edited and siblings re-balanced"),
    "planning.plan_approved": _("Target plan approved"),
    "planning.heat_set": _("Market heat coefficient set"),
    "planning.quota_set": _("Quota set"),
    "planning.reset_proposed": _("Quota re-set proposed"),
    "planning.reset_decided": _("Quota re-set decided"),
    # incentives
    "incentives.plan_published": _("Commission plan published"),
    "incentives.statements_run": _("Commission statements computed"),
    "incentives.statement_approved": _("Commission statement approved"),
    "incentives.dispute_opened": _("Commission dispute opened"),
    "incentives.dispute_resolved": _("Commission dispute resolved"),
    "incentives.honours_awarded": _("Monthly honours awarded"),
    "incentives.pool_created": _("Long-term incentive pool created"),
    "incentives.grant_made": _("Long-term incentive granted"),
    "incentives.statements_approved": _("Month's commission statements approved"),
    "incentives.peer_rated": _("Teamwork peer rating given"),
    "incentives.peer_ratings_loaded": _("Teamwork peer ratings loaded"),
    # monitoring
    "monitoring.eod_completed": _("End-of-day batch completed"),
    "monitoring.rules_published": _("Early-warning rules published"),
    "monitoring.feed_imported": _("Account transaction feed imported"),
    "monitoring.external_event_recorded": _("External risk event recorded"),
    "monitoring.customer_rescored": _("Customer re-scored"),
    "monitoring.intervention_completed": _("Intervention step completed"),
    "monitoring.alert_closed": _("Early-warning alert closed"),
    "monitoring.line_review_decided": _("Credit-line review decided"),
    "monitoring.prosperity_imported": _("Industry prosperity index imported"),
    "monitoring.industry_proposal_decided": _("Industry proposal decided"),
    "monitoring.history_rebuilt": _("Portfolio history rebuilt from repayments"),
    # sales
    "sales.lead_created": _("Lead created and screened"),
    "sales.leads_assigned": _("Leads assigned"),
    "sales.assignment_overridden": _("Lead assignment overridden by hand"),
    "sales.opportunity_created": _("Opportunity created"),
    "sales.opportunity_moved": _("Opportunity moved to another node"),
    "sales.opportunity_synced": _("Opportunity closed from the lending state"),
    "sales.activity_logged": _("Sales activity logged"),
    "sales.proposal_saved": _("Proposal version saved"),
    "sales.playbook_saved": _("Playbook entry saved"),
    "sales.resource_pack_saved": _("Resource pack saved"),
    # scenario triggers, pre-approved offers, task list, objection drills (B3, D3, D5, D7)
    "sales.trigger_rule_saved": _("Trigger rule saved"),
    "sales.offers_pushed": _("Trigger run pushed pre-approved offers"),
    "sales.offer_decided": _("Pre-approved offer accepted or declined"),
    "sales.task_done": _("Task done"),
    "sales.advisory_tasks_created": _("Post-loan advisory tasks created"),
    "sales.drill_started": _("Objection drill started"),
    "sales.drill_answered": _("Objection drill answered"),
    "sales.drill_scored": _("Objection drill scored"),
    # review cycle: action items and funnel diagnostics
    "insights.action_item_created": _("Action item opened"),
    "insights.action_item_moved": _("Action item status changed"),
    "insights.action_items_escalated": _("Overdue action items escalated"),
    "insights.business_dates_recomputed": _("Deadlines moved to a changed business calendar"),
    "insights.funnel_diagnosed": _("Funnel diagnosed and weak nodes flagged"),
    "insights.metric_snapshots_built": _("Daily metric snapshot built"),
    # demo bank and batch loads
    "demo.bank_seeded": _("Demo bank loaded"),
}


class UnknownEventError(ValueError):
    pass


def check_event(code: str) -> str:
    if code not in EVENTS:
        raise UnknownEventError(f"audit event {code!r} is not in the registry (lendpilot.compliance.events)")
    return code
