"""How the answers of the needs questionnaire (D1) read on a page: each choice code of the standard questions
(`customers.rules`: purposes, cash-flow cycles, collateral, risk appetites) with its label in the reader's
language. The stored answers, the tag rules and the API keep the codes. A question published with choices of
its own may give each choice as {"value", "label_zh", "label_en"}; a code nobody labelled reads as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import get_language, gettext, pgettext_lazy

ANSWER_LABELS: dict[str, dict[str, Promise]] = {
    "purpose": {
        "working_capital": pgettext_lazy("loan purpose", "Working capital"),
        "expansion": pgettext_lazy("loan purpose", "Expanding production"),
        "equipment": pgettext_lazy("loan purpose", "Buying equipment"),
        "technology": pgettext_lazy("loan purpose", "Technology upgrade"),
        "stocking": pgettext_lazy("loan purpose", "Stocking up"),
        "refinance": pgettext_lazy("loan purpose", "Refinancing"),
        "consumption": pgettext_lazy("loan purpose", "Personal consumption"),
        "other": pgettext_lazy("loan purpose", "Other"),
    },
    "cashflow_cycle": {
        "monthly": pgettext_lazy("cash-flow cycle", "Monthly"),
        "quarterly": pgettext_lazy("cash-flow cycle", "Quarterly"),
        "seasonal": pgettext_lazy("cash-flow cycle", "Seasonal"),
        "project": pgettext_lazy("cash-flow cycle", "Per project"),
        "irregular": pgettext_lazy("cash-flow cycle", "Irregular"),
    },
    "collateral": {
        "none": pgettext_lazy("collateral", "None"),
        "property": pgettext_lazy("collateral", "Property"),
        "equipment": pgettext_lazy("collateral", "Equipment"),
        "receivables": pgettext_lazy("collateral", "Receivables"),
        "guarantee": pgettext_lazy("collateral", "Third-party guarantee"),
        "deposit": pgettext_lazy("collateral", "Deposit pledge"),
    },
    "risk_appetite": {
        "conservative": pgettext_lazy("risk appetite", "Conservative"),
        "balanced": pgettext_lazy("risk appetite", "Balanced"),
        "aggressive": pgettext_lazy("risk appetite", "Aggressive"),
    },
}
# The columns of `CustomerNeeds` whose values are choice codes (named like their questions).
CHOICE_COLUMNS = tuple(ANSWER_LABELS)


def _english() -> bool:
    return (get_language() or "").startswith("en")


def choice_value(choice: Any) -> Any:
    """The stored value of a choice as a question lists it (a code, or a dict with "value")."""
    return choice.get("value") if isinstance(choice, Mapping) else choice


def choice_label(question_code: str, choice: Any) -> str:
    """The label of one of a question's choices, in the reader's language."""
    if isinstance(choice, Mapping):
        own = choice.get("label_en") if _english() else choice.get("label_zh")
        if own:
            return str(own)
    return answer_label(question_code, choice_value(choice))


def answer_label(question_code: str, value: Any) -> str:
    """An answer as the reader reads it: a choice's label, yes or no, or the value itself."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    label = ANSWER_LABELS.get(question_code, {}).get(str(value))
    return str(label) if label is not None else str(value)


def needs_shown(needs: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A customer's needs (as `selectors.customer_portrait` gives them) with the choice columns labelled."""
    if needs is None:
        return None
    return {**needs, **{column: answer_label(column, needs.get(column)) for column in CHOICE_COLUMNS}}
