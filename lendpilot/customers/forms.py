"""Forms of the customer pages. They check only the shape of the input; the services validate
identifiers (GB 11643, GB 32100, mobile, bank account) and report back per field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lendpilot.core.forms import BootstrapForm
from lendpilot.core.reference import Industry
from lendpilot.customers.identifiers import (
    IdentifierError,
    normalise_bank_account,
    normalise_credit_code,
    normalise_id_number,
    normalise_mobile,
)
from lendpilot.customers.models import Customer
from lendpilot.customers.pii import PII_FIELDS, RevealPurpose
from lendpilot.customers.services.customers import OWNER_ROLES
from lendpilot.org.access import Actor
from lendpilot.org.selectors import regions_all, staff_visible


def _with_blank(choices, label):
    return [("", label), *choices]


class CustomerFilterForm(BootstrapForm):
    """The search box and filters of the customer list; bad values are ignored, not errors."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=_with_blank(Customer.Kind.choices, _("All kinds")))
    lifecycle_status = forms.ChoiceField(
        label=_("Lifecycle status"), required=False,
        choices=_with_blank(Customer.Lifecycle.choices, _("All statuses")),
    )
    industry = forms.ChoiceField(label=_("Industry"), required=False,
                                 choices=_with_blank(Industry.choices, _("All industries")))
    region = forms.ModelChoiceField(label=_("Region"), required=False, queryset=regions_all(),
                                    empty_label=_("All regions"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Name, ID number, mobile or credit code")

    def criteria(self) -> dict:
        """Keyword arguments for `customers_visible`, from the fields that are valid."""
        self.is_valid()
        data = {name: value for name, value in getattr(self, "cleaned_data", {}).items() if value}
        criteria = {key: data[key] for key in ("kind", "lifecycle_status", "industry") if key in data}
        if "q" in data:
            criteria["search"] = data["q"].strip()
        if "region" in data:
            criteria["region_id"] = data["region"].pk
        return criteria


def _manager_choices(actor: Actor):
    """Relationship managers the actor may give a customer to: active owners within the actor's scope."""
    return staff_visible(actor).filter(role__in=OWNER_ROLES, is_active=True)


class IdentifierChecks:
    """Check identifiers with the same functions the service uses, so that a bad ID number is reported
    together with any other mistake on the form, not only after the rest is fixed. The service checks
    again; the form keeps what the user typed."""

    CHECKS = {
        "id_number": normalise_id_number,
        "credit_code": normalise_credit_code,
        "phone": normalise_mobile,
        "bank_account": normalise_bank_account,
    }

    def _check_identifier(self, name: str) -> str:
        value = (self.cleaned_data.get(name) or "").strip()
        if value:
            try:
                self.CHECKS[name](value)
            except IdentifierError as exc:
                raise forms.ValidationError(str(exc), code="invalid") from exc
        return value

    def clean_id_number(self):
        return self._check_identifier("id_number")

    def clean_credit_code(self):
        return self._check_identifier("credit_code")

    def clean_phone(self):
        return self._check_identifier("phone")

    def clean_bank_account(self):
        return self._check_identifier("bank_account")


class CustomerCreateForm(IdentifierChecks, BootstrapForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Customer.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    id_number = forms.CharField(label=_("Resident ID number"), required=False, max_length=30,
                                help_text=_("Required for a person; for an enterprise, the legal representative's."))
    credit_code = forms.CharField(label=_("Unified social credit code"), required=False, max_length=30,
                                  help_text=_("Required for an enterprise."))
    legal_representative = forms.CharField(label=_("Legal representative"), required=False, max_length=50)
    phone = forms.CharField(label=_("Mobile phone"), required=False, max_length=20)
    bank_account = forms.CharField(label=_("Bank account"), required=False, max_length=40)
    industry = forms.ChoiceField(label=_("Industry"), choices=Industry.choices)
    region = forms.ModelChoiceField(label=_("Region"), queryset=regions_all())
    city = forms.CharField(label=_("City"), required=False, max_length=50)
    address = forms.CharField(label=_("Address"), required=False, max_length=200)
    manager = forms.ModelChoiceField(label=_("Relationship manager"), queryset=None)
    lifecycle_status = forms.ChoiceField(label=_("Lifecycle status"), choices=Customer.Lifecycle.choices,
                                         initial=Customer.Lifecycle.PROSPECT)

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = _manager_choices(actor)
        if actor.staff is not None and actor.staff.role in OWNER_ROLES:
            self.fields["manager"].initial = actor.staff.pk
            self.fields["region"].initial = actor.staff.region_id


class CustomerUpdateForm(IdentifierChecks, BootstrapForm):
    """Profile and contact fields. Identifiers are stored encrypted, so the phone and bank account
    fields start empty: left empty they keep the value on file."""

    name = forms.CharField(label=_("Name"), max_length=100)
    phone = forms.CharField(label=_("Mobile phone"), required=False, max_length=20,
                            help_text=_("Leave empty to keep the number on file."))
    bank_account = forms.CharField(label=_("Bank account"), required=False, max_length=40,
                                   help_text=_("Leave empty to keep the account on file."))
    legal_representative = forms.CharField(label=_("Legal representative"), required=False, max_length=50)
    industry = forms.ChoiceField(label=_("Industry"), choices=Industry.choices)
    region = forms.ModelChoiceField(label=_("Region"), queryset=regions_all())
    city = forms.CharField(label=_("City"), required=False, max_length=50)
    address = forms.CharField(label=_("Address"), required=False, max_length=200)
    lifecycle_status = forms.ChoiceField(label=_("Lifecycle status"), choices=Customer.Lifecycle.choices)

    def __init__(self, *args, customer: Customer, **kwargs):
        kwargs.setdefault("initial", {
            "name": customer.name,
            "legal_representative": customer.legal_representative,
            "industry": customer.industry,
            "region": customer.region_id,
            "city": customer.city,
            "address": customer.address,
            "lifecycle_status": customer.lifecycle_status,
        })
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs["placeholder"] = customer.phone_masked
        self.fields["bank_account"].widget.attrs["placeholder"] = customer.bank_account_masked

    def changes(self) -> dict:
        """Only what the user changed, for `customer_update`; an empty identifier field means 'keep'."""
        changed = {}
        for name in self.changed_data:
            value = self.cleaned_data[name]
            if name in ("phone", "bank_account") and not value:
                continue
            changed[name] = value
        return changed


class RevealForm(BootstrapForm):
    field = forms.ChoiceField(choices=[(name, name) for name in PII_FIELDS], widget=forms.HiddenInput)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=[("", _("Why do you need to see it?")),
                                                             *RevealPurpose.choices])
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].widget.attrs.update({"class": "form-select form-select-sm"})
        self.fields["note"].widget.attrs.update(
            {"placeholder": _("Details (required for other)"), "class": "form-control form-control-sm"}
        )
