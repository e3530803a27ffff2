"""Forms of the lending pages; the services do the real validation and their field errors land on the form."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lendpilot.core.forms import BootstrapForm
from lendpilot.core.reference import RepaymentMethod
from lendpilot.lending.models import Collateral, CrossCheck, Decision
from lendpilot.lending.services.applications import APPLICANT_FACTS

# The red flags the policy rules know (E1), labelled for the page.
BUREAU_FLAG_CHOICES = [
    ("fraud", _("Fraud record")),
    ("court_enforcement", _("Court enforcement record")),
    ("write_off", _("Written-off debt")),
    ("current_overdue", _("Currently overdue")),
    ("guarantee_default", _("Default on a guarantee given")),
]


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's field errors on the matching form fields (others on the form itself)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class ApplicationForm(forms.Form):
    applicant = forms.TypedChoiceField(label=_("Applicant"), coerce=int)
    product = forms.TypedChoiceField(label=_("Product"), coerce=int)
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=16, decimal_places=2)
    term_months = forms.IntegerField(label=_("Term (months)"), min_value=1, max_value=600)
    repayment_method = forms.ChoiceField(label=_("Repayment method"), choices=RepaymentMethod.choices)
    annual_rate = forms.DecimalField(label=_("Annual rate (e.g. 0.0800)"), max_digits=7, decimal_places=6)
    fee_amount = forms.DecimalField(label=_("Upfront fees (CNY)"), max_digits=16, decimal_places=2, initial=0)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    partner = forms.TypedChoiceField(label=_("Channel partner (joint lending)"), coerce=int, required=False,
                                     empty_value=None,
                                     help_text=_("The listed partner that brought the case in, when it funds a "
                                                 "share of the loan; its joint-lending limits apply at payout."))
    monthly_income = forms.DecimalField(label=_("Monthly income (CNY)"), max_digits=16, decimal_places=2)
    monthly_debt_payments = forms.DecimalField(label=_("Existing monthly debt payments (CNY)"), max_digits=16,
                                               decimal_places=2, initial=0)
    # Applicant facts for the pre-screen engine; age, industry and region come from the customer record.
    employment_years = forms.DecimalField(label=_("Years employed / in business"), max_digits=5, decimal_places=1)
    bureau_inquiries_6m = forms.IntegerField(label=_("Credit bureau inquiries (last 6 months)"), initial=0,
                                             min_value=0)
    bureau_overdue_24m = forms.IntegerField(label=_("Overdue records (last 24 months)"), initial=0,
                                            min_value=0)
    bureau_flags = forms.MultipleChoiceField(label=_("Credit report red flags"), required=False,
                                             choices=BUREAU_FLAG_CHOICES, widget=forms.CheckboxSelectMultiple)
    collateral_value = forms.DecimalField(label=_("Collateral value (CNY)"), max_digits=16, decimal_places=2,
                                          required=False)
    age = forms.IntegerField(label=_("Age of the applicant (or of the legal representative)"), required=False,
                             help_text=_("Taken from the ID number when the customer record has it."))

    def __init__(self, *args, customers=(), products=(), partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applicant"].choices = [(c.pk, c.name) for c in customers]
        self.fields["product"].choices = [(p.pk, p.name) for p in products]
        self.fields["partner"].choices = [("", _("None: the bank lends alone"))] + [(p.pk, p.name) for p in partners]
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxSelectMultiple):
                continue
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field, forms.ChoiceField)
                                          else "form-control")

    def split(self) -> tuple[dict, dict]:
        """(application terms, applicant facts for the pre-screen) from the cleaned data."""
        data = dict(self.cleaned_data)
        facts = {name: data.pop(name) for name in APPLICANT_FACTS if name in data}
        return data, facts


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=Decision.Outcome.choices,
                                widget=forms.Select(attrs={"class": "form-select"}))
    reason = forms.CharField(label=_("Reason"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))
    condition_amount = forms.DecimalField(label=_("Condition: lower amount"), required=False,
                                          widget=forms.NumberInput(attrs={"class": "form-control"}))
    condition_rate = forms.DecimalField(label=_("Condition: higher rate"), required=False,
                                        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.0001"}))
    condition_collateral = forms.CharField(label=_("Condition: extra collateral"), required=False,
                                           widget=forms.TextInput(attrs={"class": "form-control"}))
    expected_step = forms.IntegerField(widget=forms.HiddenInput)

    def conditions(self) -> dict | None:
        data = self.cleaned_data
        conditions = {"amount": data.get("condition_amount"), "annual_rate": data.get("condition_rate"),
                      "extra_collateral": data.get("condition_collateral")}
        conditions = {k: v for k, v in conditions.items() if v not in (None, "")}
        return conditions or None


class RepaymentForm(BootstrapForm):
    """A repayment the borrower made at the counter: regular, early repayment (提前还款) or early settlement
    (提前结清); the settlement quote of the value date is shown beside it."""

    kind = forms.ChoiceField(label=_("Kind"), choices=[
        ("regular", _("Regular repayment (beyond what is due is held as credit)")),
        ("prepayment", _("Early repayment: the schedule is recalculated")),
        ("settlement", _("Early settlement: the loan is closed at the quote")),
    ], initial="regular")
    prepayment_mode = forms.ChoiceField(label=_("After an early repayment"), choices=[
        ("reduce_payment", _("Lower instalment, same term")),
        ("shorten_term", _("Same instalment, shorter term")),
    ], initial="reduce_payment", required=False)
    value_date = forms.DateField(label=_("Value date"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=16, decimal_places=2, min_value=0.01)
    external_ref = forms.CharField(label=_("Payment reference"), max_length=64)


class CollateralForm(BootstrapForm):
    """Valued collateral registered on a case; the loan-to-value counts it instead of the stated value."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Collateral.Kind.choices)
    description = forms.CharField(label=_("Description"), max_length=200)
    valuation = forms.DecimalField(label=_("Valuation (CNY)"), max_digits=16, decimal_places=2, min_value=0.01)
    valuer = forms.CharField(label=_("Valuer"), max_length=100)
    valued_on = forms.DateField(label=_("Valued on"), widget=forms.DateInput(attrs={"type": "date"}))


class DisbursementForm(forms.Form):
    """The officer confirms the amount, account and payee shown on the page before money leaves the bank."""

    confirm = forms.BooleanField(label=_("I have checked the amount, the account and the payee"), required=True)


class RepaymentPostForm(RepaymentForm):
    """A single repayment posted from the operations desk, the loan named by its number."""

    loan_number = forms.CharField(label=_("Loan number"), max_length=24)
    field_order = ["loan_number", "external_ref", "amount", "value_date", "kind", "prepayment_mode"]


class RepaymentFileForm(BootstrapForm):
    file = forms.FileField(label=_("Repayment file (CSV or Excel .xlsx)"))


class CrossCheckForm(BootstrapForm):
    """A cross-validation with its evidence: stated income against tax or bank flows, identity against the
    credit bureau, collateral against the registry."""

    kind = forms.ChoiceField(label=_("Check"), choices=CrossCheck.Kind.choices)
    outcome = forms.ChoiceField(label=_("Result"), choices=[("pass", _("pass")), ("fail", _("fail"))])
    stated = forms.CharField(label=_("Stated"), max_length=100, required=False)
    observed = forms.CharField(label=_("Observed"), max_length=100, required=False)
    evidence = forms.CharField(label=_("Evidence"), max_length=300)
