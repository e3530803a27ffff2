"""The channels API: the published list, the ranking and a partner's file, the partner's own tier, and the
admission, review and delisting decisions. Parse, call a selector or service, answer."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Router, Schema, Status

from lendpilot.channels import selectors, services
from lendpilot.channels.admission import Criteria
from lendpilot.channels.models import Partner, Toolkit
from lendpilot.channels.standings import PartnerFile, partner_file, ranking
from lendpilot.core.schemas import ERRORS, Id, IsoDate, PathId, Text, with_errors

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
    day: IsoDate


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


# Enablement (E5): courses and results of partner staff, the roster, marketing toolkits and their downloads.

class ChannelCourseIn(Schema):
    code: Text(20, min_length=1)
    title: Text(120, min_length=1)
    kind: Text(12)
    pass_score: int = Field(60, ge=1, le=100)


class ChannelCourseOut(Schema):
    id: int
    code: str
    title: str
    kind: str
    pass_score: int
    active: bool


class PartnerStaffIn(Schema):
    name: Text(60, min_length=1)
    employee_ref: Text(30, min_length=1)


class ChannelResultIn(Schema):
    staff_id: Id
    course_id: Id
    score: int = Field(..., ge=0, le=100)
    completed_on: IsoDate | None = None


class ChannelResultOut(Schema):
    course_id: int
    course: str
    kind: str
    score: int
    passed: bool
    completed_on: date


class PartnerStaffOut(Schema):
    id: int
    name: str
    employee_ref: str
    active: bool
    compliance_passed: bool
    results: list[ChannelResultOut]


class ChannelEnablementOut(Schema):
    partner_id: int
    name: str
    staff: int
    trained: int
    may_submit: bool
    refusal: str


class ChannelToolkitIn(Schema):
    title: Text(120, min_length=1)
    text: Text(20_000, min_length=1)


class ChannelToolkitOut(Schema):
    id: int
    title: str
    status: str
    published_at: datetime | None
    downloads: int


class ChannelToolkitFileOut(Schema):
    id: int
    title: str
    text: str


class ChannelDownloadOut(Schema):
    toolkit_id: int
    toolkit: str
    partner_id: int
    partner: str
    at: datetime


def _roster_out(partner: Partner) -> list[dict]:
    return [{"id": r.member.pk, "name": r.member.name, "employee_ref": r.member.employee_ref,
             "active": r.member.active, "compliance_passed": r.compliance_passed,
             "results": [{"course_id": c.course_id, "course": c.course.title, "kind": c.course.kind, "score": c.score,
                          "passed": c.passed, "completed_on": c.completed_on} for c in r.completions]}
            for r in selectors.roster(partner)]


def _toolkit_out(t: Toolkit) -> dict:
    return {"id": t.pk, "title": t.title, "status": t.status, "published_at": t.published_at,
            "downloads": t.downloads.count()}


@router.get("/enablement", response=with_errors({200: list[ChannelEnablementOut]}),
            summary="Listed partners: staff, staff with the compliance course, whether they may submit")
def enablement(request):
    return [{"partner_id": line.partner.pk, "name": line.partner.name, "staff": line.staff, "trained": line.trained,
             "may_submit": not line.refusal, "refusal": line.refusal}
            for line in selectors.enablement_overview(request.user)]


@router.get("/courses", response=with_errors({200: list[ChannelCourseOut]}), summary="The partner course catalogue")
def course_list(request):
    selectors.toolkits_for(request.user)  # channel staff or a partner login
    return list(selectors.courses())


@router.post("/courses", response=with_errors({200: ChannelCourseOut}), summary="Create or change a partner course")
def course_save(request, payload: ChannelCourseIn):
    return services.course_save(actor=request.user, code=payload.code, title=payload.title, kind=payload.kind,
                                pass_score=payload.pass_score)


@router.get("/partners/{partner_id}/staff", response=with_errors({200: list[PartnerStaffOut]}),
            summary="A partner's staff roster with course results")
def roster(request, partner_id: PathId):
    return _roster_out(selectors.partner_for(request.user, partner_id))


@router.get("/mine/staff", response=with_errors({200: list[PartnerStaffOut]}),
            summary="The signed-in partner's staff roster with course results")
def my_roster(request):
    return _roster_out(selectors.own_partner(request.user))


@router.post("/partners/{partner_id}/staff", response=with_errors({200: PartnerStaffOut}),
             summary="Put a member of staff on a partner's roster")
def staff_add(request, partner_id: PathId, payload: PartnerStaffIn):
    member = services.partner_staff_add(actor=request.user, partner_id=partner_id, name=payload.name,
                                        employee_ref=payload.employee_ref)
    return next(r for r in _roster_out(member.partner) if r["id"] == member.pk)


@router.post("/staff/{staff_id}/leave", response=with_errors({200: dict}),
             summary="Take a member of staff off a partner's roster")
def staff_leave(request, staff_id: PathId):
    member = services.partner_staff_leave(actor=request.user, staff_id=staff_id)
    return {"id": member.pk, "active": member.active}


@router.post("/results", response=with_errors({200: ChannelResultOut}),
             summary="Record a partner staff member's course result")
def result_record(request, payload: ChannelResultIn):
    c = services.course_result_record(actor=request.user, staff_id=payload.staff_id, course_id=payload.course_id,
                                      score=payload.score, completed_on=payload.completed_on)
    return {"course_id": c.course_id, "course": c.course.title, "kind": c.course.kind, "score": c.score,
            "passed": c.passed, "completed_on": c.completed_on}


@router.get("/toolkits", response=with_errors({200: list[ChannelToolkitOut]}),
            summary="Marketing toolkits (a partner sees the published ones)")
def toolkit_list(request):
    return [_toolkit_out(t) for t in selectors.toolkits_for(request.user)]


@router.post("/toolkits", response=with_errors({200: ChannelToolkitOut}), summary="Draft a marketing toolkit")
def toolkit_create(request, payload: ChannelToolkitIn):
    return _toolkit_out(services.toolkit_create(actor=request.user, title=payload.title, text=payload.text))


@router.post("/toolkits/{toolkit_id}/review", response=with_errors({200: dict}),
             summary="Send a toolkit to the compliance checkpoint")
def toolkit_review(request, toolkit_id: PathId):
    review = services.toolkit_submit(actor=request.user, toolkit_id=toolkit_id)
    return {"toolkit_id": toolkit_id, "review_id": review.pk, "findings": len(review.findings)}


@router.post("/toolkits/{toolkit_id}/publish", response=with_errors({200: ChannelToolkitOut}),
             summary="Publish a toolkit compliance approved")
def toolkit_publish(request, toolkit_id: PathId):
    return _toolkit_out(services.toolkit_publish(actor=request.user, toolkit_id=toolkit_id))


@router.post("/toolkits/{toolkit_id}/withdraw", response=with_errors({200: ChannelToolkitOut}),
             summary="Withdraw a published toolkit")
def toolkit_withdraw(request, toolkit_id: PathId):
    return _toolkit_out(services.toolkit_withdraw(actor=request.user, toolkit_id=toolkit_id))


@router.post("/toolkits/{toolkit_id}/download", response=with_errors({200: ChannelToolkitFileOut}),
             summary="A partner downloads a published toolkit (logged)")
def toolkit_download(request, toolkit_id: PathId):
    d = services.toolkit_download(actor=request.user, toolkit_id=toolkit_id)
    return {"id": d.toolkit.pk, "title": d.toolkit.title, "text": d.toolkit.text}


@router.get("/downloads", response=with_errors({200: list[ChannelDownloadOut]}),
            summary="The toolkit download log (a partner sees its own)")
def download_list(request):
    return [{"toolkit_id": d.toolkit_id, "toolkit": d.toolkit.title, "partner_id": d.partner_id,
             "partner": d.partner.name, "at": d.at} for d in selectors.downloads_for(request.user)[:500]]
