"""Words for the codes the talent reads return, so pages and exports never show a raw code."""

from django.utils.translation import gettext_lazy as _

from lendpilot.talent.models import EmployeeRecord, ReviewDecision, Source

BAND_LABELS = {
    "under_25": _("under 25"), "25_29": _("25 to 29"), "30_34": _("30 to 34"), "35_39": _("35 to 39"),
    "40_49": _("40 to 49"), "50_plus": _("50 and over"), "unknown": _("not recorded"),
    "under_1": _("under 1 year"), "1_3": _("1 to 3 years"), "3_5": _("3 to 5 years"), "5_plus": _("5 years and more"),
    **dict(EmployeeRecord.Gender.choices), **dict(Source.choices), **dict(ReviewDecision.Kind.choices),
    "—": "—",
}
DIMENSIONS = {"gender": _("Gender"), "age": _("Age band"), "tenure": _("Tenure"), "background": _("Background")}
BOX_NAMES = {
    1: _("Low performance, low potential"), 2: _("Low performance, medium potential"),
    3: _("Low performance, high potential"), 4: _("Medium performance, low potential"),
    5: _("Medium performance, medium potential"), 6: _("Medium performance, high potential"),
    7: _("High performance, low potential"), 8: _("High performance, medium potential"),
    9: _("High performance, high potential"),
}


def label(code: str):
    return BAND_LABELS.get(code, code)


def balance_rows(balance: dict) -> list[dict]:
    """The balance report as rows: (scope, dimension, [(value, share)])."""
    rows = []
    scopes = [(_("All teams"), balance["overall"])] + list(balance["teams"].items())
    for scope, dims in scopes:
        for dim, title in DIMENSIONS.items():
            rows.append({"scope": scope, "dimension": title,
                         "shares": [(label(k), v) for k, v in dims[dim].items()]})
    return rows
