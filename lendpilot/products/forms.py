"""Forms of the product pages. Rates and the loan-to-value cap are entered in percent, as people
quote them (4.35 means 4.35%); the services store fractions and check every range."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from lendpilot.core.forms import BootstrapForm
from lendpilot.core.reference import ProductCategory, RepaymentMethod
from lendpilot.products.models import FundingNode, Product

PERCENT_FIELDS = ("min_annual_rate", "max_annual_rate", "max_ltv", "settlement_fee_rate")
HUNDRED = Decimal(100)
OPTIONAL_TERMS = ("penalty_multiplier", "allocation_order", "settlement_fee_rate")
ALLOCATION_ORDERS = [
    ("penalty,interest,principal", _("Penalty, interest, principal")),
    ("interest,penalty,principal", _("Interest, penalty, principal")),
    ("principal,interest,penalty", _("Principal, interest, penalty")),
    ("interest,principal,penalty", _("Interest, principal, penalty")),
]


def as_percent(fraction: Decimal | None) -> str:
    """0.0435 -> "4.35", for the initial value of a percent field."""
    if fraction is None:
        return ""
    text = f"{(fraction * HUNDRED).quantize(Decimal('0.0001')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class ProductFilterForm(BootstrapForm):
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("All categories")), *ProductCategory.choices])
    active_only = forms.BooleanField(label=_("Active only"), required=False)

    def criteria(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"category": data.get("category") or None, "active_only": bool(data.get("active_only"))}


class ProductForm(BootstrapForm):
    code = forms.CharField(label=_("Code"), max_length=32)
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=100)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100)
    category = forms.ChoiceField(label=_("Category"), choices=ProductCategory.choices)
    min_amount = forms.DecimalField(label=_("Minimum amount (CNY)"), max_digits=16, decimal_places=2)
    max_amount = forms.DecimalField(label=_("Maximum amount (CNY)"), max_digits=16, decimal_places=2)
    min_term_months = forms.IntegerField(label=_("Minimum term (months)"))
    max_term_months = forms.IntegerField(label=_("Maximum term (months)"))
    min_annual_rate = forms.DecimalField(label=_("Minimum annual rate (%)"), max_digits=9, decimal_places=4)
    max_annual_rate = forms.DecimalField(label=_("Maximum annual rate (%)"), max_digits=9, decimal_places=4)
    repayment_methods = forms.MultipleChoiceField(label=_("Repayment methods"), required=False,
                                                  choices=RepaymentMethod.choices,
                                                  widget=forms.CheckboxSelectMultiple)
    collateral = forms.ChoiceField(label=_("Collateral"), choices=Product.Collateral.choices)
    max_ltv = forms.DecimalField(label=_("Maximum loan-to-value (%)"), required=False, max_digits=7,
                                 decimal_places=2, help_text=_("Required when collateral is required."))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    scenario = forms.ChoiceField(label=_("Scenario"), required=False,
                                 choices=[("", _("General product")), *FundingNode.choices])
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    penalty_multiplier = forms.DecimalField(label=_("Penalty rate multiplier"), max_digits=5, decimal_places=3,
                                            initial=Decimal("1.5"), required=False,
                                            help_text=_("Penalty rate = contract rate x this (1 to 1.5)."))
    allocation_order = forms.ChoiceField(label=_("Allocation order of repayments"), choices=ALLOCATION_ORDERS,
                                         initial="penalty,interest,principal", required=False)
    roll_business_days = forms.BooleanField(label=_("Due dates on holidays roll to the next business day"),
                                            required=False, initial=True)
    settlement_fee_rate = forms.DecimalField(label=_("Early settlement fee (percent of principal repaid early)"),
                                             max_digits=9, decimal_places=4, initial=Decimal("0"), required=False)

    def __init__(self, *args, product: Product | None = None, **kwargs):
        if product is not None:
            initial = {name: getattr(product, name) for name in self.base_fields}
            initial.update({name: as_percent(getattr(product, name)) for name in PERCENT_FIELDS})
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.product = product
        if product is not None:
            # The code identifies the product in contracts and the API; it is fixed once created.
            self.fields["code"].disabled = True
        else:
            # A new product starts as a draft: it goes live once compliance cleared its terms (C7).
            self.fields["is_active"].initial = False
        self.fields["is_active"].help_text = _("A product goes live only with a terms version that compliance "
                                               "cleared: save it inactive, submit it for review, then activate it.")

    def terms(self) -> dict:
        """The cleaned values as the services take them: rates and the cap as fractions."""
        terms = dict(self.cleaned_data)
        for name in PERCENT_FIELDS:
            if terms.get(name) is not None:
                terms[name] = terms[name] / HUNDRED
        # Money terms left empty keep the product's defaults (or its current values on an edit).
        for name in OPTIONAL_TERMS:
            if terms.get(name) in (None, ""):
                terms.pop(name, None)
        return terms

    def changes(self) -> dict:
        terms = self.terms()
        return {name: terms[name] for name in self.changed_data if name != "code" and name in terms}
