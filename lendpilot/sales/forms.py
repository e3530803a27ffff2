"""Forms of the sales pages: they parse; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lendpilot.core.forms import BootstrapForm
from lendpilot.core.reference import RepaymentMethod
from lendpilot.products.models import Product
from lendpilot.sales.funnel import LossReason, Node
from lendpilot.sales.models import Activity, Lead


class MoveForm(BootstrapForm):
    node = forms.ChoiceField(label=_("node"), choices=Node.choices)
    loss_reason = forms.ChoiceField(label=_("loss reason"), choices=[("", "—"), *LossReason.choices], required=False)
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class ActivityForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("kind"), choices=Activity.Kind.choices)
    outcome = forms.ChoiceField(label=_("outcome"), choices=Activity.Outcome.choices)
    notes = forms.CharField(label=_("notes"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    next_step = forms.CharField(label=_("next step"), max_length=200, required=False)
    next_step_on = forms.DateField(label=_("next step due"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))


class ProposalForm(BootstrapForm):
    product = forms.ModelChoiceField(label=_("product"), queryset=Product.objects.filter(is_active=True))
    amount = forms.DecimalField(label=_("amount (CNY)"), max_digits=16, decimal_places=2, min_value=0)
    term_months = forms.IntegerField(label=_("term (months)"), min_value=1, max_value=600)
    repayment_method = forms.ChoiceField(label=_("repayment method"), choices=RepaymentMethod.choices)
    annual_rate = forms.DecimalField(label=_("annual rate"), max_digits=7, decimal_places=6, min_value=0,
                                     help_text=_("a fraction: 0.0435 is 4.35%"))
    purpose = forms.CharField(label=_("purpose"), max_length=100, required=False)
    cash_flow_cycle = forms.CharField(label=_("cash-flow cycle"), max_length=100, required=False)


class LeadFilterForm(BootstrapForm):
    status = forms.ChoiceField(label=_("status"), choices=[("", _("All statuses")), *Lead.Status.choices],
                               required=False)
    q = forms.CharField(label=_("search"), max_length=100, required=False)
