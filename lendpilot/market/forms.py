"""Forms of the market pages: they parse and bound the figures; the services decide and audit."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from lendpilot.core.forms import BootstrapForm
from lendpilot.core.reference import ProductCategory
from lendpilot.market.models import Competitor, MoveKind
from lendpilot.org.models import Branch, Region, Team


def date_input() -> forms.DateInput:
    """A browser date picker; its value must be ISO whatever the language's date format."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def region_choices(*, national: bool) -> list[tuple[str, str]]:
    regions = [(r.code, str(r)) for r in Region.objects.order_by("code")]
    return [("", _("National")), *regions] if national else regions


class IndicatorForm(BootstrapForm):
    code = forms.CharField(label=_("Indicator code"), max_length=40, help_text=_("For example GDP_YOY or PMI."))
    name = forms.CharField(label=_("Name"), max_length=120)
    region = forms.ChoiceField(label=_("Region"), required=False)
    value = forms.DecimalField(label=_("Value"), max_digits=16, decimal_places=4, min_value=Decimal("-1e11"),
                               max_value=Decimal("1e11"))
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    as_of = forms.DateField(label=_("As of"), widget=date_input())
    source = forms.CharField(label=_("Source"), max_length=200)
    max_age_days = forms.IntegerField(label=_("Stale after (days)"), min_value=1, max_value=3650, initial=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices(national=True)


class CompetitorForm(BootstrapForm):
    name = forms.CharField(label=_("Competitor"), max_length=120,
                           help_text=_("Saving a name that exists updates its profile."))
    kind = forms.CharField(label=_("Kind"), max_length=60, required=False,
                           help_text=_("For example city commercial bank or online lender."))
    profile = forms.CharField(label=_("Profile"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    report = forms.CharField(label=_("Latest report"), required=False, max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 3}))
    as_of = forms.DateField(label=_("As of"), widget=date_input())
    source = forms.CharField(label=_("Source"), max_length=200)


class CompetitorMoveForm(BootstrapForm):
    competitor = forms.ModelChoiceField(label=_("Competitor"), queryset=Competitor.objects.all(), empty_label=None)
    kind = forms.ChoiceField(label=_("Kind of move"), choices=MoveKind.choices)
    product = forms.ChoiceField(label=_("Product"), choices=ProductCategory.choices)
    region = forms.ChoiceField(label=_("Region"))
    effective = forms.DateField(label=_("Effective"), widget=date_input())
    apr_pct = forms.DecimalField(label=_("APR (percent)"), max_digits=6, decimal_places=4, min_value=Decimal("0.01"),
                                 max_value=Decimal("35.99"))
    approval_days = forms.DecimalField(label=_("Approval days"), max_digits=5, decimal_places=1, min_value=0,
                                       max_value=365)
    documents = forms.CharField(label=_("Documents"), max_length=300, required=False)
    source = forms.CharField(label=_("Source"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices(national=False)


class IndustryForm(BootstrapForm):
    name = forms.CharField(label=_("Industry"), max_length=120)
    region = forms.ChoiceField(label=_("Region"), required=False)
    growth_pct = forms.DecimalField(label=_("Growth (percent)"), max_digits=7, decimal_places=2,
                                    min_value=Decimal("-99.99"), max_value=Decimal("999.99"))
    financing_need = forms.CharField(label=_("Financing needs"), max_length=2000,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    as_of = forms.DateField(label=_("As of"), widget=date_input())
    source = forms.CharField(label=_("Source"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices(national=True)


def cluster_choices() -> list[tuple[str, str]]:
    """Teams and branches a pilot can run in, as `team:<code>` / `branch:<code>` with a readable label."""
    teams = [(f"team:{t.code}", f"{t.name} ({t.region})") for t in Team.objects.select_related("region")]
    branches = [(f"branch:{b.code}", f"{b} ({b.region})") for b in Branch.objects.select_related("region")]
    return teams + branches


class PilotPlanForm(BootstrapForm):
    name = forms.CharField(label=_("Pilot"), max_length=120)
    change = forms.CharField(label=_("Process change"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    metric = forms.CharField(label=_("Metric"), max_length=80, help_text=_("For example conversion to signing."))
    baseline_pct = forms.DecimalField(label=_("Metric today (percent)"), max_digits=5, decimal_places=2,
                                      min_value=Decimal("0.01"), max_value=Decimal("99.99"))
    target_pct = forms.DecimalField(label=_("Metric to detect (percent)"), max_digits=5, decimal_places=2,
                                    min_value=Decimal("0.01"), max_value=Decimal("99.99"))
    icc = forms.DecimalField(label=_("Intra-cluster correlation"), max_digits=5, decimal_places=4, min_value=0,
                             max_value=Decimal("0.99"), initial=Decimal("0.01"),
                             help_text=_("How alike the cases of one team are; 0.01 to 0.05 is usual."))
    cases_per_cluster = forms.IntegerField(label=_("Expected cases per team or branch"), min_value=1,
                                           max_value=1_000_000)
    clusters = forms.MultipleChoiceField(label=_("Teams and branches"), widget=forms.CheckboxSelectMultiple,
                                         help_text=_("Randomised within their region: half run the change, half "
                                                     "are the control group."))
    pre_starts = forms.DateField(label=_("Pre-period starts"), widget=date_input())
    starts = forms.DateField(label=_("Pilot starts"), widget=date_input())
    ends = forms.DateField(label=_("Pilot ends"), widget=date_input())
    seed = forms.IntegerField(label=_("Random seed"), min_value=0, max_value=1_000_000, initial=1,
                              help_text=_("The same seed draws the same groups."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clusters"].choices = cluster_choices()
