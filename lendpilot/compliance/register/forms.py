"""Forms of the register pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lendpilot.compliance.register.models import RegulatoryDocument
from lendpilot.core.forms import BootstrapForm
from lendpilot.org.help_text import chinese, marked_help
from lendpilot.org.models import Staff
from lendpilot.org.roles import Role


class DocumentForm(BootstrapForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    number = forms.CharField(label=_("Document number"), max_length=80,
                             help_text=marked_help(_("For example {number}."), number=chinese("银发〔2025〕12号")))
    issuer = forms.ChoiceField(label=_("Issuer"), choices=RegulatoryDocument.Issuer.choices)
    effective_date = forms.DateField(label=_("Effective date"), widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(label=_("Status"), choices=RegulatoryDocument.Status.choices,
                               initial=RegulatoryDocument.Status.IN_FORCE)
    summary = forms.CharField(label=_("Summary"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))


class DocumentStatusForm(BootstrapForm):
    status = forms.ChoiceField(label=_("Status"), choices=RegulatoryDocument.Status.choices)
    summary = forms.CharField(label=_("Summary"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class RevisionForm(BootstrapForm):
    section = forms.CharField(label=_("Manual section"), max_length=120)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=Staff.objects.filter(is_active=True).order_by("name"))
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))


class TrainingForm(BootstrapForm):
    title = forms.CharField(label=_("Training"), max_length=200)
    deadline = forms.DateField(label=_("Attestation deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    roles = forms.MultipleChoiceField(label=_("Roles (none: every staff member)"), choices=Role.choices,
                                      required=False, widget=forms.CheckboxSelectMultiple)
