"""Forms of the checkpoint pages."""

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from lendpilot.compliance.checkpoints.models import CheckpointReview
from lendpilot.core.forms import BootstrapForm
from lendpilot.org.help_text import code, marked_help


class ScanForm(BootstrapForm):
    text = forms.CharField(label=_("Marketing text"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 6}))
    has_fees = forms.BooleanField(label=_("The product charges fees"), required=False, initial=True)


class SubmitForm(ScanForm):
    subject_ref = forms.CharField(label=_("Material reference"), max_length=64,
                                  help_text=marked_help(_("For example {product} or {playbook}."),
                                                        product=code("products.product:CREDIT-01@v3"),
                                                        playbook=code("sales.playbook:12")))
    kind = forms.ChoiceField(label=_("Kind"), choices=CheckpointReview.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    field_order = ["subject_ref", "kind", "title", "text", "has_fees"]


class DecisionForm(BootstrapForm):
    checked = forms.MultipleChoiceField(label=_("Checklist"), required=False, widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("Note (required to reject)"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The rule is cited as the regulation names it, in Chinese on either page.
        self.fields["checked"].choices = [(code, format_html('{} (<cite lang="zh-Hans">{}</cite>)', label, law))
                                          for code, label, law in items]
