"""Scoped reads of customers: an account manager sees own customers, a team lead the team's, a regional
head the region's, the director and back-office roles all (FEATURES X5)."""

from django.db.models import QuerySet
from django.http import Http404

from lendpilot.compliance.crypto import keyed_hash
from lendpilot.customers.identifiers import IdentifierError, normalise_id_number, normalise_mobile
from lendpilot.customers.models import Customer
from lendpilot.org.access import Actor, require, scope_filter
from lendpilot.org.roles import Perm


def customers_visible(actor: Actor, *, search: str | None = None, kind: str | None = None,
                      industry: str | None = None, region_id: int | None = None, manager_id: int | None = None,
                      lifecycle_status: str | None = None) -> QuerySet[Customer]:
    """Customers in the actor's scope, optionally filtered. `search` matches a name fragment, a credit
    code, or an exact ID number / mobile number (through their keyed hashes)."""
    require(actor, Perm.VIEW_CUSTOMERS)
    qs = scope_filter(actor, Customer.objects.select_related("manager", "region"), owner="manager")
    if kind:
        qs = qs.filter(kind=kind)
    if industry:
        qs = qs.filter(industry=industry)
    if region_id:
        qs = qs.filter(region_id=region_id)
    if manager_id:
        qs = qs.filter(manager_id=manager_id)
    if lifecycle_status:
        qs = qs.filter(lifecycle_status=lifecycle_status)
    if search:
        qs = _search(qs, search.strip())
    return qs.order_by("-id")


def _search(qs: QuerySet[Customer], term: str) -> QuerySet[Customer]:
    for normalise, column in ((normalise_id_number, "id_number_hash"), (normalise_mobile, "phone_hash")):
        try:
            return qs.filter(**{column: keyed_hash(normalise(term))})
        except IdentifierError:
            continue
    if len(term) == 18 and term.isalnum():
        by_code = qs.filter(credit_code=term.upper())
        if by_code.exists():
            return by_code
    return qs.filter(name__icontains=term)


def customer_get(actor: Actor, customer_id: int) -> Customer:
    """One customer within scope; 404 when absent or out of scope, so existence does not leak."""
    customer = customers_visible(actor).filter(pk=customer_id).first()
    if customer is None:
        raise Http404("customer not found")
    return customer
