"""The approval authority matrix (FEATURES C2): which review levels a case needs. Pure: no ORM.

Levels: 1 initial review (初审), 2 secondary review (复审), 3 final approval (终审), 4 the director.
Default rules (issue 5):

* amount <= CNY 1M and grade A-B: initial + final;
* amount > CNY 1M or grade C-D: initial + secondary + final;
* amount > CNY 5M: the director after the final approval;
* grade E: decline, unless the final approver overrides with a written reason (the case still takes
  the full initial + secondary + final route, so an override is seen by three people).

Only the last level of a route decides; the levels before it are reviews (初审, 复审) that pass the case on
with a recommendation, open to the officers of that level whatever the amount. The amount limit of an
officer applies to the decision: a case above the limit of every final approver goes up to the director
(the credit committee), so every case has someone who may decide it.

A product category may set its own two-level ceiling (e.g. mortgages up to CNY 2M). Service-level
agreements are business days per level. Rate authority: the lowest annual rate each role may offer
without a rate approval; a lower rate needs an approver holding the rate-approval permission.
The stored form is JSON (a versioned `AuthorityMatrix` row); `from_json` / `to_json` convert.
"""

from dataclasses import asdict, dataclass, field
from decimal import Decimal

INITIAL, SECONDARY, FINAL, DIRECTOR = 1, 2, 3, 4
LEVEL_NAMES = {INITIAL: "initial", SECONDARY: "secondary", FINAL: "final", DIRECTOR: "director"}
GRADES = ("A", "B", "C", "D", "E")


@dataclass(frozen=True)
class AuthorityRules:
    two_level_max_amount: Decimal = Decimal("1000000")
    two_level_grades: tuple[str, ...] = ("A", "B")
    director_above: Decimal = Decimal("5000000")
    decline_grades: tuple[str, ...] = ("E",)
    category_two_level_max: dict[str, Decimal] = field(default_factory=dict)
    sla_business_days: dict[int, int] = field(default_factory=lambda: {INITIAL: 2, SECONDARY: 2, FINAL: 3,
                                                                        DIRECTOR: 2})
    rate_floors: dict[str, Decimal] = field(default_factory=lambda: {
        "account_manager": Decimal("0.0500"), "team_lead": Decimal("0.0435"), "regional_head": Decimal("0.0400"),
    })

    def __post_init__(self):
        if self.two_level_max_amount <= 0 or self.director_above < self.two_level_max_amount:
            raise ValueError("the director threshold must be at least the two-level ceiling, both positive")
        for grades in (self.two_level_grades, self.decline_grades):
            if any(g not in GRADES for g in grades):
                raise ValueError(f"grades are among {', '.join(GRADES)}")
        if any(level not in self.sla_business_days or self.sla_business_days[level] < 1 for level in LEVEL_NAMES):
            raise ValueError("every level needs an SLA of at least one business day")

    def to_json(self) -> dict:
        data = asdict(self)
        data["two_level_grades"] = list(self.two_level_grades)
        data["decline_grades"] = list(self.decline_grades)
        return _strings(data)

    @classmethod
    def from_json(cls, data: dict) -> "AuthorityRules":
        data = dict(data or {})
        for key in ("two_level_max_amount", "director_above"):
            if key in data:
                data[key] = Decimal(str(data[key]))
        for key in ("two_level_grades", "decline_grades"):
            if key in data:
                data[key] = tuple(data[key])
        if "category_two_level_max" in data:
            data["category_two_level_max"] = {k: Decimal(str(v)) for k, v in data["category_two_level_max"].items()}
        if "sla_business_days" in data:
            data["sla_business_days"] = {int(k): int(v) for k, v in data["sla_business_days"].items()}
        if "rate_floors" in data:
            data["rate_floors"] = {k: Decimal(str(v)) for k, v in data["rate_floors"].items()}
        return cls(**data)


def _strings(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _strings(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_strings(v) for v in value]
    return value


DEFAULT_RULES = AuthorityRules()


@dataclass(frozen=True)
class Route:
    levels: tuple[int, ...]
    decline_recommended: bool
    # True when the amount is above every final approver's limit, so the director decides.
    referred_up: bool = False

    @property
    def final_level(self) -> int:
        return FINAL

    @property
    def deciding_level(self) -> int:
        return self.levels[-1]


def route_for(*, amount: Decimal, grade: str, category: str = "", rules: AuthorityRules = DEFAULT_RULES,
              final_limit: Decimal | None = None) -> Route:
    """The levels a case passes. `final_limit` is the highest amount limit among the officers who may give
    the final approval; above it the director decides (None: not known, the amount rule alone applies)."""
    if grade not in GRADES:
        raise ValueError(f"risk grade is one of {', '.join(GRADES)}")
    amount = Decimal(amount)
    ceiling = rules.category_two_level_max.get(category, rules.two_level_max_amount)
    two_level = amount <= ceiling and grade in rules.two_level_grades
    levels = [INITIAL, FINAL] if two_level else [INITIAL, SECONDARY, FINAL]
    referred = False
    if amount > rules.director_above:
        levels.append(DIRECTOR)
    elif final_limit is not None and amount > final_limit:
        levels.append(DIRECTOR)
        referred = True
    return Route(tuple(levels), grade in rules.decline_grades, referred)


def deciding_step(levels: list[int] | tuple[int, ...]) -> int:
    """The index of the level that decides (the last); every earlier step is a review."""
    return len(levels) - 1


def rate_needs_approval(*, annual_rate: Decimal, submitter_role: str, rules: AuthorityRules = DEFAULT_RULES) -> bool:
    """Whether the offered rate lies below what the submitter's role may grant alone (roles without a
    floor, such as the director, may grant any rate within the product's range)."""
    floor = rules.rate_floors.get(submitter_role)
    return floor is not None and Decimal(annual_rate) < floor
