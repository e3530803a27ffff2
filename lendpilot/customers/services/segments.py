"""Segments (B4): a query over tags and fields, compiled to a filter on customers within the acting
user's scope; saved segments and their exported whitelists.
"""

import datetime as _dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    Exists,
    OuterRef,
    Q,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event
from lendpilot.compliance.drills.models import CanaryAlert
from lendpilot.compliance.drills.services import canary_touch
from lendpilot.compliance.screening.selectors import customer_ref
from lendpilot.customers import segment_query
from lendpilot.customers.models import (
    Customer,
    CustomerTag,
    Segment,
    TagDefinition,
)
from lendpilot.org.access import actor_of, require, scope_filter
from lendpilot.org.models import Staff
from lendpilot.org.roles import Perm


def _tag_lookup():
    """Resolver for the segment language: a tag by code or Chinese name -> Q on Customer."""
    cache: dict[str, int | None] = {}

    def tag_q(name: str):
        if name not in cache:
            cache[name] = (TagDefinition.objects.filter(Q(code=name) | Q(name_zh=name), active=True)
                           .values_list("pk", flat=True).first())
        if cache[name] is None:
            return None
        return Q(Exists(CustomerTag.objects.filter(tag_id=cache[name], customer_id=OuterRef("pk"))))

    return tag_q


def segment_filter(query: str, *, as_of: _dt.date | None = None) -> Q:
    """The segment query compiled to a Q on Customer; ValidationError({"query": ...}) when it does not parse
    or names an unknown tag or field."""
    try:
        tree = segment_query.parse_query(query)
        return segment_query.compile_query(tree, tag_q=_tag_lookup(), as_of=as_of or timezone.localdate())
    except segment_query.QueryError as exc:
        raise ValidationError({"query": str(exc)}) from None


def segment_customers(actor, query: str, *, owner: Staff | None = None):
    """Customers matching `query` within the actor's scope (and the segment owner's, when given)."""
    acting = actor_of(actor)
    require(acting, Perm.BUILD_SEGMENTS)
    qs = scope_filter(acting, Customer.objects.order_by(), owner="manager").filter(segment_filter(query))
    if owner is not None and owner.user_id:
        qs = scope_filter(actor_of(owner.user), qs, owner="manager")
    return qs


@transaction.atomic
def segment_save(*, actor, name: str, query: str) -> Segment:
    """Save a segment (B4) owned by the actor, scoped to the actor's data scope. Rejects an empty name and a
    query that does not parse or names an unknown tag; nothing is saved then."""
    acting = actor_of(actor)
    require(acting, Perm.BUILD_SEGMENTS)
    errors: dict[str, str] = {}
    if not (name or "").strip():
        errors["name"] = _("a name is required")
    try:
        segment_filter(query)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    owner = acting.staff
    if owner is None:
        errors["owner"] = _("only staff members own segments")
    if errors or owner is None:
        raise ValidationError(errors)
    count = segment_customers(acting, query).count()
    segment = Segment.objects.create(name=name.strip()[:100], query=query.strip(), owner=owner,
                                     scope=acting.scope, member_count=count, counted_at=timezone.now())
    record_event(actor=acting.user, event_code="customers.segment_saved", obj=segment,
                 after={"name": segment.name, "query": segment.query, "scope": segment.scope, "count": count})
    return segment


@transaction.atomic
def segment_export_whitelist(*, actor, segment: Segment) -> list[int]:
    """The segment's customer ids (within the viewer's and owner's scope) as a whitelist taken out of
    the system; the export is logged with the count, and no business row changes (a download is a GET)."""
    from lendpilot.customers.selectors import segment_member_ids

    acting = actor_of(actor)
    require(acting, Perm.BUILD_SEGMENTS)
    ids = segment_member_ids(acting, segment)
    event = record_event(actor=acting.user, event_code="customers.segment_exported", obj=segment,
                         after={"count": len(ids)})
    # C8 drills: an export that carries a canary customer raises one alert to compliance (one per export).
    canary_touch(actor=acting, refs=[customer_ref(pk) for pk in ids], action=CanaryAlert.Action.EXPORT,
                 source_key=f"segment_export:{segment.pk}:{event.seq}", detail={"segment": segment.pk,
                                                                                "count": len(ids)})
    return ids
