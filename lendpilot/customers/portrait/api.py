"""REST endpoints of the customer portrait (FEATURES B2, B4, D1, D7): tags, segments (count, save, members),
needs questionnaire answers, RFM / tier / value per customer, tier policy. Thin: parse, call a selector or
a service, return a schema. Mounted at /api/portrait."""

from datetime import date
from typing import Any, Literal

from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from lendpilot.core.schemas import ERRORS, IsoDate, Money, Page, PathId, SearchText, Text, with_errors
from lendpilot.customers import selectors, services
from lendpilot.customers.models import TagDefinition
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm

router = Router()

Theme = Literal["basic", "business", "financial", "behaviour", "risk", "needs", "value"]
Source = Literal["internal", "tax", "social_insurance", "ecommerce", "bureau", "questionnaire"]


class TagOut(Schema):
    id: int
    code: str
    name_zh: str
    name_en: str
    theme: str
    source: str
    rule: str
    version: int
    active: bool
    member_count: int

    @staticmethod
    def resolve_member_count(obj) -> int:
        # The catalogue selector counts the reader's own customers; a tag just defined carries the bank's.
        return getattr(obj, "members_in_scope", obj.member_count)


class TagIn(Schema):
    code: Text(60, min_length=1)
    name_zh: Text(60, min_length=1)
    name_en: Text(100) = ""
    theme: Theme
    source: Source | None = None
    rule: Text(2000, min_length=1)
    active: bool = True


class QueryIn(Schema):
    query: Text(2000, min_length=1)


class CountOut(Schema):
    query: str
    count: int


class SegmentIn(Schema):
    name: Text(100, min_length=1)
    query: Text(2000, min_length=1)


class SegmentOut(Schema):
    id: int
    name: str
    query: str
    owner_id: int
    scope: str
    member_count: int


class MembersOut(Schema):
    segment_id: int
    count: int
    customer_ids: list[int]


class AnswersIn(Schema):
    answers: dict[str, Any]
    answered_on: IsoDate | None = None


class ResponseOut(Schema):
    id: int
    customer_id: int
    questionnaire_id: int
    answered_on: date
    answers: dict[str, Any]


class QuestionOut(Schema):
    code: str
    label_zh: str
    label_en: str
    kind: str
    choices: list[Any]
    required: bool


class QuestionnaireOut(Schema):
    id: int
    code: str
    version: int
    title: str
    questions: list[QuestionOut]


class TierPolicyIn(Schema):
    strategic_min: Money
    growth_min: Money
    high_value_clv: Money
    note: Text(200) = ""


class TierPolicyOut(Schema):
    id: int
    strategic_min: str
    growth_min: str
    high_value_clv: str


class RecomputeOut(Schema):
    signals: int
    tier_changes: int
    values: int
    tags: int
    memberships: int


@router.get("/tags", response=with_errors({200: list[TagOut]}), summary="Tag catalogue")
@paginate(Page)
def tag_list(request, theme: Theme | None = None, source: Source | None = None, search: SearchText = None):
    return selectors.tags_catalogue(actor_of(request.auth), theme=theme, source=source, search=search)


@router.post("/tags", response={201: TagOut, **ERRORS}, summary="Define or change a tag (recomputed at once)")
def tag_define(request, payload: TagIn):
    tag = services.tag_define(actor=actor_of(request.auth), **payload.dict())
    return Status(201, tag)


@router.post("/tags/recompute", response=with_errors({200: RecomputeOut}),
             summary="Recompute signals, tiers, RFM, lifetime value and all tags now")
def portrait_recompute(request):
    return services.portrait_recompute(actor=actor_of(request.auth), as_of=timezone.localdate())


@router.post("/segments/count", response=with_errors({200: CountOut}), summary="Count a segment query (preview)")
def segment_count(request, payload: QueryIn):
    count = services.segment_customers(actor_of(request.auth), payload.query).count()
    return {"query": payload.query, "count": count}


@router.get("/segments", response=with_errors({200: list[SegmentOut]}), summary="Saved segments in scope")
@paginate(Page)
def segment_list(request):
    return selectors.segments_visible(actor_of(request.auth))


@router.post("/segments", response={201: SegmentOut, **ERRORS}, summary="Save a segment")
def segment_save(request, payload: SegmentIn):
    return Status(201, services.segment_save(actor=actor_of(request.auth), name=payload.name, query=payload.query))


@router.get("/segments/{segment_id}/members", response=with_errors({200: MembersOut}),
            summary="The segment's customer ids in the caller's scope (a read: nothing is written)")
def segment_members(request, segment_id: PathId):
    actor = actor_of(request.auth)
    segment = selectors.segment_get(actor, segment_id)
    ids = selectors.segment_member_ids(actor, segment)
    return {"segment_id": segment.pk, "count": len(ids), "customer_ids": ids}


@router.get("/questionnaire", response=with_errors({200: QuestionnaireOut}),
            summary="The active version of the needs questionnaire")
def questionnaire_current(request):
    require(actor_of(request.auth), Perm.VIEW_CUSTOMERS)
    questionnaire = selectors.questionnaire_active()
    if questionnaire is None:
        from django.http import Http404

        raise Http404("no questionnaire published")
    return {"id": questionnaire.pk, "code": questionnaire.code, "version": questionnaire.version,
            "title": questionnaire.title, "questions": list(questionnaire.questions.all())}


@router.post("/customers/{customer_id}/needs", response={201: ResponseOut, **ERRORS},
             summary="Record a customer's answers to the active needs questionnaire")
def needs_answer(request, customer_id: PathId, payload: AnswersIn):
    actor = actor_of(request.auth)
    customer = selectors.customer_get(actor, customer_id)
    questionnaire = selectors.questionnaire_active()
    if questionnaire is None:
        from django.core.exceptions import ValidationError

        raise ValidationError({"questionnaire": "no questionnaire published"})
    response = services.questionnaire_answer(actor=actor, customer=customer, questionnaire=questionnaire,
                                             answers=payload.answers, answered_on=payload.answered_on)
    return Status(201, response)


@router.get("/customers/{customer_id}", response=with_errors({200: dict[str, Any]}),
            summary="A customer's portrait: tier and service package, RFM, tags by theme, needs, value, facts")
def portrait(request, customer_id: PathId):
    return selectors.customer_portrait(actor=actor_of(request.auth), customer=customer_id)


@router.post("/tier-policy", response={201: TierPolicyOut, **ERRORS}, summary="Set the tier thresholds")
def tier_policy_set(request, payload: TierPolicyIn):
    policy = services.tier_policy_set(actor=actor_of(request.auth), **payload.dict())
    return Status(201, {"id": policy.pk, "strategic_min": str(policy.strategic_min),
                        "growth_min": str(policy.growth_min), "high_value_clv": str(policy.high_value_clv)})


@router.get("/themes", response=with_errors({200: list[str]}), summary="Tag themes")
def themes(request):
    require(actor_of(request.auth), Perm.VIEW_CUSTOMERS)
    return list(TagDefinition.Theme.values)
