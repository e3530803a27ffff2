"""Reads of the product catalogue: reference data, visible to every role that may view products."""

from django.db.models import QuerySet
from django.http import Http404

from lendpilot.org.access import Actor, require
from lendpilot.org.roles import Perm
from lendpilot.products.models import Product


def products_visible(actor: Actor, *, category: str | None = None, active_only: bool = False) -> QuerySet[Product]:
    require(actor, Perm.VIEW_PRODUCTS)
    qs = Product.objects.all()
    if category:
        qs = qs.filter(category=category)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("code")


def product_get(actor: Actor, *, product_id: int | None = None, code: str | None = None) -> Product:
    qs = products_visible(actor)
    product = qs.filter(pk=product_id).first() if product_id is not None else qs.filter(code=code).first()
    if product is None:
        raise Http404("product not found")
    return product
