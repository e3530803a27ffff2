"""Pages of customers: list, detail with masked identifiers, create, edit, and the reveal fragment.

Reads go through the scoped selectors (an object outside the viewer's scope is a 404), writes through
the services (which check permissions and write the audit log).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lendpilot.core.views import paginate
from lendpilot.customers.forms import CustomerCreateForm, CustomerFilterForm, CustomerUpdateForm, RevealForm
from lendpilot.customers.models import Customer
from lendpilot.customers.pii import PII_FIELDS
from lendpilot.customers.selectors import customer_get, customers_visible
from lendpilot.customers.services import customer_create, customer_reveal_pii, customer_update
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm


@login_required
def customer_list(request):
    actor = actor_of(request.user)
    filters = CustomerFilterForm(request.GET)
    customers = customers_visible(actor, **filters.criteria())
    return render(request, "customers/customer_list.html",
                  {"filters": filters, "page_obj": paginate(request, customers)})


def _identifiers(customer: Customer) -> list[dict]:
    """The masked identifiers on file, each labelled with its column's (translated) name."""
    rows = []
    for field in PII_FIELDS:
        masked = getattr(customer, f"{field}_masked")
        if masked:
            label = Customer._meta.get_field(f"{field}_masked").verbose_name
            rows.append({"field": field, "label": label, "masked": masked})
    return rows


@login_required
def customer_detail(request, customer_id: int):
    actor = actor_of(request.user)
    customer = customer_get(actor, customer_id)
    return render(request, "customers/customer_detail.html", {
        "customer": customer,
        "identifiers": _identifiers(customer),
        "can_reveal": actor.can(Perm.REVEAL_PII),
    })


@login_required
def customer_new(request):
    actor = actor_of(request.user)
    require(actor, Perm.CREATE_CUSTOMER)
    form = CustomerCreateForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            customer = customer_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Customer %(name)s registered.") % {"name": customer.name})
            return redirect("customers:detail", customer.pk)
    return render(request, "customers/customer_form.html", {"form": form, "customer": None})


@login_required
def customer_edit(request, customer_id: int):
    actor = actor_of(request.user)
    customer = customer_get(actor, customer_id)
    require(actor, Perm.UPDATE_CUSTOMER)
    form = CustomerUpdateForm(request.POST or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        try:
            if changes:
                customer_update(actor=request.user, customer=customer, **changes)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Customer saved.") if changes else _("Nothing was changed."))
            return redirect("customers:detail", customer.pk)
    return render(request, "customers/customer_form.html", {"form": form, "customer": customer})


@never_cache
@require_POST
@login_required
def customer_reveal(request, customer_id: int):
    """HTMX fragment: one identifier in clear, for a stated purpose (logged by the service)."""
    actor = actor_of(request.user)
    customer = customer_get(actor, customer_id)
    form = RevealForm(request.POST)
    field = request.POST.get("field") if request.POST.get("field") in PII_FIELDS else None
    row = next((r for r in _identifiers(customer) if r["field"] == field), None)
    if form.is_valid():
        try:
            value = customer_reveal_pii(actor=request.user, customer=customer, field=form.cleaned_data["field"],
                                        purpose=form.cleaned_data["purpose"], channel="web")
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return render(request, "customers/_identifier.html",
                          {"customer": customer, "row": row, "revealed": value, "can_reveal": True})
    return render(request, "customers/_identifier.html",
                  {"customer": customer, "row": row, "form": form, "can_reveal": True})
