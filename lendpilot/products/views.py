"""Pages of the product catalogue: everyone with products.view reads it; products.manage edits it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from lendpilot.core.reference import RepaymentMethod
from lendpilot.core.views import paginate
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm
from lendpilot.products.forms import ProductFilterForm, ProductForm
from lendpilot.products.selectors import product_get, products_visible
from lendpilot.products.services import product_create, product_submit_for_review, product_update, review_of


@login_required
def product_list(request):
    actor = actor_of(request.user)
    filters = ProductFilterForm(request.GET)
    products = products_visible(actor, **filters.criteria())
    return render(request, "products/product_list.html", {"filters": filters, "page_obj": paginate(request, products)})


@login_required
def product_detail(request, product_id: int):
    product = product_get(actor_of(request.user), product_id=product_id)
    methods = dict(RepaymentMethod.choices)
    repayment_labels = [methods.get(code, code) for code in product.repayment_methods]
    return render(request, "products/product_detail.html", {"product": product, "repayment_labels": repayment_labels,
                                                            "review": review_of(product)})


@login_required
def product_new(request):
    require(actor_of(request.user), Perm.MANAGE_PRODUCTS)
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = product_create(actor=request.user, **form.terms())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Product %(code)s created.") % {"code": product.code})
            return redirect("products:detail", product.pk)
    return render(request, "products/product_form.html", {"form": form, "product": None})


@login_required
def product_edit(request, product_id: int):
    actor = actor_of(request.user)
    product = product_get(actor, product_id=product_id)
    require(actor, Perm.MANAGE_PRODUCTS)
    form = ProductForm(request.POST or None, product=product)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if "submit_review" in request.POST:
            return _submit_for_review(request, form, product, changes)
        try:
            if changes:
                product_update(actor=request.user, product=product, **changes)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Product saved.") if changes else _("Nothing was changed."))
            return redirect("products:detail", product.pk)
    return render(request, "products/product_form.html", {"form": form, "product": product})


def _submit_for_review(request, form: ProductForm, product, changes: dict):
    """Send the terms version the form describes to compliance, without changing the product."""
    changes.pop("is_active", None)
    try:
        review = product_submit_for_review(actor=request.user, product=product, **changes)
    except ValidationError as error:
        form.add_service_errors(error)
        return render(request, "products/product_form.html", {"form": form, "product": product})
    if review.findings:
        messages.warning(request, _("Submitted for compliance review. The scanner found forbidden promises "
                                    "(%(phrases)s): correct them and submit again, or compliance will reject the "
                                    "text.") % {
            "phrases": "、".join(f["phrase"] for f in review.findings)})
    else:
        messages.success(request, _("Terms version %(ref)s submitted for compliance review. Once it is approved, "
                                    "save the same changes (and activate the product).") % {"ref": review.subject_ref})
    return redirect("products:detail", product.pk)
