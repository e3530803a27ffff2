"""API schemas of talent. The candidate schemas carry no field about marriage, pregnancy or childbearing."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema

from lendpilot.core.schemas import Id, Text

Level = Annotated[int, Field(ge=1, le=5)]
Band = Annotated[int, Field(ge=1, le=3)]
SkillCode = Literal["finance", "client_development", "industry", "product", "resilience", "compliance"]
SourceCode = Literal["headhunter", "referral", "campus", "online"]


class ProfileSkill(Schema):
    skill: SkillCode
    weight: Level
    level: Level


class RequisitionIn(Schema):
    title: Text(100, min_length=1, strip=True)  # type: ignore[valid-type]
    team_id: Id
    role: Literal["account_manager", "team_lead", "risk_officer", "operations", "regional_head"]
    headcount: Annotated[int, Field(ge=1, le=50)] = 1
    profile: list[ProfileSkill] = Field(..., min_length=1, max_length=6)


class RequisitionOut(Schema):
    id: int
    title: str
    team_id: int
    role: str
    headcount: int
    status: str
    opened_on: date
    applicants: int = 0
    hires: int = 0


class CandidateSkillIn(Schema):
    skill: SkillCode
    level: Level


class CandidateIn(Schema):
    name: Text(50, min_length=1, strip=True)  # type: ignore[valid-type]
    source: SourceCode
    background: Text(100, strip=True) = ""  # type: ignore[valid-type]
    skills: list[CandidateSkillIn] = Field(default_factory=list, max_length=6)


class CandidateOut(Schema):
    id: int
    requisition_id: int
    name: str
    source: str
    stage: str
    background: str
    match_score: Decimal
    applied_on: date


class CandidateMoveIn(Schema):
    to_stage: Literal["screening", "interview", "offer", "hired", "rejected", "withdrawn"]


class SourceYieldOut(Schema):
    source: str
    applicants: int
    hires: int
    hire_rate: Decimal | None
    cost_per_hire: Decimal | None


class PipelineStageOut(Schema):
    stage: str
    people: int
    avg_days: float | None


class PipelineOut(Schema):
    sources: list[SourceYieldOut]
    stages: list[PipelineStageOut]
    cost_shown: bool


class ReviewIn(Schema):
    name: Text(100, min_length=1, strip=True)  # type: ignore[valid-type]
    period_start: date
    months: Literal[1, 3, 6, 12] = 3


class TalentReviewOut(Schema):
    id: int
    name: str
    period_start: date
    months: int
    status: str
    people: int = 0
    rated: int = 0


class NineBoxOut(Schema):
    review: TalentReviewOut
    distribution: dict[int, int]
    unrated: int


class EntryOut(Schema):
    id: int
    staff_id: int
    staff_name: str = Field(..., alias="staff.name")
    team_id: int | None
    appraisal_score: Decimal | None
    performance: int
    potential: int | None
    potential_evidence: str
    risk_of_loss: int
    impact_of_loss: int
    box: int | None


class RateIn(Schema):
    potential: Band
    evidence: Text(1000, min_length=1, strip=True)  # type: ignore[valid-type]
    risk_of_loss: Band
    impact_of_loss: Band


class TalentDecideIn(Schema):
    kind: Literal["promote_to_team_lead", "stretch_assignment", "development_plan", "retain_and_reward",
                  "training_plan", "reassignment"]
    reason: Text(1000, min_length=1, strip=True)  # type: ignore[valid-type]


class CalibrateIn(Schema):
    performance: Band
    potential: Band
    reason: Text(1000, min_length=1, strip=True)  # type: ignore[valid-type]


class TalentDecisionOut(Schema):
    id: int
    kind: str
    reason: str
    confirmed_at: datetime | None = None
    promoted_team_id: int | None = None


class ConfirmPromotionIn(Schema):
    team_id: Id | None = None


class CurriculumOut(Schema):
    id: int
    title: str
    layer: str
    topic: str
    hours: int
    enrolled: int = 0
    completed: int = 0
    avg_score: Decimal | None = None


class CertificationOut(Schema):
    id: int
    staff_id: int
    kind: str
    obtained_on: date
    expires_on: date


class CaseOut(Schema):
    id: int
    title: str
    outcome: str
    funnel_stage: str
    objection: str
    summary: str
    lesson: str
    created_on: date


class DrillScoreIn(Schema):
    staff_id: Id
    scores: dict[Annotated[str, Field(max_length=40)], Annotated[int, Field(ge=1, le=5)]] = Field(..., max_length=12)


class DrillScoreOut(Schema):
    id: int
    scenario_id: int
    staff_id: int
    scores: dict[str, int]
    total: Decimal
    scored_on: date


class CurriculumIn(Schema):
    title: Text(100, min_length=1, strip=True)  # type: ignore[valid-type]
    layer: Literal["new_hire", "backbone", "manager"]
    topic: Literal["products", "compliance_risk", "negotiation", "client_management"]
    hours: Annotated[int, Field(ge=1, le=200)] = 8
    external: bool = False


class EnrolIn(Schema):
    staff_id: Id


class CompleteIn(Schema):
    score: Annotated[Decimal, Field(ge=0, le=100, max_digits=4, decimal_places=1)]


class EnrolmentOut(Schema):
    id: int
    curriculum_id: int
    staff_id: int
    enrolled_on: date
    completed_on: date | None
    score: Decimal | None


class CertificationIn(Schema):
    staff_id: Id
    kind: Literal["banking", "cfp", "afp", "credit", "aml"]
    obtained_on: date
    expires_on: date


class RequirementIn(Schema):
    product_id: Id
    kinds: list[Literal["banking", "cfp", "afp", "credit", "aml"]] = Field(..., max_length=5)
