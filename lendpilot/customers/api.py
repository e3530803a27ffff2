"""REST endpoints of customers (thin: parse, call a selector or service, return a schema).

Reads are scoped: a customer outside the caller's data scope is a 404, like one that does not exist.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from lendpilot.core.schemas import ERRORS, Page, PathId, QueryId, SearchText, api_field_names, with_errors
from lendpilot.customers import selectors, services
from lendpilot.customers.schemas import (
    CustomerCreateIn,
    CustomerOut,
    CustomerUpdateIn,
    IndustryCode,
    KindCode,
    LifecycleCode,
    ReassignIn,
    RevealIn,
    RevealOut,
)
from lendpilot.org.access import Actor, actor_of, require
from lendpilot.org.roles import Perm
from lendpilot.org.selectors import regions_all, staff_visible

router = Router()

API_NAMES = {"manager": "manager_id", "region": "region_id"}


def _region(region_id: int):
    region = regions_all().filter(pk=region_id).first()
    if region is None:
        raise ValidationError({"region_id": _("no such region")})
    return region


def _manager(actor: Actor, manager_id: int | None):
    """The relationship manager named by id (within the caller's scope), or the caller by default."""
    if manager_id is None:
        if actor.staff is not None and actor.staff.role in services.OWNER_ROLES:
            return actor.staff
        raise ValidationError({"manager_id": _("name the relationship manager")})
    manager = staff_visible(actor).filter(pk=manager_id).first()
    if manager is None:
        raise ValidationError({"manager_id": _("no such staff member in your data scope")})
    return manager


@router.get("", response=with_errors({200: list[CustomerOut]}), summary="Customers in the caller's scope")
@paginate(Page)
def customer_list(request, search: SearchText = None, kind: KindCode | None = None,
                  industry: IndustryCode | None = None, region_id: QueryId = None, manager_id: QueryId = None,
                  lifecycle_status: LifecycleCode | None = None):
    """`search` matches a name fragment, a credit code, or an exact ID number or mobile number."""
    return selectors.customers_visible(
        actor_of(request.auth), search=search, kind=kind, industry=industry, region_id=region_id,
        manager_id=manager_id, lifecycle_status=lifecycle_status,
    )


@router.get("/{customer_id}", response=with_errors({200: CustomerOut}), summary="One customer")
def customer_detail(request, customer_id: PathId):
    return selectors.customer_get(actor_of(request.auth), customer_id)


@router.post("", response={201: CustomerOut, **ERRORS}, summary="Register a person or an enterprise")
def customer_create(request, payload: CustomerCreateIn):
    actor = actor_of(request.auth)
    require(actor, Perm.CREATE_CUSTOMER)
    data = payload.dict()
    region = _region(data.pop("region_id"))
    manager = _manager(actor, data.pop("manager_id"))
    with api_field_names(**API_NAMES):
        customer = services.customer_create(actor=actor, region=region, manager=manager, **data)
    return Status(201, customer)


@router.patch("/{customer_id}", response=with_errors({200: CustomerOut}), summary="Change a customer's profile")
def customer_update(request, customer_id: PathId, payload: CustomerUpdateIn):
    actor = actor_of(request.auth)
    customer = selectors.customer_get(actor, customer_id)
    require(actor, Perm.UPDATE_CUSTOMER)
    changes = payload.dict(exclude_unset=True)
    if "region_id" in changes:
        changes["region"] = _region(changes.pop("region_id"))
    if not changes:
        return customer
    with api_field_names(**API_NAMES):
        return services.customer_update(actor=actor, customer=customer, **changes)


@router.post("/{customer_id}/reassign", response=with_errors({200: CustomerOut}),
             summary="Hand a customer to another relationship manager")
def customer_reassign(request, customer_id: PathId, payload: ReassignIn):
    actor = actor_of(request.auth)
    customer = selectors.customer_get(actor, customer_id)
    require(actor, Perm.REASSIGN_CUSTOMER)
    manager = _manager(actor, payload.manager_id)
    with api_field_names(**API_NAMES):
        return services.customer_reassign(actor=actor, customer=customer, manager=manager, reason=payload.reason)


@router.post("/{customer_id}/reveal", response=with_errors({200: RevealOut}),
             summary="Show one identifier in clear, for a stated purpose (logged)")
def customer_reveal(request, customer_id: PathId, payload: RevealIn):
    actor = actor_of(request.auth)
    customer = selectors.customer_get(actor, customer_id)
    value = services.customer_reveal_pii(
        actor=actor, customer=customer, field=payload.field, purpose=payload.purpose, note=payload.note,
        channel="api"
    )
    return {"field": payload.field, "value": value}
