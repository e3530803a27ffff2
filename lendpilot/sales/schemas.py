"""Request and response shapes of the sales API. Lead identifiers are answered masked only."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema

from lendpilot.core.reference import Industry, RepaymentMethod
from lendpilot.core.schemas import AnnualRate, Id, IsoDate, Money, Text
from lendpilot.customers.models import Customer
from lendpilot.products.models import FundingNode
from lendpilot.sales.funnel import LossReason, Node
from lendpilot.sales.models import (
    Activity,
    Lead,
    ManagerTask,
    PlaybookEntry,
    PreApprovedOffer,
    Tier,
    TriggerRule,
)

IndustryCode = Literal[tuple(Industry.values)]
KindCode = Literal[tuple(Customer.Kind.values)]
SourceCode = Literal[tuple(Lead.Source.values)]
LeadStatusCode = Literal[tuple(Lead.Status.values)]
LeadStatusShown = Literal[(*Lead.Status.values, "received")]
NodeCode = Literal[tuple(Node.values)]
LossCode = Literal[tuple(LossReason.values)]
TierCode = Literal[tuple(Tier.values)]
ActivityKindCode = Literal[tuple(Activity.Kind.values)]
OutcomeCode = Literal[tuple(Activity.Outcome.values)]
EntryKindCode = Literal[tuple(PlaybookEntry.Kind.values)]
MethodCode = Literal[tuple(RepaymentMethod.values)]


class LeadIn(Schema):
    kind: KindCode
    name: Text(100, min_length=1, strip=True)
    source: SourceCode
    source_detail: Text(100) = ""
    industry: IndustryCode
    region_id: Id
    id_number: Text(40) = ""
    credit_code: Text(40) = ""
    phone: Text(40) = ""
    product_id: Id | None = None
    amount_wanted: Money | None = Field(None, gt=0)
    submission: Literal["lead", "application"] = "lead"
    term_months: int | None = Field(None, ge=1, le=600)
    purpose: Text(200) = ""
    hand_over: bool = False


class LeadOut(Schema):
    """A lead as its reader may see it: status, linked customer and screening reasons pass through the
    reader's scope (a partner sees its leads as received, nothing of the bank's customers)."""

    id: int
    kind: KindCode
    name: str
    source: SourceCode
    industry: IndustryCode
    region_id: int
    product_id: int | None
    amount_wanted: Decimal | None
    id_number_masked: str
    credit_code_masked: str
    phone_masked: str
    customer_id: int | None
    owner_id: int | None
    status: LeadStatusShown
    disqualification_reasons: list[str]
    assignment_reason: str
    received_at: datetime

    @staticmethod
    def resolve_status(obj, context) -> str:
        from lendpilot.sales.selectors import lead_status_shown

        return lead_status_shown(_reader(context), obj)

    @staticmethod
    def resolve_customer_id(obj, context) -> int | None:
        from lendpilot.sales.selectors import lead_customer_shown

        return lead_customer_shown(_reader(context), obj)

    @staticmethod
    def resolve_owner_id(obj, context) -> int | None:
        from lendpilot.sales.selectors import lead_worked_shown

        return obj.owner_id if lead_worked_shown(_reader(context)) else None

    @staticmethod
    def resolve_assignment_reason(obj, context) -> str:
        from lendpilot.sales.selectors import lead_worked_shown

        return obj.assignment_reason if lead_worked_shown(_reader(context)) else ""

    @staticmethod
    def resolve_disqualification_reasons(obj, context) -> list[str]:
        from lendpilot.sales.selectors import lead_reasons_shown

        return lead_reasons_shown(_reader(context), obj)


def _reader(context):
    from lendpilot.org.access import SYSTEM, actor_of

    request = (context or {}).get("request")
    # Without a request (a schema built in code) nothing is narrowed: the caller is the system.
    return actor_of(request.auth) if request is not None else SYSTEM


class OpportunityIn(Schema):
    customer_id: Id
    product_id: Id | None = None
    amount: Money | None = Field(None, gt=0)
    tier: TierCode = Tier.STANDARD
    name: Text(100) = ""


class OpportunityOut(Schema):
    id: int
    name: str
    lead_id: int | None
    customer_id: int | None
    owner_id: int
    node: NodeCode
    tier: TierCode
    industry: IndustryCode
    product_id: int | None
    amount: Decimal | None
    application_id: int | None
    loss_reason: str
    created_at: datetime
    node_entered_at: datetime
    closed_at: datetime | None


class MoveIn(Schema):
    node: NodeCode
    loss_reason: LossCode | Literal[""] = ""
    note: Text(300) = ""


class TransitionOut(Schema):
    from_node: str
    to_node: NodeCode
    at: datetime
    actor_label: str
    note: str


class ActivityIn(Schema):
    kind: ActivityKindCode
    outcome: OutcomeCode
    notes: Text(1000) = ""
    happened_at: datetime | None = None
    next_step: Text(200) = ""
    next_step_on: IsoDate | None = None


class ActivityOut(Schema):
    id: int
    opportunity_id: int
    owner_id: int
    kind: ActivityKindCode
    outcome: OutcomeCode
    notes: str
    happened_at: datetime
    next_step: str
    next_step_on: date | None
    follow_up_done: bool


class ProposalIn(Schema):
    product_id: Id
    amount: Money = Field(..., gt=0)
    term_months: int = Field(..., ge=1, le=600)
    repayment_method: MethodCode
    annual_rate: AnnualRate = Field(..., ge=0)
    needs: dict[Text(50), Text(500)] = Field(default_factory=dict, max_length=30)


class SalesProposalOut(Schema):
    id: int
    opportunity_id: int
    version: int
    product_id: int
    amount: Decimal
    term_months: int
    repayment_method: MethodCode
    annual_rate: Decimal
    apr: Decimal
    first_payment: Decimal
    total_interest: Decimal
    needs: dict
    created_at: datetime


class PlaybookIn(Schema):
    kind: EntryKindCode
    title: Text(200, min_length=1)
    body: Text(5000, min_length=1)
    node: NodeCode | Literal[""] = ""
    tier: TierCode | Literal[""] = ""
    objection: LossCode | Literal[""] = ""
    publish: bool = Field(False, description="publish at once: only with the text approved by compliance")


class PlaybookPublishIn(Schema):
    live: bool = True


class PlaybookFindingOut(Schema):
    phrase: str
    problem: str
    law: str
    excerpt: str


class PlaybookReviewOut(Schema):
    """The compliance review an entry's text went to, with the forbidden-promise scan."""

    id: int
    subject_ref: str
    status: str
    findings: list[PlaybookFindingOut]


