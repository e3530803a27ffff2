"""The product feedback loop: market feedback recorded by the front line, gathered as evidence into product
change requests with an owner and a status."""

from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from lendpilot.compliance.audit import record_event, snapshot
from lendpilot.core.reference import ProductCategory
from lendpilot.market.models import ChangeRequest, Feedback, FeedbackSource, RequestStatus
from lendpilot.org.access import actor_of, require
from lendpilot.org.models import Region
from lendpilot.org.roles import Perm


def feedback_record(*, actor, source: str, product: str, reason: str, text: str = "", day: date,
                    region: str = "") -> Feedback:
    require(actor_of(actor), Perm.RECORD_MARKET_FEEDBACK)
    if source not in FeedbackSource.values:
        raise ValidationError({"source": ["manager, lost_deal or complaint"]})
    if product not in ProductCategory.values:
        raise ValidationError({"product": [f"unknown product {product}"]})
    if not reason.strip():
        raise ValidationError({"reason": ["required"]})
    place = Region.objects.filter(code=region).first() if region else None
    if region and place is None:
        raise ValidationError({"region": [f"unknown region {region}"]})
    with transaction.atomic():
        row = Feedback.objects.create(source=source, product=product, reason=reason.strip()[:60], text=text,
                                      day=day, region=place, recorded_by=actor)
        record_event(actor=actor, event_code="market.feedback_recorded", obj=row, after=snapshot(row))
    return row


def change_request_save(*, actor, product: str, title: str, owner_id: int, evidence_ids: list[int],
                        request_id: int | None = None, status: str = RequestStatus.OPEN) -> ChangeRequest:
    """Open (or update) a change request and link the feedback rows that argue for it."""
    require(actor_of(actor), Perm.MANAGE_MARKET)
    if product not in ProductCategory.values:
        raise ValidationError({"product": [f"unknown product {product}"]})
    if not title.strip():
        raise ValidationError({"title": ["required"]})
    if status not in RequestStatus.values:
        raise ValidationError({"status": ["unknown status"]})
    owner = get_user_model().objects.filter(pk=owner_id, is_active=True).first()
    if owner is None:
        raise ValidationError({"owner": ["no such active user"]})
    found = set(Feedback.objects.filter(pk__in=evidence_ids).values_list("pk", flat=True))
    if missing := sorted(set(evidence_ids) - found):
        raise ValidationError({"evidence": [f"no such feedback: {missing}"]})
    with transaction.atomic():
        if request_id is None:
            row = ChangeRequest.objects.create(product=product, title=title.strip(), owner=owner, status=status)
            before = None
        else:
            found_row = ChangeRequest.objects.select_for_update().filter(pk=request_id).first()
            if found_row is None:
                raise ValidationError({"request": ["no such change request"]})
            row = found_row
            before = snapshot(row)
            row.product, row.title, row.owner, row.status = product, title.strip(), owner, status
            row.save()
        Feedback.objects.filter(pk__in=evidence_ids).update(change_request=row)
        record_event(actor=actor, event_code="market.change_request_saved", obj=row, before=before,
                     after=snapshot(row) | {"evidence": sorted(found)})
    return row
