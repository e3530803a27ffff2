"""Where a page sits in the site's navigation: the seven menu groups of the top bar and, for every page, its
group and section (the menu entry it belongs to), for the breadcrumbs.

The menu itself, with each entry's permission check, is the template `core/base.html`; this module only names
the groups and maps a resolved URL (its namespace and name) to them. Pure: no ORM, no package imports, so the
lowest floor can hold it.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

DESK, CUSTOMERS, LENDING, RISK, PERFORMANCE, ANALYSIS, ADMINISTRATION = (
    "desk", "customers", "lending", "risk", "performance", "analysis", "administration")
# The context is written out in each call: xgettext extracts literal arguments only.
GROUPS: dict[str, Promise] = {
    DESK: pgettext_lazy("navigation group", "Home"),
    CUSTOMERS: pgettext_lazy("navigation group", "Customers & sales"),
    LENDING: pgettext_lazy("navigation group", "Lending"),
    RISK: pgettext_lazy("navigation group", "Risk"),
    PERFORMANCE: pgettext_lazy("navigation group", "Performance & incentives"),
    ANALYSIS: pgettext_lazy("navigation group", "Analysis"),
    ADMINISTRATION: pgettext_lazy("navigation group", "Administration"),
}


@dataclass(frozen=True)
class Section:
    """A menu entry: the page it opens (a URL name), its label, its group and the permission (a `Perm` name)
    the menu checks before showing it, which the breadcrumbs check before linking to it ("" for any user)."""

    view_name: str
    label: Promise
    group: str
    permission: str = ""


# Every menu entry of base.html, in menu order (the same labels, so one translation serves both).
SECTIONS: dict[str, Section] = {s.view_name: s for s in (
    Section("home", _("Home"), DESK),
    Section("search", _("Search"), DESK),
    Section("compliance:my_trainings", _("My trainings"), DESK),
    Section("channels:mine", _("My tier"), DESK),
    Section("sales:partner_portal", _("Partner portal"), DESK),
    Section("customers:list", _("Customers"), CUSTOMERS, "VIEW_CUSTOMERS"),
    Section("customers:tags", _("Tags"), CUSTOMERS, "VIEW_CUSTOMERS"),
    Section("customers:segments", _("Segments"), CUSTOMERS, "BUILD_SEGMENTS"),
    Section("sales:kanban", _("Pipeline"), CUSTOMERS, "VIEW_SALES"),
    Section("sales:offers", _("Offers"), CUSTOMERS, "VIEW_SALES"),
    Section("channels:desk", _("Channels"), CUSTOMERS, "VIEW_CHANNELS"),
    Section("market:data", _("Market"), CUSTOMERS, "VIEW_MARKET"),
    Section("market:feedback", _("Market feedback"), CUSTOMERS, "RECORD_MARKET_FEEDBACK"),
    Section("service:complaints", _("Complaints"), CUSTOMERS, "VIEW_SERVICE"),
    Section("products:list", _("Products"), LENDING, "VIEW_PRODUCTS"),
    Section("lending:applications", _("Loan applications"), LENDING, "VIEW_LENDING"),
    Section("lending:loans", _("Loans"), LENDING, "VIEW_LENDING"),
    Section("scoring:overview", _("Scorecards"), RISK, "VIEW_SCORING"),
    Section("monitoring:alerts", _("Alerts"), RISK, "VIEW_MONITORING"),
    Section("compliance:desk", _("Compliance desk"), RISK, "VIEW_COMPLIANCE"),
    Section("planning:plans", _("Target plans"), PERFORMANCE, "VIEW_PLANNING"),
    Section("incentives:statements", _("Incentives"), PERFORMANCE, "VIEW_INCENTIVES"),
    Section("talent:reviews", _("Talent"), PERFORMANCE),
    Section("insights:cockpit", _("Command centre"), ANALYSIS, "VIEW_INSIGHTS"),
    Section("insights:review", _("Review"), ANALYSIS, "VIEW_REVIEW"),
    Section("insights:actions", _("Action items"), ANALYSIS, "VIEW_REVIEW"),
    Section("org:staff_list", _("Staff"), ADMINISTRATION, "VIEW_STAFF"),
    Section("org:team_list", _("Teams"), ADMINISTRATION, "VIEW_STAFF"),
    Section("org:lockouts", _("Sign-in lockouts"), ADMINISTRATION, "VIEW_AUDIT"),
)}
# The section of a page that is no menu entry itself: the longest matching prefix of its URL name
# ("lending:loan_repay" -> Loans), else its namespace's first section.
PREFIXES: dict[str, str] = {
    "customers:tag": "customers:tags",
    "customers:segment": "customers:segments",
    "sales:offer": "sales:offers",
    "sales:lead": "sales:kanban",
    "lending:application": "lending:applications",
    "lending:loan": "lending:loans",
    "lending:contract": "lending:loans",
    "lending:line": "lending:loans",
    "market:feedback": "market:feedback",
    "insights:review": "insights:review",
    "insights:action": "insights:actions",
    "org:staff": "org:staff_list",
    "org:team": "org:team_list",
    "org:lockout": "org:lockouts",
    "compliance:my_training": "compliance:my_trainings",
    "channels:mine": "channels:mine",
}
NAMESPACE_SECTIONS: dict[str, str] = {
    "customers": "customers:list",
    "sales": "sales:kanban",
    "channels": "channels:desk",
    "market": "market:data",
    "service": "service:complaints",
    "products": "products:list",
    "lending": "lending:applications",
    "scoring": "scoring:overview",
    "monitoring": "monitoring:alerts",
    "compliance": "compliance:desk",
    "planning": "planning:plans",
    "incentives": "incentives:statements",
    "talent": "talent:reviews",
    "insights": "insights:cockpit",
    "org": "org:staff_list",
}


def section_of(view_name: str | None) -> Section | None:
    """The menu entry a page belongs to (None for pages outside the menu, such as the sign-in page)."""
    if not view_name:
        return None
    if view_name in SECTIONS:
        return SECTIONS[view_name]
    matches = [prefix for prefix in PREFIXES if view_name.startswith(prefix)]
    if matches:
        return SECTIONS[PREFIXES[max(matches, key=len)]]
    namespace = view_name.split(":", 1)[0] if ":" in view_name else ""
    name = NAMESPACE_SECTIONS.get(namespace)
    return SECTIONS[name] if name else None
