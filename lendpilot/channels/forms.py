"""The admission application as a channel manager types it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lendpilot.channels.models import Document, Partner
from lendpilot.core.forms import BootstrapForm


class ApplicationForm(BootstrapForm):
    name = forms.CharField(label=_("Partner name"), max_length=120)
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=18)
    kind = forms.ChoiceField(label=_("Kind"), choices=Partner.Kind.choices)
    licence_held = forms.BooleanField(label=_("Holds a valid licence for the activity"), required=False)
    registered_capital = forms.DecimalField(label=_("Registered capital (CNY)"), min_value=0, decimal_places=2)
    regulatory_penalties = forms.IntegerField(label=_("Regulatory penalties in three years"), min_value=0)
    complaints_per_10k = forms.DecimalField(label=_("Complaints per 10,000 customers"), min_value=0,
                                            decimal_places=2)
    data_security_grade = forms.ChoiceField(label=_("Data-security assessment"),
                                            choices=[("A", "A"), ("B", "B"), ("C", "C"), ("D", "D")])
    documents = forms.MultipleChoiceField(label=_("Due-diligence documents received"), choices=Document.Kind.choices,
                                          widget=forms.CheckboxSelectMultiple, required=False)
