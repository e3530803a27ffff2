"""Commission statements in words for the pages: each line says what it pays for and how it was reached,
each version says what changed, in the reader's language. The stored rule codes stay the data."""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lendpilot.core.reference import ProductCategory
from lendpilot.incentives.commission import rule_family


def _cny(amount) -> str:
    return f"{Decimal(amount):,.2f}"


def _pct(fraction) -> str:
    text = f"{(Decimal(fraction) * 100).quantize(Decimal('0.0001')):f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _times(multiplier) -> str:
    return f"{Decimal(multiplier).normalize():f}x"


def _category(family: str) -> str:
    code = family.split(":", 1)[1] if ":" in family else family
    if code in ProductCategory.values:
        return str(ProductCategory(code).label)
    return _("other products")


def line_in_words(*, rule: str, loan_number: str, basis, rate, multiplier) -> str:
    """One statement line as a sentence."""
    family = rule_family(rule)
    if rule.startswith("rate:"):
        return _("Loan %(loan)s (%(category)s): %(rate)s of %(basis)s CNY disbursed, times %(times)s for the "
                 "attainment band") % {"loan": loan_number, "category": _category(family), "rate": _pct(rate),
                                       "basis": _cny(basis), "times": _times(multiplier)}
    if family == "bonus":
        band = rule.split(":", 1)[1] if ":" in rule else "0"
        return _("Bonus for reaching %(band)s of quota") % {"band": _pct(band)}
    if family == "clawback":
        return _("Clawback: loan %(loan)s turned non-performing soon after disbursement; %(share)s of its "
                 "commission (%(rate)s of %(basis)s CNY) is taken back") % {
            "loan": loan_number, "share": _pct(multiplier), "rate": _pct(rate), "basis": _cny(basis)}
    if family == "cap":
        return _("Cap: the plan pays at most its monthly maximum; the amount above it is not paid")
    return rule


def changes_in_words(changes: dict) -> list[str]:
    """What a recalculation changed, one sentence per change."""
    labels = {"quota": _("Quota"), "disbursed": _("Disbursed"), "total": _("Commission")}
    out = []
    for key in ("disbursed", "quota", "total"):
        if key in changes:
            old, new = changes[key]
            out.append(_("%(what)s: %(old)s → %(new)s CNY") % {"what": labels[key], "old": _cny(old),
                                                              "new": _cny(new)})
    if "attainment" in changes:
        old, new = changes["attainment"]
        out.append(_("Attainment: %(old)s → %(new)s") % {"old": _pct(old) if old is not None else "—",
                                                         "new": _pct(new) if new is not None else "—"})
    if "multiplier" in changes:
        old, new = changes["multiplier"]
        out.append(_("Band multiplier: %(old)s → %(new)s") % {"old": _times(old), "new": _times(new)})
    if "plan" in changes:
        old, new = changes["plan"]
        out.append(_("Commission plan: version %(old)s → version %(new)s") % {"old": old, "new": new})
    if changes.get("loans_added"):
        n = changes["loans_added"]
        out.append(ngettext("%(n)s loan came onto the statement", "%(n)s loans came onto the statement", n) % {"n": n})
    if changes.get("loans_removed"):
        n = changes["loans_removed"]
        out.append(ngettext("%(n)s loan left the statement", "%(n)s loans left the statement", n) % {"n": n})
    return out
