"""REST endpoints of talent, mirroring its pages (thin: parse, call a selector or service, return a schema)."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Router, Status
from ninja.pagination import paginate

from lendpilot.core.schemas import ERRORS, Page, PathId, SearchText, with_errors
from lendpilot.org.access import actor_of
from lendpilot.org.selectors import staff_get, teams_visible
from lendpilot.talent import selectors, services
from lendpilot.talent.schemas import (
    CalibrateIn,
    CandidateIn,
    CandidateMoveIn,
    CandidateOut,
    CaseOut,
    CertificationIn,
    CertificationOut,
    CompleteIn,
    ConfirmPromotionIn,
    CurriculumIn,
    CurriculumOut,
    DrillScoreIn,
    DrillScoreOut,
    EnrolIn,
    EnrolmentOut,
    EntryOut,
    NineBoxOut,
    PipelineOut,
    RateIn,
    RequirementIn,
    RequisitionIn,
    RequisitionOut,
    ReviewIn,
    TalentDecideIn,
    TalentDecisionOut,
    TalentReviewOut,
)

router = Router()


@router.get("/requisitions", response=with_errors({200: list[RequisitionOut]}), summary="Requisitions in scope")
@paginate(Page)
def requisition_list(request, status: SearchText = None):
    return selectors.requisitions_visible(actor_of(request.auth), status=status)


@router.post("/requisitions", response={201: RequisitionOut, **ERRORS},
             summary="Open a requisition with its competency profile")
def requisition_open(request, payload: RequisitionIn):
    actor = actor_of(request.auth)
    team = teams_visible(actor).filter(pk=payload.team_id).first()
    if team is None:
        raise ValidationError({"team_id": "not a team in your scope"})
    req = services.requisition_open(actor=actor, team=team, role=payload.role, title=payload.title,
                                    headcount=payload.headcount,
                                    profile={p.skill: (p.weight, p.level) for p in payload.profile})
    return Status(201, selectors.requisition_get(actor, req.pk))


@router.get("/requisitions/{requisition_id}/candidates", response=with_errors({200: list[CandidateOut]}),
            summary="Candidates of a requisition, best match first")
@paginate(Page)
def candidate_list(request, requisition_id: PathId):
    req = selectors.requisition_get(actor_of(request.auth), requisition_id)
    return req.candidates.order_by("-match_score", "id")


@router.post("/requisitions/{requisition_id}/candidates", response={201: CandidateOut, **ERRORS},
             summary="Add a candidate; the match score is computed from the profile")
def candidate_add(request, requisition_id: PathId, payload: CandidateIn):
    actor = actor_of(request.auth)
    req = selectors.requisition_get(actor, requisition_id)
    cand = services.candidate_add(actor=actor, requisition=req, name=payload.name, source=payload.source,
                                  background=payload.background, skills={s.skill: s.level for s in payload.skills})
    return Status(201, cand)


@router.post("/candidates/{candidate_id}/move", response=with_errors({200: CandidateOut}),
             summary="Move a candidate to the next stage (logged)")
def candidate_move(request, candidate_id: PathId, payload: CandidateMoveIn):
    actor = actor_of(request.auth)
    cand = selectors.candidate_get(actor, candidate_id)
    return services.candidate_move(actor=actor, candidate_id=cand.pk, to_stage=payload.to_stage)


@router.get("/pipeline", response=with_errors({200: PipelineOut}),
            summary="Yield and cost per hire by source, people and days per stage")
def pipeline(request):
    return selectors.pipeline(actor_of(request.auth))


@router.get("/balance", response=with_errors({200: dict}), summary="Team-structure balance of employees")
def balance(request):
    return selectors.balance_report(actor_of(request.auth))


@router.get("/reviews", response=with_errors({200: list[TalentReviewOut]}), summary="Talent reviews")
def review_list(request):
    return selectors.reviews_visible(actor_of(request.auth)).order_by("-period_start", "-id")


@router.post("/reviews", response={201: TalentReviewOut, **ERRORS}, summary="Start a talent review from the appraisal")
def review_start(request, payload: ReviewIn):
    actor = actor_of(request.auth)
    review = services.review_start(actor=actor, name=payload.name, period_start=payload.period_start,
                                   months=payload.months)
    return Status(201, selectors.review_get(actor, review.pk))


@router.get("/reviews/{review_id}", response=with_errors({200: NineBoxOut}), summary="A review's 9-box")
def review_detail(request, review_id: PathId):
    actor = actor_of(request.auth)
    review = selectors.review_get(actor, review_id)
    grid = selectors.nine_box(actor, review)
    return {"review": review, "distribution": grid["distribution"], "unrated": grid["unrated"]}


@router.get("/reviews/{review_id}/entries", response=with_errors({200: list[EntryOut]}),
            summary="The people of a review, optionally of one box (drill-down)")
@paginate(Page)
def review_entries(request, review_id: PathId, box: int | None = None):
    actor = actor_of(request.auth)
    return selectors.review_entries(actor, selectors.review_get(actor, review_id),
                                    box=box if box and 1 <= box <= 9 else None)


@router.post("/reviews/{review_id}/complete", response=with_errors({200: TalentReviewOut}), summary="Complete a review")
def review_complete(request, review_id: PathId):
    actor = actor_of(request.auth)
    review = selectors.review_get(actor, review_id)
    services.review_complete(actor=actor, review_id=review.pk)
    return selectors.review_get(actor, review.pk)


@router.post("/entries/{entry_id}/rate", response=with_errors({200: EntryOut}),
             summary="Rate potential with evidence, risk and impact of loss")
def entry_rate(request, entry_id: PathId, payload: RateIn):
    actor = actor_of(request.auth)
    entry = selectors.entry_get(actor, entry_id)
    services.review_entry_rate(actor=actor, entry_id=entry.pk, **payload.dict())
    return selectors.entry_get(actor, entry.pk)


@router.post("/entries/{entry_id}/decide", response={201: TalentDecisionOut, **ERRORS},
             summary="Record a decision with its reason")
def entry_decide(request, entry_id: PathId, payload: TalentDecideIn):
    actor = actor_of(request.auth)
    entry = selectors.entry_get(actor, entry_id)
    return Status(201, services.review_decide(actor=actor, entry_id=entry.pk, kind=payload.kind,
                                              reason=payload.reason))


@router.post("/decisions/{decision_id}/confirm", response=with_errors({200: TalentDecisionOut}),
             summary="The director confirms a promotion to team lead decided in a review: the person becomes "
                     "team lead of their own team (or of team_id)")
def decision_confirm(request, decision_id: PathId, payload: ConfirmPromotionIn):
    actor = actor_of(request.auth)
    decision = selectors.decision_get(actor, decision_id)
    return services.review_promotion_confirm(actor=actor, decision_id=decision.pk, team_id=payload.team_id)


@router.post("/entries/{entry_id}/calibrate", response=with_errors({200: EntryOut}),
             summary="Move a person to another box in calibration, with the reason")
def entry_calibrate(request, entry_id: PathId, payload: CalibrateIn):
    actor = actor_of(request.auth)
    entry = selectors.entry_get(actor, entry_id)
    services.review_entry_calibrate(actor=actor, entry_id=entry.pk, **payload.dict())
    return selectors.entry_get(actor, entry.pk)


@router.get("/curricula", response=with_errors({200: list[CurriculumOut]}), summary="Curricula with completion")
def curriculum_list(request):
    return selectors.curricula_visible(actor_of(request.auth))


@router.get("/certifications", response=with_errors({200: list[CertificationOut]}),
            summary="Certifications in scope (status: expiring or expired)")
@paginate(Page)
def certification_list(request, status: SearchText = None):
    return selectors.certifications_visible(actor_of(request.auth), status=status)


@router.get("/cases", response=with_errors({200: list[CaseOut]}), summary="Search the case library")
@paginate(Page)
def case_list(request, q: SearchText = None, outcome: SearchText = None):
    return selectors.cases_search(actor_of(request.auth), text=q or "", outcome=outcome or "")


@router.post("/drills/{scenario_id}/score", response={201: DrillScoreOut, **ERRORS},
             summary="A lead scores a role-play drill against the scenario's rubric")
def drill_score(request, scenario_id: PathId, payload: DrillScoreIn):
    actor = actor_of(request.auth)
    scenario = selectors.drill_scenario_get(actor, scenario_id)
    return Status(201, services.drill_score(actor=actor, scenario=scenario, staff=staff_get(actor, payload.staff_id),
                                            scores=payload.scores))


@router.post("/cases/from-opportunities", response=with_errors({200: dict}),
             summary="Draft a case for each opportunity closed won or lost in the last 90 days that has none")
def cases_from_opportunities(request):
    since = timezone.localdate() - timedelta(days=90)
    return {"drafted": services.cases_from_closed_opportunities(actor=actor_of(request.auth), since=since)}


@router.post("/curricula", response={201: CurriculumOut, **ERRORS}, summary="Create a curriculum")
def curriculum_create(request, payload: CurriculumIn):
    return Status(201, services.curriculum_create(actor=actor_of(request.auth), **payload.dict()))


@router.post("/curricula/{curriculum_id}/enrol", response={201: EnrolmentOut, **ERRORS},
             summary="Enrol a staff member in a curriculum")
def curriculum_enrol(request, curriculum_id: PathId, payload: EnrolIn):
    actor = actor_of(request.auth)
    curriculum = selectors.curriculum_get(actor, curriculum_id)
    return Status(201, services.enrol(actor=actor, curriculum=curriculum, staff=staff_get(actor, payload.staff_id)))


@router.post("/enrolments/{enrolment_id}/complete", response=with_errors({200: EnrolmentOut}),
             summary="Record a completion with its score")
def enrolment_complete(request, enrolment_id: PathId, payload: CompleteIn):
    actor = actor_of(request.auth)
    enrolment = selectors.enrolment_get(actor, enrolment_id)
    return services.enrolment_complete(actor=actor, enrolment_id=enrolment.pk, score=payload.score)


@router.post("/certifications", response={201: CertificationOut, **ERRORS},
             summary="Record a staff member's certification with its expiry")
def certification_record(request, payload: CertificationIn):
    actor = actor_of(request.auth)
    return Status(201, services.certification_record(
        actor=actor, staff=staff_get(actor, payload.staff_id), kind=payload.kind, obtained_on=payload.obtained_on,
        expires_on=payload.expires_on))


@router.put("/certifications/requirements", response=with_errors({200: dict}),
            summary="Set the certifications a product requires of the managers its leads go to")
def certification_requirements(request, payload: RequirementIn):
    kinds = services.certification_requirement_set(actor=actor_of(request.auth), product_id=payload.product_id,
                                                   kinds=list(payload.kinds))
    return {"product_id": payload.product_id, "kinds": kinds}
