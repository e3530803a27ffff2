"""Forms of lead intake: they parse; the lead service decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lendpilot.core.forms import BootstrapForm
from lendpilot.core.reference import Industry
from lendpilot.customers.models import Customer
from lendpilot.org.models import Region
from lendpilot.products.models import Product
from lendpilot.sales.models import Lead


def _products():
    return Product.objects.filter(is_active=True).order_by("code")


class LeadForm(BootstrapForm):
    """A new lead as an account manager, team lead or partner types it."""

    kind = forms.ChoiceField(label=_("kind"), choices=Customer.Kind.choices)
    name = forms.CharField(label=_("name"), max_length=100)
    phone = forms.CharField(label=_("mobile phone"), max_length=20, required=False)
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False)
    credit_code = forms.CharField(label=_("unified social credit code"), max_length=18, required=False)
    industry = forms.ChoiceField(label=_("industry"), choices=Industry.choices)
    region = forms.ModelChoiceField(label=_("region"), queryset=Region.objects.order_by("code"))
    product = forms.ModelChoiceField(label=_("product of interest"), queryset=_products(), required=False)
    amount_wanted = forms.DecimalField(label=_("amount wanted (CNY)"), max_digits=16, decimal_places=2,
                                       required=False)
    source = forms.ChoiceField(label=_("source"), choices=Lead.Source.choices, initial=Lead.Source.DIRECT)
    source_detail = forms.CharField(label=_("note"), max_length=100, required=False)
    hand_over = forms.BooleanField(label=_("Hand over to the region's assignment instead of working it myself"),
                                   required=False)

    def __init__(self, *args, region: Region | None = None, partner: bool = False, keeps: bool = True, **kwargs):
        kwargs.setdefault("initial", {})
        if region is not None:
            kwargs["initial"].setdefault("region", region.pk)
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = _products()
        if partner:
            del self.fields["source"]
        if partner or not keeps:
            del self.fields["hand_over"]

    def lead_values(self) -> dict:
        data = dict(self.cleaned_data)
        data.setdefault("source", Lead.Source.CHANNEL)
        data.setdefault("hand_over", False)
        return data


class ApplicationRequestForm(LeadForm):
    """A partner's application request: a lead with the product, amount, term and purpose asked for."""

    term_months = forms.IntegerField(label=_("term (months)"), min_value=1, max_value=600)
    purpose = forms.CharField(label=_("purpose"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].required = True
        self.fields["amount_wanted"].required = True


class QuickLeadForm(BootstrapForm):
    """The kanban's quick-create: a name, a phone and what they want; the rest from the manager."""

    kind = forms.ChoiceField(label=_("kind"), choices=Customer.Kind.choices)
    name = forms.CharField(label=_("name"), max_length=100)
    phone = forms.CharField(label=_("mobile phone"), max_length=20)
    industry = forms.ChoiceField(label=_("industry"), choices=Industry.choices)
    amount_wanted = forms.DecimalField(label=_("amount wanted (CNY)"), max_digits=16, decimal_places=2,
                                       required=False)


class LeadImportForm(BootstrapForm):
    file = forms.FileField(label=_("Lead file (Excel .xlsx or CSV)"))
    hand_over = forms.BooleanField(label=_("Hand the leads over to the region's assignment"), required=False)
