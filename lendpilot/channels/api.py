"""The channels API: the published list, the ranking and a partner's file, the partner's own tier, and the
admission, review and delisting decisions. Parse, call a selector or service, answer."""

from datetime import date
from decimal import Decimal

from ninja import Router, Schema, Status

from lendpilot.channels import selectors, services
from lendpilot.channels.admission import Criteria
from lendpilot.channels.models import Partner
from lendpilot.channels.standings import PartnerFile, partner_file, ranking
from lendpilot.core.schemas import ERRORS, with_errors

router = Router()


class ChannelListedOut(Schema):
    id: int
    name: str
    kind: str
    listed_on: date | None


class ChannelRankOut(Schema):
    id: int
    name: str
    status: str
    tier: str
    loans: int
    disbursed: Decimal
    conversion: Decimal
    approval: Decimal
    m1: Decimal
    m3: Decimal
    score: Decimal | None


class ChannelTierOut(Schema):
    month: date
    from_tier: str
    to_tier: str
    reasons: list[str]


class ChannelPartnerOut(Schema):
    id: int
    name: str
    status: str
    tier: str
    gaps: list[str]
    resources: dict[str, Decimal]
    improvement_plan: str
    tiers: list[ChannelTierOut]
    vintage_m1: dict[str, list[tuple[int, Decimal]]]


class PartnerApplicationIn(Schema):
    name: str
    credit_code: str
    kind: str
    licence_held: bool
    registered_capital: Decimal
    regulatory_penalties: int
    complaints_per_10k: Decimal
    data_security_grade: str
    documents: list[tuple[str, str]] = []
    login_id: int | None = None


class PartnerApplicationOut(Schema):
    id: int
    partner_id: int
    score: int
    gates: list[str]
    status: str


class PartnerDecisionIn(Schema):
    approve: bool
    note: str = ""


class PartnerDelistingIn(Schema):
    delist: bool
    note: str


class PartnerAppealIn(Schema):
    text: str


class ChannelPeriodIn(Schema):
    day: date


def _file_out(f: PartnerFile) -> dict:
    return {"id": f.partner.pk, "name": f.partner.name, "status": f.partner.status, "tier": f.partner.tier,
            "gaps": f.gaps, "resources": f.resources, "improvement_plan": f.partner.improvement_plan,
            "tiers": list(f.tiers), "vintage_m1": {k.isoformat(): v for k, v in f.curves.items()}}


@router.get("/partners/published", response=with_errors({200: list[ChannelListedOut]}),
            summary="The published list of partners")
def published(request):
    return list(selectors.published_list())


@router.get("/partners", response=with_errors({200: list[ChannelRankOut]}), summary="Partners ranked, with KPIs")
def partners(request):
    return [{**row.__dict__, "id": row.partner.pk, "name": row.partner.name, "status": row.partner.status,
             "tier": row.partner.tier} for row in ranking(request.user)]


@router.get("/partners/{partner_id}", response=with_errors({200: ChannelPartnerOut}), summary="A partner's file")
def partner(request, partner_id: int):
    return _file_out(partner_file(selectors.partner_for(request.user, partner_id)))


@router.get("/mine", response=with_errors({200: ChannelPartnerOut}), summary="The signed-in partner's tier and gap")
def mine(request):
    return _file_out(partner_file(selectors.own_partner(request.user)))


@router.post("/applications", response={201: PartnerApplicationOut, **ERRORS}, summary="File an admission application")
def application_create(request, payload: PartnerApplicationIn):
    from lendpilot.org.models import Staff

    login = Staff.objects.filter(pk=payload.login_id).first() if payload.login_id else None
    criteria = Criteria(payload.licence_held, payload.registered_capital, payload.regulatory_penalties,
                        payload.complaints_per_10k, payload.data_security_grade)
    application = services.partner_apply(actor=request.user, name=payload.name, credit_code=payload.credit_code,
                                         kind=payload.kind, criteria=criteria, documents=payload.documents,
                                         login=login)
    return Status(201, application)


@router.post("/applications/{application_id}/decision", response=with_errors({200: PartnerApplicationOut}),
             summary="Head office approves or rejects an application")
def application_decision(request, application_id: int, payload: PartnerDecisionIn):
    return services.application_decide(actor=request.user, application_id=application_id,
                                       approve=payload.approve, note=payload.note)


@router.post("/delistings/{delisting_id}/appeal", response=with_errors({200: dict}), summary="Record an appeal")
def delisting_appeal(request, delisting_id: int, payload: PartnerAppealIn):
    d = services.delisting_appeal(actor=request.user, delisting_id=delisting_id, text=payload.text)
    return {"id": d.pk, "status": d.status}


@router.post("/delistings/{delisting_id}/decision", response=with_errors({200: dict}),
             summary="The committee decides a proposed delisting")
def delisting_decision(request, delisting_id: int, payload: PartnerDelistingIn):
    d = services.delisting_decide(actor=request.user, delisting_id=delisting_id, delist=payload.delist,
                                  note=payload.note)
    return {"id": d.pk, "status": d.status}


@router.post("/retier", response=with_errors({200: dict}), summary="Re-tier every listed partner for a month")
def retier(request, payload: ChannelPeriodIn):
    return {"moved": services.partners_retier(actor=request.user, month=payload.day)}


@router.post("/reviews", response=with_errors({200: dict}), summary="Run a quarter's bottom-ranked review")
def review(request, payload: ChannelPeriodIn):
    reviews = services.quarterly_review_run(actor=request.user, quarter=payload.day)
    return {"partners": len(reviews), "probation": Partner.objects.filter(status=Partner.Status.PROBATION).count()}


class PartnerTermsIn(Schema):
    product_ids: list[int] = []
    fee_rate: Decimal
    fee_cap: Decimal
    enhancement: str = "none"
    enhancement_fee_rate: Decimal = Decimal("0")
    joint_share: Decimal = Decimal("0.30")


@router.post("/partners/{partner_id}/terms", response=with_errors({200: dict}),
             summary="Set a listed partner's cooperation terms")
def terms(request, partner_id: int, payload: PartnerTermsIn):
    from lendpilot.products.models import Product

    products = list(Product.objects.filter(pk__in=payload.product_ids))
    t = services.terms_set(actor=request.user, partner_id=partner_id, products=products, fee_rate=payload.fee_rate,
                           fee_cap=payload.fee_cap, enhancement=payload.enhancement,
                           enhancement_fee_rate=payload.enhancement_fee_rate, joint_share=payload.joint_share)
    return {"partner_id": partner_id, "joint_share": t.joint_share, "fee_rate": t.fee_rate}
