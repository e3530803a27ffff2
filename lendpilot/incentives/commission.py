"""Commission plans as data and the monthly statement (FEATURES A8). Pure: no ORM.

A plan is a JSON object:

    {"rates": {"credit": "0.006", "mortgage": "0.002"}, "default_rate": "0.003",
     "accelerators": [{"from": "0", "multiplier": "0.8"}, {"from": "0.8", "multiplier": "1.0"},
                      {"from": "1.0", "multiplier": "1.2"}, {"from": "1.2", "multiplier": "1.5", "bonus": "5000"}],
     "clawback_months": 6, "clawback_share": "1.0", "cap": "200000"}

A band applies from its `from` attainment inclusive up to the next band's `from` exclusive, so exactly
80% earns 1.0x, exactly 100% 1.2x and exactly 120% 1.5x plus the bonus. Every statement line names the
loan (where there is one) and the rule that produced it.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")

DEFAULT_PLAN = {
    "rates": {"credit": "0.006", "mortgage": "0.002", "business": "0.004", "consumer": "0.008",
              "equipment_leasing": "0.003", "supply_chain": "0.003"},
    "default_rate": "0.003",
    "accelerators": [{"from": "0", "multiplier": "0.8"}, {"from": "0.8", "multiplier": "1.0"},
                     {"from": "1.0", "multiplier": "1.2"}, {"from": "1.2", "multiplier": "1.5", "bonus": "5000"}],
    "clawback_months": 6,
    "clawback_share": "1.0",
    "cap": "200000",
}


class PlanError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def _dec(value: object, field: str, *, low: Decimal | None = Decimal(0)) -> Decimal:
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        raise PlanError(field, "not a number")
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise PlanError(field, "not a number") from exc
    if not d.is_finite():
        raise PlanError(field, "not a finite number")
    if low is not None and d < low:
        raise PlanError(field, "must not be negative")
    return d


@dataclass(frozen=True)
class Band:
    start: Decimal
    multiplier: Decimal
    bonus: Decimal = Decimal(0)


@dataclass(frozen=True)
class Plan:
    rates: dict[str, Decimal]
    default_rate: Decimal
    bands: tuple[Band, ...]
    clawback_months: int
    clawback_share: Decimal
    cap: Decimal | None

    def rate_for(self, category: str) -> tuple[Decimal, str]:
        if category in self.rates:
            return self.rates[category], f"rate:{category}"
        return self.default_rate, "rate:default"

    def band_for(self, attainment: Decimal | None) -> Band:
        """The band that applies; with no quota (attainment None) the 1.0x band, or the first band."""
        if attainment is None:
            return next((b for b in self.bands if b.multiplier == 1), self.bands[0])
        chosen = self.bands[0]
        for band in self.bands:
            if attainment >= band.start:
                chosen = band
        return chosen

    def band_for_amount(self, disbursed: Decimal, quota: Decimal) -> Band:
        chosen = self.bands[0]
        for band in self.bands:
            if disbursed >= band.start * quota:
                chosen = band
        return chosen


def parse_plan(data: object) -> Plan:
    """Validate a plan object; raises PlanError naming the field at fault."""
    if not isinstance(data, dict):
        raise PlanError("spec", "a commission plan must be an object")
    unknown = set(data) - set(DEFAULT_PLAN)
    if unknown:
        raise PlanError("spec", f"unknown keys: {', '.join(sorted(unknown))}")
    rates_raw = data.get("rates", {})
    if not isinstance(rates_raw, dict):
        raise PlanError("rates", "rates must be an object of product line -> rate")
    rates = {str(k): _dec(v, f"rates.{k}") for k, v in rates_raw.items()}
    if any(r > 1 for r in rates.values()):
        raise PlanError("rates", "a rate is a fraction of the amount and cannot exceed 1")
    default_rate = _dec(data.get("default_rate", "0"), "default_rate")
    raw_bands = data.get("accelerators", DEFAULT_PLAN["accelerators"])
    if not isinstance(raw_bands, list) or not raw_bands:
        raise PlanError("accelerators", "accelerators must be a non-empty list")
    bands = []
    for n, b in enumerate(raw_bands):
        if not isinstance(b, dict) or "from" not in b or "multiplier" not in b:
            raise PlanError("accelerators", f"band {n} needs 'from' and 'multiplier'")
        bands.append(Band(start=_dec(b["from"], "accelerators"), multiplier=_dec(b["multiplier"], "accelerators"),
                          bonus=_dec(b.get("bonus", "0"), "accelerators")))
    if bands[0].start != 0 or any(a.start >= b.start for a, b in zip(bands, bands[1:], strict=False)):
        raise PlanError("accelerators", "bands must start at 0 and rise strictly")
    months = data.get("clawback_months", 0)
    if isinstance(months, bool) or not isinstance(months, int) or not 0 <= months <= 120:
        raise PlanError("clawback_months", "a whole number of months from 0 to 120")
    share = _dec(data.get("clawback_share", "1"), "clawback_share")
    if share > 1:
        raise PlanError("clawback_share", "at most 1")
    cap = data.get("cap")
    return Plan(rates=rates, default_rate=default_rate, bands=tuple(bands), clawback_months=months,
                clawback_share=share, cap=None if cap in (None, "") else _dec(cap, "cap"))


@dataclass(frozen=True)
class LoanSale:
    loan_id: int
    category: str
    amount: Decimal


@dataclass(frozen=True)
class Default:
    """A loan of the person's that turned non-performing this month, disbursed `months_on_book` ago."""

    loan_id: int
    category: str
    amount: Decimal
    months_on_book: int


