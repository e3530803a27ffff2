"""Appraisal scores (FEATURES A7, B6): weighted hard metrics (attainment of base and sprint quota, collection
rate, NPL of own book) and soft ones (customer satisfaction / NPS, teamwork peer rating). Pure.

Every metric becomes a 0-100 score; the score is the weighted mean of the metrics that are available.
A soft metric with no data is "not available", not zero: its weight is spread over the others (the
weights of the available metrics are re-normalised to sum to one) and the result says which metrics
were missing. Inside attainment the base quota weighs 70% and the sprint quota 30% (configurable).

Sources of the soft metrics:
* Teamwork (`peer_rating`): the average of the 1-5 ratings the person received from team members in the
  period (incentives.PeerRating). With fewer than `min_peer_ratings` ratings (default 2) the average says
  too little about one person and the metric is not available (see `peer_rating_of`).
* Customer satisfaction (`nps`): the NPS of the surveys the person's customers answered in the period
  (service package); not available without an answer.
* Training (`training`): of the courses the person was enrolled in during the period, the share completed
  (talent pushes the counts per enrolment month into incentives.AppraisalInput); not available without a
  course enrolled in the period. Score = 100 x completed / enrolled.
* Role-play drills (`drill`): the average of the drill scores (0-100 against the rubric) given in the
  period; not available without a scored drill.
* Service quality (`complaints`): complaints received against the person's customers in the period (withdrawn
  ones excluded), per 100 customers the person holds and per month:
  rate = complaints x 100 / customers / months, score = 100 x (1 - rate / complaints_ceiling), between 0 and
  100. With the default ceiling of 5, no complaint scores 100 and 5 or more complaints per 100 customers a
  month score 0 (one complaint in a month among 50 customers: rate 2, score 60). Not available for a person
  without customers.

How much training, drills and complaints weigh is the scheme's to say (`weights`); a weight of 0 leaves the
metric out of the score (it is still shown).
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

HARD = ("attainment", "collection_rate", "npl")
SOFT = ("nps", "peer_rating", "training", "drill", "complaints")
DEFAULT_SCHEME = {
    "base_weight": "0.7",
    "weights": {"attainment": "0.5", "collection_rate": "0.2", "npl": "0.1", "nps": "0.1", "peer_rating": "0.1",
                "training": "0.05", "drill": "0.05", "complaints": "0.05"},
    "npl_ceiling": "0.05",
    "complaints_ceiling": "5",
    "min_peer_ratings": 2,
}


class SchemeError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Scheme:
    base_weight: Decimal
    weights: dict[str, Decimal]
    npl_ceiling: Decimal
    min_peer_ratings: int = 2
    complaints_ceiling: Decimal = Decimal(5)


def parse_scheme(data: object) -> Scheme:
    data = DEFAULT_SCHEME if data is None else data
    if not isinstance(data, dict):
        raise SchemeError("scheme", "an appraisal scheme must be an object")
    try:
        base = Decimal(str(data.get("base_weight", DEFAULT_SCHEME["base_weight"])))
        raw = data.get("weights", DEFAULT_SCHEME["weights"])
        if not isinstance(raw, dict):
            raise SchemeError("weights", "weights must be an object")
        weights = {k: Decimal(str(v)) for k, v in raw.items()}
        ceiling = Decimal(str(data.get("npl_ceiling", DEFAULT_SCHEME["npl_ceiling"])))
        complaints_ceiling = Decimal(str(data.get("complaints_ceiling", DEFAULT_SCHEME["complaints_ceiling"])))
        min_ratings = data.get("min_peer_ratings", DEFAULT_SCHEME["min_peer_ratings"])
    except (InvalidOperation, ValueError) as exc:
        raise SchemeError("scheme", "the scheme does not parse") from exc
    if not 0 <= base <= 1:
        raise SchemeError("base_weight", "between 0 and 1")
    if set(weights) - set(HARD + SOFT):
        raise SchemeError("weights", "unknown metric")
    if any(w < 0 for w in weights.values()) or sum(weights.values()) == 0:
        raise SchemeError("weights", "weights must not be negative nor sum to zero")
    if not ceiling.is_finite() or ceiling <= 0:
        raise SchemeError("npl_ceiling", "must be positive")
    if not complaints_ceiling.is_finite() or complaints_ceiling <= 0:
        raise SchemeError("complaints_ceiling", "must be positive")
    if isinstance(min_ratings, bool) or not isinstance(min_ratings, int) or not 1 <= min_ratings <= 100:
        raise SchemeError("min_peer_ratings", "a whole number from 1 to 100")
    return Scheme(base_weight=base, weights=weights, npl_ceiling=ceiling, min_peer_ratings=min_ratings,
                  complaints_ceiling=complaints_ceiling)


def weight_shares(scheme: Scheme) -> dict[str, Decimal]:
    """Each metric's share of the scheme's total weight (0..1), for showing what the plan says."""
    total = sum(scheme.weights.values(), Decimal(0))
    return {k: (scheme.weights.get(k, Decimal(0)) / total).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
            for k in HARD + SOFT}


def peer_rating_of(total: int | Decimal | None, count: int | None, minimum: int) -> Decimal | None:
    """The teamwork metric from the period's ratings (their sum and number): their average, or None (not
    available) with fewer than `minimum` ratings."""
    if not count or count < minimum:
        return None
    return (Decimal(total or 0) / Decimal(count)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def training_completion_of(enrolled: int | None, completed: int | None) -> Decimal | None:
    """The training metric: the share (0..1) of the courses enrolled in the period that are completed, or
    None (not available) when no course was enrolled."""
    if not enrolled:
        return None
    return (Decimal(min(completed or 0, enrolled)) / Decimal(enrolled)).quantize(Decimal("0.0001"),
                                                                                 rounding=ROUND_HALF_UP)


def drill_average_of(points: Decimal | None, drills: int | None) -> Decimal | None:
    """The drill metric: the average score (0-100) of the drills scored in the period, or None."""
    if not drills:
        return None
    return (Decimal(points or 0) / Decimal(drills)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def complaint_rate_of(complaints: int | None, customers: int | None, months: int) -> Decimal | None:
    """Complaints per 100 customers per month, or None (not available) for a person without customers."""
    if not customers or months < 1:
        return None
    return (Decimal(complaints or 0) * 100 / Decimal(customers) / Decimal(months)).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Metrics:
    """Raw metrics of one person for one period; None = not available."""

    disbursed: Decimal = Decimal(0)
    base_quota: Decimal = Decimal(0)
    sprint_quota: Decimal = Decimal(0)
    collection_rate: Decimal | None = None  # 0..1
    npl_ratio: Decimal | None = None  # 0..1 of own book
    nps: Decimal | None = None  # -100..100
    peer_rating: Decimal | None = None  # 1..5
    training_completion: Decimal | None = None  # 0..1
    drill_score: Decimal | None = None  # 0..100
    complaint_rate: Decimal | None = None  # complaints per 100 customers per month


@dataclass
class Score:
    score: Decimal | None
    components: dict[str, Decimal | None] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)


def _clamp(value: Decimal) -> Decimal:
    return max(Decimal(0), min(Decimal(100), value))


def attainment_score(m: Metrics, base_weight: Decimal) -> Decimal | None:
    """Base attainment (disbursed / base) and sprint attainment (disbursed / (base + sprint)), mixed by the
    base weight, as a score capped at 100 (an over-achiever cannot buy back a bad book)."""
    if not m.base_quota:
        return None
    base_att = Decimal(m.disbursed) / Decimal(m.base_quota)
    sprint_target = Decimal(m.base_quota) + Decimal(m.sprint_quota)
    sprint_att = Decimal(m.disbursed) / sprint_target
    return _clamp(100 * (base_weight * base_att + (1 - base_weight) * sprint_att))


def appraise(m: Metrics, scheme: Scheme | None = None) -> Score:
    scheme = scheme or parse_scheme(None)
    comp: dict[str, Decimal | None] = {
        "attainment": attainment_score(m, scheme.base_weight),
        "collection_rate": None if m.collection_rate is None else _clamp(100 * Decimal(m.collection_rate)),
        "npl": None if m.npl_ratio is None else _clamp(100 * (1 - Decimal(m.npl_ratio) / scheme.npl_ceiling)),
        "nps": None if m.nps is None else _clamp((Decimal(m.nps) + 100) / 2),
        "peer_rating": None if m.peer_rating is None else _clamp((Decimal(m.peer_rating) - 1) * 25),
        "training": None if m.training_completion is None else _clamp(100 * Decimal(m.training_completion)),
        "drill": None if m.drill_score is None else _clamp(Decimal(m.drill_score)),
        "complaints": None if m.complaint_rate is None
        else _clamp(100 * (1 - Decimal(m.complaint_rate) / scheme.complaints_ceiling)),
    }
    used = {k: w for k, w in scheme.weights.items() if w > 0 and comp.get(k) is not None}
    missing = sorted(k for k, w in scheme.weights.items() if w > 0 and comp.get(k) is None)
    q = Decimal("0.01")
    comp = {k: None if v is None else v.quantize(q, rounding=ROUND_HALF_UP) for k, v in comp.items()}
    if not used:
        return Score(score=None, components=comp, missing=missing)
    present = {k: v for k, v in comp.items() if v is not None}
    total = sum((w * present[k] for k, w in used.items()), Decimal(0)) / sum(used.values(), Decimal(0))
    return Score(score=total.quantize(q, rounding=ROUND_HALF_UP), components=comp, missing=missing)
