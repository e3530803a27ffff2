"""Forms of the drill pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lendpilot.compliance.drills.models import LeakDrill
from lendpilot.core.forms import BootstrapForm
from lendpilot.org.help_text import code, marked_help
from lendpilot.org.models import Staff


class CanaryForm(BootstrapForm):
    ref = forms.CharField(label=_("Record reference"), max_length=64,
                          help_text=marked_help(_("For example {reference} for a fake customer planted in the book."),
                                                reference=code("customers.customer:42")))
    label = forms.CharField(label=_("Label"), max_length=120, required=False)


class DrillForm(BootstrapForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    scenario = forms.ChoiceField(label=_("Scenario"), choices=LeakDrill.Scenario.choices)
    scheduled_for = forms.DateField(label=_("Scheduled for"), widget=forms.DateInput(attrs={"type": "date"}))
    plan = forms.CharField(label=_("Plan"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class DrillResultForm(BootstrapForm):
    result = forms.ChoiceField(label=_("Result"), choices=[c for c in LeakDrill.Result.choices if c[0]])
    run_on = forms.DateField(label=_("Run on"), widget=forms.DateInput(attrs={"type": "date"}))
    detection_minutes = forms.IntegerField(label=_("Minutes to detection"), min_value=0, max_value=100_000,
                                           required=False)
    findings = forms.CharField(label=_("Findings"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))


class DrillFixForm(BootstrapForm):
    description = forms.CharField(label=_("Fix"), max_length=300)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=Staff.objects.filter(is_active=True).order_by("name"))
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
