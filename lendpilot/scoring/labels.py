"""How pages name a scorecard's characteristics and bins: the applicant facts the bank's scorecards use by
their label; a column of a trained file the bank named itself stays as written (shown as code)."""

import re

from django.utils.translation import gettext_lazy as _

FEATURE_LABELS = {
    "age": _("Age"),
    "monthly_income": _("Monthly income"),
    "monthly_debt_payments": _("Monthly debt payments"),
    "debt_to_income": _("Debt-to-income ratio"),
    "employment_years": _("Years in employment"),
    "bureau_inquiries_6m": _("Credit bureau inquiries, last 6 months"),
    "bureau_overdue_24m": _("Overdue records at the credit bureau, last 24 months"),
    "credit_history_months": _("Length of credit history (months)"),
    "industry": _("Industry"),
    "collateral_value": _("Collateral value"),
}
INFINITY = re.compile(r"(?<![\w.])(-?)inf(?![\w])")


def feature_label(name: str) -> str | None:
    """The label of a known characteristic, None for a column only its file knows."""
    label = FEATURE_LABELS.get(name)
    return str(label) if label is not None else None


def bin_label(label: str) -> str:
    """A bin as a reader writes intervals: `(-inf, 24.50)` -> `(−∞, 24.50)`, `[0.50, inf)` -> `[0.50, ∞)`."""
    return INFINITY.sub(lambda m: ("−" if m.group(1) else "") + "∞", label)
