"""Forms of the sales pages: they parse; the services decide."""

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from lendpilot.core.forms import BootstrapForm
from lendpilot.core.reference import Industry, RepaymentMethod
from lendpilot.products.models import FundingNode, Product
from lendpilot.sales.funnel import LossReason, Node
from lendpilot.sales.models import Activity, Lead, PlaybookEntry, TriggerRule


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


class AssignmentFilterForm(BootstrapForm):
    """Narrows the leads on the assignment screen; "select all" then selects what is shown."""

    source = forms.ChoiceField(label=_("source"), choices=[("", _("All sources")), *Lead.Source.choices],
                               required=False)
    industry = forms.ChoiceField(label=_("industry"), choices=[("", _("All industries")), *Industry.choices],
                                 required=False)
    product = forms.ModelChoiceField(label=_("product"), queryset=Product.objects.filter(is_active=True),
                                     required=False, empty_label=_("All products"))


# --- scenario triggers and offers (B3, D3) ---------------------------------------------------------

class TriggerRuleForm(BootstrapForm):
    """A trigger rule as typed; products are picked in order (the first the band reaches is offered)."""

    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=100)
    node = forms.ChoiceField(label=_("Funding node"), choices=FundingNode.choices)
    tag_code = forms.CharField(label=_("Tag"), max_length=60, required=False,
                               help_text=_("Code of a portrait tag the customer must carry."))
    # The condition is written in the tag rule language: not text for the browser to translate.
    condition = forms.CharField(label=_("Condition"), required=False, widget=forms.Textarea(
        attrs={"rows": 2, "translate": "no", "spellcheck": "false", "class": "form-control font-monospace"}))
    product_ids = forms.ModelMultipleChoiceField(label=_("Products"), required=False,
                                                 queryset=Product.objects.filter(is_active=True).order_by(
                                                     "-scenario", "code"),
                                                 widget=forms.CheckboxSelectMultiple)
    amount_basis = forms.ChoiceField(label=_("Amount basis"), choices=TriggerRule.AmountBasis.choices)
    low_ratio = forms.DecimalField(label=_("Band low (share of the basis)"), max_digits=6, decimal_places=4)
    high_ratio = forms.DecimalField(label=_("Band high (share of the basis)"), max_digits=6, decimal_places=4)
    validity_days = forms.IntegerField(label=_("Offer valid for (days)"), initial=30)
    cooldown_days = forms.IntegerField(label=_("Same node again after (days)"), initial=90)
    max_offers = forms.IntegerField(label=_("Offers per customer at most"), initial=2)
    window_days = forms.IntegerField(label=_("Per window (days)"), initial=30)
    channel = forms.ChoiceField(label=_("Channel"), choices=TriggerRule.Channel.choices)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, rule: TriggerRule | None = None, **kwargs):
        if rule is not None:
            initial = {name: getattr(rule, name) for name in self.base_fields if name != "product_ids"}
            initial["product_ids"] = list(rule.rule_products.values_list("product_id", flat=True))
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["condition"].help_text = format_html(
            str(_("Tag rule language, e.g. {example}.")),
            example=format_html("<code>{}</code>", 'equipment_purchases_12m >= 1 and industry == "C"'))

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["product_ids"] = [p.pk for p in data["product_ids"]]
        return data


class DeclineForm(BootstrapForm):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class PlaybookEntryForm(forms.Form):
    """A new script or objection answer; it is saved as a draft for compliance to review (C7)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=PlaybookEntry.Kind.choices)
    node = forms.ChoiceField(label=_("Funnel node (scripts)"), choices=[("", "—"), *Node.choices], required=False)
    objection = forms.ChoiceField(label=_("Objection (answers)"), choices=[("", "—"), *LossReason.choices],
                                  required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field, forms.ChoiceField)
                                          else "form-control")
