"""REST endpoints of products (thin: parse, call a selector or service, return a schema)."""

from decimal import Decimal

from ninja import Router, Status
from ninja.pagination import paginate

from lendpilot.core.schemas import ERRORS, Page, PathId, with_errors
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm
from lendpilot.products import selectors, services
from lendpilot.products.schemas import (
    CategoryCode,
    OfferIn,
    OfferOut,
    ProductCreateIn,
    ProductOut,
    ProductReviewOut,
    ProductUpdateIn,
)

router = Router()

RATE_PLACES = Decimal("0.000001")


@router.get("", response=with_errors({200: list[ProductOut]}), summary="The product catalogue")
@paginate(Page)
def product_list(request, category: CategoryCode | None = None, active_only: bool = False):
    return selectors.products_visible(actor_of(request.auth), category=category, active_only=active_only)


@router.get("/{product_id}", response=with_errors({200: ProductOut}), summary="One product")
def product_detail(request, product_id: PathId):
    return selectors.product_get(actor_of(request.auth), product_id=product_id)


@router.post("", response={201: ProductOut, **ERRORS},
             summary="Add a product to the catalogue (a draft unless its terms were cleared by compliance; 422 names "
                     "is_active otherwise)")
def product_create(request, payload: ProductCreateIn):
    return Status(201, services.product_create(actor=actor_of(request.auth), **payload.dict()))


@router.patch("/{product_id}", response=with_errors({200: ProductOut}),
              summary="Change a product's terms; activating it or changing the text of a live product needs "
                      "compliance's approval of that terms version (422 naming is_active otherwise)")
def product_update(request, product_id: PathId, payload: ProductUpdateIn):
    actor = actor_of(request.auth)
    product = selectors.product_get(actor, product_id=product_id)
    require(actor, Perm.MANAGE_PRODUCTS)
    changes = payload.dict(exclude_unset=True)
    if not changes:
        return product
    return services.product_update(actor=actor, product=product, **changes)


@router.post("/{product_id}/review", response={201: ProductReviewOut, **ERRORS},
             summary="Submit the product's terms version (or the one these changes would make) for compliance review")
def product_review(request, product_id: PathId, payload: ProductUpdateIn):
    actor = actor_of(request.auth)
    product = selectors.product_get(actor, product_id=product_id)
    require(actor, Perm.MANAGE_PRODUCTS)
    changes = payload.dict(exclude_unset=True)
    changes.pop("is_active", None)
    return Status(201, services.product_submit_for_review(actor=actor, product=product, **changes))


@router.post("/{product_id}/check-offer", response=with_errors({200: OfferOut}),
             summary="Whether an offer fits the product; 422 names each field that does not")
def product_check_offer(request, product_id: PathId, payload: OfferIn):
    product = selectors.product_get(actor_of(request.auth), product_id=product_id)
    services.offer_check(product=product, **payload.dict())
    rate = payload.annual_rate if payload.annual_rate is not None else product.min_annual_rate
    return {"ok": True, "apr": rate.quantize(RATE_PLACES)}