class PlaybookOut(Schema):
    id: int
    kind: EntryKindCode
    node: str
    tier: str
    objection: str
    title: str
    body: str
    usage_count: int
    is_active: bool


class AssignmentIn(Schema):
    lead_ids: list[Id] = Field(..., min_length=1, max_length=20000)
    manager_ids: list[Id] | None = Field(None, max_length=5000)
    method: Literal["optimal", "round_robin"] = "optimal"


class AssignmentApplyIn(AssignmentIn):
    overrides: dict[Id, Id] = Field(default_factory=dict, description="lead id -> manager id chosen by hand")


class AssignmentRowOut(Schema):
    lead_id: int
    manager_id: int | None
    score: float
    reasons: list[str]
    reason: str
    baseline_manager_id: int | None
    baseline_score: float


class AssignmentPlanOut(Schema):
    method: str
    objective: float = Field(..., description="expected conversions of the chosen assignment")
    baseline_objective: float = Field(..., description="expected conversions of round robin")
    rows: list[AssignmentRowOut]


class NodeFiguresOut(Schema):
    node: NodeCode
    reached: int
    advanced: int
    lost: int
    conversion: float | None
    drop_off: float | None
    median_days: float | None


class FunnelOut(Schema):
    nodes: list[NodeFiguresOut]
    won: int
    lost: int
    median_cycle_days: float | None
    weak_nodes: list[str]


class SyncOut(Schema):
    won: int
    lost: int


class UseOut(Schema):
    usage_count: int


class ResourcePackIn(Schema):
    name: Text(100, min_length=1)
    team_id: Id
    target: Text(100) = ""
    rate_floor: AnnualRate = Field(..., ge=0, le=Decimal("0.36"))
    customer_ids: list[Id] = Field(default_factory=list, max_length=10000,
                                   description="the customer whitelist (a saved segment's ids or an uploaded list)")
    script_ids: list[Id] = Field(default_factory=list, max_length=1000)


class ResourcePackOut(Schema):
    id: int
    name: str
    team_id: int
    target: str
    rate_floor: Decimal
    customer_ids: list[int]
    script_ids: list[int]
    is_active: bool

    @staticmethod
    def resolve_customer_ids(obj) -> list[int]:
        return [c.pk for c in obj.customers.all()]

    @staticmethod
    def resolve_script_ids(obj) -> list[int]:
        return [e.pk for e in obj.scripts.all()]


# --- scenario triggers, offers, tasks, Customer 360 (B3, D3, D7) -------------------------------------