@dataclass
class Line:
    rule: str
    amount: Decimal
    loan_id: int | None = None
    basis: Decimal = Decimal(0)
    rate: Decimal = Decimal(0)
    multiplier: Decimal = Decimal(1)


@dataclass
class Statement:
    disbursed: Decimal
    quota: Decimal
    attainment: Decimal | None
    multiplier: Decimal
    lines: list[Line] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


def _fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def attainment_of(disbursed: Decimal, quota: Decimal) -> Decimal | None:
    if not quota:
        return None
    # Rounded down, so that 79.99999% never shows (or counts) as 80%.
    return (Decimal(disbursed) / Decimal(quota)).quantize(Decimal("0.000001"), rounding=ROUND_DOWN)


def compute_statement(plan: Plan, *, quota: Decimal, sales: Sequence[LoanSale],
                      defaults: Sequence[Default] = (), disbursed: Decimal | None = None) -> Statement:
    """One person's month. `disbursed` defaults to the sum of `sales` (pass it when it was aggregated
    in the database)."""
    disbursed = sum((s.amount for s in sales), Decimal(0)) if disbursed is None else Decimal(disbursed)
    attainment = attainment_of(disbursed, quota)
    # The band is chosen on the exact comparison disbursed >= from x quota, never on a rounded ratio.
    band = plan.band_for(None) if not quota else plan.band_for_amount(disbursed, Decimal(quota))
    st = Statement(disbursed=_fen(disbursed), quota=_fen(Decimal(quota)), attainment=attainment,
                   multiplier=band.multiplier)
    for sale in sales:
        rate, rule = plan.rate_for(sale.category)
        st.lines.append(Line(rule=f"{rule}x{band.multiplier}", loan_id=sale.loan_id, basis=sale.amount, rate=rate,
                             multiplier=band.multiplier, amount=_fen(sale.amount * rate * band.multiplier)))
    if band.bonus:
        st.lines.append(Line(rule=f"bonus:{band.start}", amount=_fen(band.bonus)))
    for d in defaults:
        if plan.clawback_months and d.months_on_book <= plan.clawback_months:
            rate, rule = plan.rate_for(d.category)
            st.lines.append(Line(rule=f"clawback:{rule}", loan_id=d.loan_id, basis=d.amount, rate=rate,
                                 multiplier=plan.clawback_share,
                                 amount=-_fen(d.amount * rate * plan.clawback_share)))
    if plan.cap is not None:
        earned = sum((line.amount for line in st.lines if line.amount > 0), Decimal(0))
        if earned > plan.cap:
            st.lines.append(Line(rule="cap", amount=_fen(plan.cap - earned)))
    return st


def rule_family(rule: str) -> str:
    """The rule without the band multiplier it was applied at ("rate:creditx1.5" -> "rate:credit"), so a
    line is recognised across versions when only the band moved."""
    if rule.startswith("rate:"):
        return rule.rsplit("x", 1)[0]
    return rule.split(":", 1)[0]
