"""Roles, their data scopes and their permissions (DESIGN.md "Users and roles"; FEATURES X5).

Pure data: what each role sees (its data scope) and may do (its permission codes). Access checks
read these tables through `lendpilot.org.access`; nothing else decides who sees what.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DIRECTOR = "director", _("Sales director")
    REGIONAL_HEAD = "regional_head", _("Regional head")
    TEAM_LEAD = "team_lead", _("Team lead")
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    RISK_OFFICER = "risk_officer", _("Risk officer")
    COMPLIANCE_OFFICER = "compliance_officer", _("Compliance officer")
    OPERATIONS = "operations", _("Operations")
    CHANNEL_PARTNER = "channel_partner", _("Channel partner")


class DataScope(models.TextChoices):
    ALL = "all", _("Everything")
    REGION = "region", _("Own region")
    TEAM = "team", _("Own team")
    OWN = "own", _("Own records")
    NONE = "none", _("Nothing")


ROLE_SCOPE: dict[str, str] = {
    Role.DIRECTOR: DataScope.ALL,
    Role.REGIONAL_HEAD: DataScope.REGION,
    Role.TEAM_LEAD: DataScope.TEAM,
    Role.ACCOUNT_MANAGER: DataScope.OWN,
    # Risk, compliance and operations work across the whole book: approval queues, audits, disbursements.
    Role.RISK_OFFICER: DataScope.ALL,
    Role.COMPLIANCE_OFFICER: DataScope.ALL,
    Role.OPERATIONS: DataScope.ALL,
    # Partners see only what they submitted themselves (their leads, later); no customers or staff.
    Role.CHANNEL_PARTNER: DataScope.NONE,
}


class Perm:
    """Permission codes. A role holds a set of them; a check names one."""

    VIEW_STAFF = "org.view_staff"
    MANAGE_ORG = "org.manage"
    ISSUE_API_TOKEN = "org.issue_api_token"  # noqa: S105 (a permission code)
    MANAGE_CALENDAR = "org.manage_calendar"
    VIEW_CUSTOMERS = "customers.view"
    CREATE_CUSTOMER = "customers.create"
    UPDATE_CUSTOMER = "customers.update"
    REASSIGN_CUSTOMER = "customers.reassign"
    REVEAL_PII = "customers.reveal_pii"
    VIEW_PRODUCTS = "products.view"
    MANAGE_PRODUCTS = "products.manage"
    VIEW_AUDIT = "compliance.view_audit"
    # scoring
    VIEW_SCORING = "scoring.view"
    PRESCREEN = "scoring.prescreen"
    TRAIN_SCORECARD = "scoring.train"
    ACTIVATE_SCORECARD = "scoring.activate"
    MANAGE_POLICY = "scoring.manage_policy"
    # lending
    VIEW_LENDING = "lending.view"
    APPLY_LOAN = "lending.apply"
    APPROVE_LOAN = "lending.approve"
    APPROVE_RATE = "lending.approve_rate"
    MANAGE_AUTHORITY = "lending.manage_authority"
    ISSUE_CONTRACT = "lending.contract"
    DISBURSE_LOAN = "lending.disburse"
    POST_REPAYMENT = "lending.post_repayment"
    CLASSIFY_LOAN = "lending.classify"
    MANAGE_CREDIT_LINES = "lending.manage_credit_lines"
    DRAW_CREDIT_LINE = "lending.draw_credit_line"
    # monitoring
    VIEW_MONITORING = "monitoring.view"
    RUN_EOD = "monitoring.run_eod"
    WORK_ALERTS = "monitoring.work_alerts"
    APPROVE_LINE_REVIEW = "monitoring.approve_line_review"
    MANAGE_MONITORING_RULES = "monitoring.manage_rules"
    IMPORT_FEED = "monitoring.import_feed"
    # planning
    VIEW_PLANNING = "planning.view"
    MANAGE_TARGETS = "planning.manage_targets"
    APPROVE_TARGETS = "planning.approve_targets"
    # incentives
    VIEW_INCENTIVES = "incentives.view"
    RUN_COMMISSION = "incentives.run_commission"
    APPROVE_COMMISSION = "incentives.approve_commission"
    RESOLVE_DISPUTE = "incentives.resolve_dispute"
    MANAGE_LTI = "incentives.manage_lti"
    RATE_PEERS = "incentives.rate_peers"
    # sales
    VIEW_SALES = "sales.view"
    CREATE_LEAD = "sales.create_lead"
    WORK_OPPORTUNITIES = "sales.work_opportunities"
    ASSIGN_LEADS = "sales.assign_leads"
    MANAGE_PLAYBOOKS = "sales.manage_playbooks"
    # insights: the command centre (12 core metrics, drill-down)
    VIEW_INSIGHTS = "insights.view"
    # customer portrait (B2, B4, D1, D7)
    MANAGE_TAGS = "customers.manage_tags"
    BUILD_SEGMENTS = "customers.build_segments"
    # review cycle: funnel diagnostics, conversion analysis, biweekly review, action items
    VIEW_REVIEW = "insights.view_review"
    WORK_ACTION_ITEMS = "insights.work_action_items"
    MANAGE_ACTION_ITEMS = "insights.manage_action_items"
    # compliance desk (C7-C9): screening, checkpoints, the regulatory register, data-leak drills
    VIEW_COMPLIANCE = "compliance.view"
    WORK_COMPLIANCE = "compliance.work"
    # market intelligence, competitor response, pricing proposals, pilots (B1, B12, F5, E2, E3, F7)
    VIEW_MARKET = "market.view"
    MANAGE_MARKET = "market.manage"
    RECORD_MARKET_FEEDBACK = "market.record_feedback"
    APPROVE_PRICING = "market.approve_pricing"
    # channels (E4-E6): partner admission, cooperation terms, tiers, KPIs and the bottom-ranked review
    VIEW_CHANNELS = "channels.view"
    MANAGE_CHANNELS = "channels.manage"
    APPROVE_CHANNELS = "channels.approve"
    # service (D8, D9, E7): complaints with their deadlines, surveys, referrals
    VIEW_SERVICE = "service.view"
    WORK_COMPLAINTS = "service.work_complaints"
    APPROVE_SERVICE = "service.approve"


_SALES = {Perm.VIEW_STAFF, Perm.VIEW_CUSTOMERS, Perm.CREATE_CUSTOMER, Perm.UPDATE_CUSTOMER, Perm.VIEW_PRODUCTS}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.DIRECTOR: frozenset(
        _SALES | {Perm.MANAGE_ORG, Perm.REASSIGN_CUSTOMER, Perm.REVEAL_PII, Perm.MANAGE_PRODUCTS,
                  Perm.VIEW_AUDIT, Perm.ISSUE_API_TOKEN, Perm.MANAGE_CALENDAR}
    ),
    Role.REGIONAL_HEAD: frozenset(_SALES | {Perm.REASSIGN_CUSTOMER, Perm.REVEAL_PII}),
    Role.TEAM_LEAD: frozenset(_SALES | {Perm.REASSIGN_CUSTOMER, Perm.REVEAL_PII}),
    Role.ACCOUNT_MANAGER: frozenset(_SALES | {Perm.REVEAL_PII}),
    Role.RISK_OFFICER: frozenset({Perm.VIEW_STAFF, Perm.VIEW_CUSTOMERS, Perm.VIEW_PRODUCTS, Perm.REVEAL_PII}),
    Role.COMPLIANCE_OFFICER: frozenset({Perm.VIEW_STAFF, Perm.VIEW_CUSTOMERS, Perm.VIEW_PRODUCTS, Perm.VIEW_AUDIT}),
    Role.OPERATIONS: frozenset({Perm.VIEW_STAFF, Perm.VIEW_CUSTOMERS, Perm.VIEW_PRODUCTS, Perm.REVEAL_PII,
                                Perm.MANAGE_CALENDAR}),
    Role.CHANNEL_PARTNER: frozenset({Perm.VIEW_PRODUCTS}),
}

# lending: who applies, approves, contracts, disburses, posts repayments and classifies loans.
_LENDING_PERMISSIONS: dict[str, set[str]] = {
    Role.DIRECTOR: {Perm.VIEW_LENDING, Perm.APPLY_LOAN, Perm.APPROVE_LOAN, Perm.APPROVE_RATE,
                    Perm.MANAGE_AUTHORITY, Perm.MANAGE_CREDIT_LINES},
    Role.REGIONAL_HEAD: {Perm.VIEW_LENDING, Perm.APPLY_LOAN, Perm.APPROVE_RATE},
    Role.TEAM_LEAD: {Perm.VIEW_LENDING, Perm.APPLY_LOAN},
    Role.ACCOUNT_MANAGER: {Perm.VIEW_LENDING, Perm.APPLY_LOAN},
    Role.RISK_OFFICER: {Perm.VIEW_LENDING, Perm.APPROVE_LOAN, Perm.CLASSIFY_LOAN, Perm.MANAGE_CREDIT_LINES},
    Role.COMPLIANCE_OFFICER: {Perm.VIEW_LENDING},
    Role.OPERATIONS: {Perm.VIEW_LENDING, Perm.ISSUE_CONTRACT, Perm.DISBURSE_LOAN, Perm.POST_REPAYMENT,
                      Perm.DRAW_CREDIT_LINE},
}
ROLE_PERMISSIONS.update({role: ROLE_PERMISSIONS[role] | perms for role, perms in _LENDING_PERMISSIONS.items()})

# scoring: sales pre-screens; risk trains, approves (maker-checker) and sets policy rules and blacklists.
_SCORING_PERMISSIONS: dict[str, set[str]] = {
    Role.DIRECTOR: {Perm.VIEW_SCORING, Perm.PRESCREEN, Perm.MANAGE_POLICY},
    Role.REGIONAL_HEAD: {Perm.VIEW_SCORING, Perm.PRESCREEN},
    Role.TEAM_LEAD: {Perm.VIEW_SCORING, Perm.PRESCREEN},
    Role.ACCOUNT_MANAGER: {Perm.PRESCREEN},
    Role.RISK_OFFICER: {Perm.VIEW_SCORING, Perm.PRESCREEN, Perm.TRAIN_SCORECARD, Perm.ACTIVATE_SCORECARD,
                        Perm.MANAGE_POLICY},
    Role.COMPLIANCE_OFFICER: {Perm.VIEW_SCORING},
}
ROLE_PERMISSIONS.update({role: ROLE_PERMISSIONS[role] | perms for role, perms in _SCORING_PERMISSIONS.items()})

# planning and incentives: the director plans, approves targets, re-sets and statements; regional heads
# split their region; everyone in sales sees their own targets, attainment and statements.
_PLANNING_PERMISSIONS: dict[str, set[str]] = {
    Role.DIRECTOR: {Perm.VIEW_PLANNING, Perm.MANAGE_TARGETS, Perm.APPROVE_TARGETS, Perm.VIEW_INCENTIVES,
                    Perm.RUN_COMMISSION, Perm.APPROVE_COMMISSION, Perm.RESOLVE_DISPUTE, Perm.MANAGE_LTI},
    Role.REGIONAL_HEAD: {Perm.VIEW_PLANNING, Perm.MANAGE_TARGETS, Perm.VIEW_INCENTIVES},
    Role.TEAM_LEAD: {Perm.VIEW_PLANNING, Perm.VIEW_INCENTIVES},
    Role.ACCOUNT_MANAGER: {Perm.VIEW_PLANNING, Perm.VIEW_INCENTIVES},
    Role.COMPLIANCE_OFFICER: {Perm.VIEW_PLANNING, Perm.VIEW_INCENTIVES},
}
ROLE_PERMISSIONS.update({role: ROLE_PERMISSIONS[role] | perms for role, perms in _PLANNING_PERMISSIONS.items()})
# teamwork peer ratings (A7): the members of a sales team rate each other.
_PEER_RATING_PERMISSIONS: dict[str, set[str]] = {
    Role.TEAM_LEAD: {Perm.RATE_PEERS},
    Role.ACCOUNT_MANAGER: {Perm.RATE_PEERS},
}
ROLE_PERMISSIONS.update({role: ROLE_PERMISSIONS[role] | perms for role, perms in _PEER_RATING_PERMISSIONS.items()})

# monitoring: risk officers work alerts, approve line reviews and keep the rules; managers work their own
# customers' alerts; operations run the batch and load feeds.
_MONITORING_PERMISSIONS: dict[str, set[str]] = {
    Role.DIRECTOR: {Perm.VIEW_MONITORING, Perm.RUN_EOD, Perm.WORK_ALERTS, Perm.APPROVE_LINE_REVIEW,
                    Perm.MANAGE_MONITORING_RULES, Perm.IMPORT_FEED},
    Role.REGIONAL_HEAD: {Perm.VIEW_MONITORING, Perm.WORK_ALERTS},
    Role.TEAM_LEAD: {Perm.VIEW_MONITORING, Perm.WORK_ALERTS},
    Role.ACCOUNT_MANAGER: {Perm.VIEW_MONITORING, Perm.WORK_ALERTS},
    Role.RISK_OFFICER: {Perm.VIEW_MONITORING, Perm.RUN_EOD, Perm.WORK_ALERTS, Perm.APPROVE_LINE_REVIEW,
                        Perm.MANAGE_MONITORING_RULES, Perm.IMPORT_FEED},
    Role.COMPLIANCE_OFFICER: {Perm.VIEW_MONITORING},
    Role.OPERATIONS: {Perm.VIEW_MONITORING, Perm.RUN_EOD, Perm.IMPORT_FEED},
}
ROLE_PERMISSIONS.update({role: ROLE_PERMISSIONS[role] | perms for role, perms in _MONITORING_PERMISSIONS.items()})

# sales: managers work their funnel; team leads and heads assign leads; the director keeps the playbooks and
# resource packs; channel partners submit leads (and see only those); compliance reads.
_SALES_PERMISSIONS: dict[str, set[str]] = {
    Role.DIRECTOR: {Perm.VIEW_SALES, Perm.CREATE_LEAD, Perm.WORK_OPPORTUNITIES, Perm.ASSIGN_LEADS,
                    Perm.MANAGE_PLAYBOOKS},
    Role.REGIONAL_HEAD: {Perm.VIEW_SALES, Perm.CREATE_LEAD, Perm.WORK_OPPORTUNITIES, Perm.ASSIGN_LEADS,
                         Perm.MANAGE_PLAYBOOKS},
    Role.TEAM_LEAD: {Perm.VIEW_SALES, Perm.CREATE_LEAD, Perm.WORK_OPPORTUNITIES, Perm.ASSIGN_LEADS},
    Role.ACCOUNT_MANAGER: {Perm.VIEW_SALES, Perm.CREATE_LEAD, Perm.WORK_OPPORTUNITIES},
    Role.COMPLIANCE_OFFICER: {Perm.VIEW_SALES},
    Role.CHANNEL_PARTNER: {Perm.CREATE_LEAD},
}
ROLE_PERMISSIONS.update({role: ROLE_PERMISSIONS[role] | perms for role, perms in _SALES_PERMISSIONS.items()})

# review cycle (B9-B11, F2, F4): managers and squads (risk, operations) work the action items they own or sit
# on; leads and heads also open them for others, cancel them and run the funnel diagnostics; compliance reads.
_REVIEW_PERMISSIONS: dict[str, set[str]] = {
    Role.DIRECTOR: {Perm.VIEW_REVIEW, Perm.WORK_ACTION_ITEMS, Perm.MANAGE_ACTION_ITEMS},
    Role.REGIONAL_HEAD: {Perm.VIEW_REVIEW, Perm.WORK_ACTION_ITEMS, Perm.MANAGE_ACTION_ITEMS},
    Role.TEAM_LEAD: {Perm.VIEW_REVIEW, Perm.WORK_ACTION_ITEMS, Perm.MANAGE_ACTION_ITEMS},
    Role.ACCOUNT_MANAGER: {Perm.VIEW_REVIEW, Perm.WORK_ACTION_ITEMS},
    Role.RISK_OFFICER: {Perm.VIEW_REVIEW, Perm.WORK_ACTION_ITEMS},
    Role.COMPLIANCE_OFFICER: {Perm.VIEW_REVIEW},
    Role.OPERATIONS: {Perm.VIEW_REVIEW, Perm.WORK_ACTION_ITEMS},
}
ROLE_PERMISSIONS.update({role: ROLE_PERMISSIONS[role] | perms for role, perms in _REVIEW_PERMISSIONS.items()})

# customer portrait: the director keeps tag definitions, tier policy and questionnaires; everyone in sales
# builds segments within their own scope (a manager's segment counts only own customers).
_PORTRAIT_PERMISSIONS: dict[str, set[str]] = {
    Role.DIRECTOR: {Perm.MANAGE_TAGS, Perm.BUILD_SEGMENTS},
    Role.REGIONAL_HEAD: {Perm.BUILD_SEGMENTS},
    Role.TEAM_LEAD: {Perm.BUILD_SEGMENTS},
    Role.ACCOUNT_MANAGER: {Perm.BUILD_SEGMENTS},
}
ROLE_PERMISSIONS.update({role: ROLE_PERMISSIONS[role] | perms for role, perms in _PORTRAIT_PERMISSIONS.items()})

# insights (B9, F1): the command centre, each user on the own scope (the bank, the region, the team, the own
# figures); risk and compliance read the whole bank's.
_INSIGHTS_PERMISSIONS: dict[str, set[str]] = {
    role: {Perm.VIEW_INSIGHTS} for role in (Role.DIRECTOR, Role.REGIONAL_HEAD, Role.TEAM_LEAD, Role.ACCOUNT_MANAGER,
                                            Role.RISK_OFFICER, Role.COMPLIANCE_OFFICER)
}
ROLE_PERMISSIONS.update({role: ROLE_PERMISSIONS[role] | perms for role, perms in _INSIGHTS_PERMISSIONS.items()})

# compliance desk (C7-C9): compliance officers screen, review, keep the register and run drills (maker-checker
# between two officers); the director reads.
_COMPLIANCE_DESK_PERMISSIONS: dict[str, set[str]] = {
    Role.DIRECTOR: {Perm.VIEW_COMPLIANCE},
    Role.COMPLIANCE_OFFICER: {Perm.VIEW_COMPLIANCE, Perm.WORK_COMPLIANCE},
}
ROLE_PERMISSIONS.update({role: ROLE_PERMISSIONS[role] | perms
                         for role, perms in _COMPLIANCE_DESK_PERMISSIONS.items()})

# market (B1, B12, F5, E2, E3, F7): the director and regional heads keep the market data, competitor moves,
# change requests and pilots; a pricing proposal is approved by the director, never by whoever raised it;
# the front line records market feedback; operations reads its capacity.
_MARKET_PERMISSIONS: dict[str, set[str]] = {
    Role.DIRECTOR: {Perm.VIEW_MARKET, Perm.MANAGE_MARKET, Perm.APPROVE_PRICING, Perm.RECORD_MARKET_FEEDBACK},
    Role.REGIONAL_HEAD: {Perm.VIEW_MARKET, Perm.MANAGE_MARKET, Perm.RECORD_MARKET_FEEDBACK},
    Role.TEAM_LEAD: {Perm.RECORD_MARKET_FEEDBACK},
    Role.ACCOUNT_MANAGER: {Perm.RECORD_MARKET_FEEDBACK},
    Role.OPERATIONS: {Perm.VIEW_MARKET},
}
ROLE_PERMISSIONS.update({role: ROLE_PERMISSIONS[role] | perms for role, perms in _MARKET_PERMISSIONS.items()})

# channels (E4-E6): the director and regional heads prepare admissions, terms and reviews; head office (the
# director or compliance) approves them, never whoever prepared them; risk reads the partners' books.
_CHANNEL_PERMISSIONS: dict[str, set[str]] = {
    Role.DIRECTOR: {Perm.VIEW_CHANNELS, Perm.MANAGE_CHANNELS, Perm.APPROVE_CHANNELS},
    Role.REGIONAL_HEAD: {Perm.VIEW_CHANNELS, Perm.MANAGE_CHANNELS},
    Role.COMPLIANCE_OFFICER: {Perm.VIEW_CHANNELS, Perm.APPROVE_CHANNELS},
    Role.RISK_OFFICER: {Perm.VIEW_CHANNELS},
}
ROLE_PERMISSIONS.update({role: ROLE_PERMISSIONS[role] | perms for role, perms in _CHANNEL_PERMISSIONS.items()})

# service (D8, D9, E7): operations and managers take in and handle complaints; the director (or a regional
# head) approves extensions and referral rewards; compliance reads.
_SERVICE_PERMISSIONS: dict[str, set[str]] = {
    Role.DIRECTOR: {Perm.VIEW_SERVICE, Perm.WORK_COMPLAINTS, Perm.APPROVE_SERVICE},
    Role.REGIONAL_HEAD: {Perm.VIEW_SERVICE, Perm.WORK_COMPLAINTS, Perm.APPROVE_SERVICE},
    Role.TEAM_LEAD: {Perm.VIEW_SERVICE, Perm.WORK_COMPLAINTS},
    Role.ACCOUNT_MANAGER: {Perm.VIEW_SERVICE, Perm.WORK_COMPLAINTS},
    Role.OPERATIONS: {Perm.VIEW_SERVICE, Perm.WORK_COMPLAINTS},
    Role.COMPLIANCE_OFFICER: {Perm.VIEW_SERVICE},
}
ROLE_PERMISSIONS.update({role: ROLE_PERMISSIONS[role] | perms for role, perms in _SERVICE_PERMISSIONS.items()})