NodeOfFunding = Literal[tuple(FundingNode.values)]
BasisCode = Literal[tuple(TriggerRule.AmountBasis.values)]
ChannelCode = Literal[tuple(TriggerRule.Channel.values)]
OfferStatusCode = Literal[tuple(PreApprovedOffer.Status.values)]
TaskKindCode = Literal[tuple(ManagerTask.Kind.values)]
TaskStatusCode = Literal[tuple(ManagerTask.Status.values)]
Ratio = Annotated[Decimal, Field(gt=0, le=5, max_digits=6, decimal_places=4, allow_inf_nan=False,
                                 description="share of the amount basis, 0.5 is half")]
BusinessDate = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]


class TriggerRuleIn(Schema):
    code: Text(40, min_length=1, strip=True)
    name: Text(100, min_length=1, strip=True)
    node: NodeOfFunding
    product_ids: list[Id] = Field(..., max_length=20, description="in order; the first the band reaches is offered")
    tag_code: Text(60) = ""
    condition: Text(2000) = ""
    amount_basis: BasisCode
    low_ratio: Ratio
    high_ratio: Ratio
    validity_days: int = Field(30, ge=1, le=365)
    cooldown_days: int = Field(90, ge=1, le=730)
    max_offers: int = Field(2, ge=1, le=10)
    window_days: int = Field(30, ge=1, le=365)
    channel: ChannelCode = "sms"
    active: bool = True


class TriggerRuleOut(Schema):
    id: int
    code: str
    name: str
    node: NodeOfFunding
    product_ids: list[int]
    tag_code: str
    condition: str
    amount_basis: BasisCode
    low_ratio: Decimal
    high_ratio: Decimal
    validity_days: int
    cooldown_days: int
    max_offers: int
    window_days: int
    channel: ChannelCode
    version: int
    active: bool

    @staticmethod
    def resolve_product_ids(obj) -> list[int]:
        return [rp.product_id for rp in obj.rule_products.all()]


class TriggerRunIn(Schema):
    as_of: BusinessDate | None = None


class TriggerRunOut(Schema):
    id: int
    as_of: date
    offers: int
    tasks: int
    messages: int
    expired: int
    per_rule: dict


class PreApprovedOfferOut(Schema):
    id: int
    customer_id: int
    product_id: int
    rule_id: int
    rule_version: int
    node: NodeOfFunding
    manager_id: int
    amount_low: Decimal
    amount_high: Decimal
    offered_on: date
    valid_until: date
    status: OfferStatusCode
    decline_reason: str
    opportunity_id: int | None


class OfferAcceptIn(Schema):
    amount: Money | None = Field(None, gt=0, description="within the band; the band's top when omitted")


class OfferDeclineIn(Schema):
    reason: Text(200) = ""


class TaskOut(Schema):
    id: int
    owner_id: int
    customer_id: int
    kind: TaskKindCode
    offer_id: int | None
    due_on: date
    status: TaskStatusCode
    note: str


class TaskDoneIn(Schema):
    note: Text(300) = ""


class ActionOut(Schema):
    code: str
    priority: int
    facts: dict


class Customer360Out(Schema):
    customer_id: int
    name: str
    portrait: dict
    next_action: ActionOut | None
    actions: list[ActionOut]
    offers: list[PreApprovedOfferOut]
    open_tasks: list[TaskOut]
    open_opportunity_ids: list[int]
    loan_ids: list[int]
    products_held: list[str]


# --- objection drills (D5) ---------------------------------------------------------------------------

class DrillIn(Schema):
    manager_id: Id
    size: int = Field(5, ge=1, le=20)


class DrillItemOut(Schema):
    id: int
    entry_id: int
    title: str
    position: int
    answer: str
    score: int | None

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.entry.title


class DrillOut(Schema):
    id: int
    manager_id: int
    started_by_id: int
    scored_by_id: int | None
    status: Literal["open", "answered", "scored"]
    score_pct: Decimal | None
    feedback: str
    created_at: datetime
    items: list[DrillItemOut]

    @staticmethod
    def resolve_items(obj) -> list:
        return list(obj.items.select_related("entry").order_by("position"))


class DrillAnswersIn(Schema):
    answers: dict[Id, Text(4000)] = Field(..., max_length=20, description="item id -> answer")


class DrillScoresIn(Schema):
    scores: dict[Id, int] = Field(..., max_length=20, description="item id -> score 0-5")
    feedback: Text(500) = ""


class DrillResultOut(Schema):
    manager_id: int
    manager_name: str
    drills: int
    average: Decimal | None
    best: Decimal | None
