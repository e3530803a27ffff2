"""The admission application as a channel manager types it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lendpilot.channels.models import Course, Document, Partner, PartnerStaff
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


class CourseForm(BootstrapForm):
    code = forms.CharField(label=_("Course code"), max_length=20)
    title = forms.CharField(label=_("Title"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=Course.Kind.choices)
    pass_score = forms.IntegerField(label=_("Pass score"), min_value=1, max_value=100, initial=60)


class StaffForm(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=60)
    employee_ref = forms.CharField(label=_("Partner's employee number"), max_length=30)


class PartnerStaffForm(StaffForm):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.filter(status__in=Partner.LISTED))
    field_order = ["partner", "name", "employee_ref"]


class ResultForm(BootstrapForm):
    staff = forms.ModelChoiceField(label=_("Member of a partner's staff"),
                                   queryset=PartnerStaff.objects.filter(active=True).select_related("partner"))
    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.filter(active=True))
    score = forms.IntegerField(label=_("Score"), min_value=0, max_value=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].label_from_instance = lambda m: f"{m.partner.name} · {m.name} ({m.employee_ref})"


class ToolkitForm(BootstrapForm):
    title = forms.CharField(label=_("Title"), max_length=120)
    text = forms.CharField(label=_("Text of the material"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 4}))
