"""Three-dimensional target split (FEATURES B5): pure computations on plain data, no ORM.

A plan has three annual targets and each is split across cells keyed by (product line, region, team type),
then across months, then down to teams and account managers. Every split uses largest-remainder rounding
on whole units, so the parts add up exactly to the whole at every level:

* Disbursed amount, in whole CNY 10,000 units (`UNIT`): across cells in proportion to a weighted mix of
  drivers (last year's share, market capacity, market heat), across months by a seasonality curve.
* New customers, in whole customers: across cells by the same driver shares as the amount and across
  months by the same seasonality curve.
* NPL ceiling. The plan states it as a ratio of the book (e.g. 2%), and a ratio is not additive: the
  ceilings of the parts do not sum to the ceiling of the whole. So the ratio is turned into an NPL *amount*
  budget, `floor(ceiling x annual amount)` in whole CNY 100 units (`NPL_UNIT`; rounded down so the budget
  never exceeds the ratio), and that budget, which is additive, is split: across cells in proportion to
  each cell's amount target times its risk driver (`risk`, the product line / region's historical NPL
  ratio against the whole book, 1.0 = average), then across a cell's months in proportion to the month's
  amount target. A cell's ceiling ratio is therefore proportional to its risk driver; the driver is clamped
  to [`RISK_MIN`, `RISK_MAX`] so that the ceilings of two cells never differ more than fourfold on one bad
  (or lucky) year. Each part's ceiling as a ratio is its NPL amount / its amount;
  their amount-weighted mean is exactly the budget over the total, so the plan's ratio holds overall
  (see `npl_ratio`).

Teams weigh by their number of account managers and managers weigh equally; the same weights split all
three metrics, so a person's NPL ceiling keeps the ratio of the cell-month it comes from.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Generic, TypeVar

UNIT = Decimal("10000")
"""Targets are kept in whole units of CNY 10,000 (万元)."""
NPL_UNIT = Decimal("100")
"""NPL amount ceilings are kept in whole units of CNY 100 (a person-month ceiling is small)."""
RISK_MIN, RISK_MAX = Decimal("0.5"), Decimal("2.0")
METRICS = ("amount", "customers", "npl")

DRIVERS = ("last_year", "capacity", "heat")
DEFAULT_DRIVER_WEIGHTS = {"last_year": Decimal("0.5"), "capacity": Decimal("0.3"), "heat": Decimal("0.2")}
_SCALE = 10**9


class DecompositionError(ValueError):
    """Bad input for a split; `field` names the input at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def to_units(amount: Decimal | int | str, *, field: str = "total") -> int:
    """An amount in CNY as whole 10,000 units; refuses negatives and amounts that are not whole units."""
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise DecompositionError(field, "not an amount") from exc
    if not value.is_finite():
        raise DecompositionError(field, "not a finite amount")
    if value < 0:
        raise DecompositionError(field, "a target must not be negative")
    units, rest = divmod(value, UNIT)
    if rest:
        raise DecompositionError(field, "a target must be a whole multiple of CNY 10,000")
    return int(units)


def from_units(units: int) -> Decimal:
    return (Decimal(units) * UNIT).quantize(Decimal("0.01"))


def to_npl_units(amount: Decimal | int | str, *, field: str = "npl_amount") -> int:
    """An NPL amount ceiling in CNY as whole CNY 100 units; refuses negatives and fractions of a unit."""
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise DecompositionError(field, "not an amount") from exc
    if not value.is_finite() or value < 0:
        raise DecompositionError(field, "an NPL ceiling must be a finite amount, not negative")
    units, rest = divmod(value, NPL_UNIT)
    if rest:
        raise DecompositionError(field, "an NPL ceiling must be a whole multiple of CNY 100")
    return int(units)


def from_npl_units(units: int) -> Decimal:
    return (Decimal(units) * NPL_UNIT).quantize(Decimal("0.01"))


def npl_budget(total_units: int, ceiling: Decimal | str | int) -> int:
    """The NPL amount budget (CNY 100 units) of a plan: ceiling ratio x annual amount, rounded down."""
    ceiling = Decimal(ceiling)
    if not ceiling.is_finite() or not 0 <= ceiling <= 1:
        raise DecompositionError("npl_ceiling", "the NPL ceiling is a ratio between 0 and 1")
    return int(Decimal(total_units) * UNIT * ceiling // NPL_UNIT)


def npl_ratio(npl_units: int, amount_units: int) -> Decimal | None:
    """A part's NPL ceiling as a ratio of its amount target; None for a part with no amount."""
    if not amount_units:
        return None
    return (Decimal(npl_units) * NPL_UNIT / (Decimal(amount_units) * UNIT)).quantize(Decimal("0.000001"))


def clamp_risk(value: Decimal | int | float | str) -> Decimal:
    """A risk driver within [RISK_MIN, RISK_MAX]; 1.0 is the book's average."""
    d = Decimal(str(value))
    if not d.is_finite():
        raise DecompositionError("cells.risk", "the risk driver must be a finite number")
    return max(RISK_MIN, min(RISK_MAX, d))


def _int_weights(weights: Sequence[Decimal | int | float]) -> list[int]:
    out = []
    for w in weights:
        if type(w) is int:
            if w < 0:
                raise DecompositionError("weights", "weights must be finite and not negative")
            out.append(w * _SCALE)
            continue
        d = Decimal(str(w)) if isinstance(w, float) else Decimal(w)
        if not d.is_finite() or d < 0:
            raise DecompositionError("weights", "weights must be finite and not negative")
        out.append(int(d * _SCALE))
    return out


def _allocate_ints(total: int, ints: Sequence[int], weight_sum: int) -> list[int]:
    """Largest remainder on integer weights already checked (sum > 0)."""
    parts, remainders = [], []
    for i, w in enumerate(ints):
        q, r = divmod(total * w, weight_sum)
        parts.append(q)
        remainders.append((-r, i))
    short = total - sum(parts)
    if short:
        for _r, i in sorted(remainders)[:short]:
            parts[i] += 1
    return parts


def allocate(total: int, weights: Sequence[Decimal | int | float], *, field: str = "weights") -> list[int]:
    """Split `total` whole units in proportion to `weights` (largest remainder; ties go to the earlier
    position). The parts always sum exactly to `total`."""
    if total < 0:
        raise DecompositionError("total", "a target must not be negative")
    if not weights:
        if total:
            raise DecompositionError(field, "nothing to split the target across")
        return []
    ints = _int_weights(weights)
    weight_sum = sum(ints)
    if weight_sum == 0:
        if total == 0:
            return [0] * len(ints)
        raise DecompositionError(field, "the weights sum to zero")
    return _allocate_ints(total, ints, weight_sum)


@dataclass(frozen=True)
class CellDrivers:
    """One (product line, region, team type) cell with its driver values."""

    product: str
    region: str
    team_type: str
    last_year: Decimal = Decimal(0)  # last year's disbursed amount, CNY
    capacity: Decimal = Decimal(0)  # market capacity, CNY
    heat: Decimal = Decimal(1)  # market heat coefficient, 1.0 = neutral
    risk: Decimal = Decimal(1)  # NPL risk driver against the book, 1.0 = average; clamped when used

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.product, self.region, self.team_type)


@dataclass
class CellSplit:
    product: str
    region: str
    team_type: str
    units: int
    weight: Decimal
    last_year: Decimal
    capacity: Decimal
    months: list[int] = field(default_factory=list)
    customers: int = 0
    customer_months: list[int] = field(default_factory=list)
    npl: int = 0  # NPL amount ceiling, CNY 100 units
    npl_months: list[int] = field(default_factory=list)
    risk: Decimal = Decimal(1)

    def __post_init__(self) -> None:
        if not self.customer_months:
            self.customer_months = [0] * len(self.months)
        if not self.npl_months:
            self.npl_months = [0] * len(self.months)

    @property
    def amount(self) -> Decimal:
        return from_units(self.units)

    @property
    def npl_amount(self) -> Decimal:
        return from_npl_units(self.npl)

    @property
    def growth(self) -> Decimal | None:
        """Growth over last year as a fraction; None when there was nothing last year."""
        if not self.last_year:
            return None
        return (self.amount / self.last_year - 1).quantize(Decimal("0.0001"))

    @property
    def exceeds_capacity(self) -> bool:
        """The cell asks for more than the market can take (growth not matched to capacity)."""
        return bool(self.capacity) and self.amount > self.capacity


def parse_driver_weights(weights: object) -> dict[str, Decimal]:
    weights = DEFAULT_DRIVER_WEIGHTS if weights is None else weights
    if not isinstance(weights, dict):
        raise DecompositionError("drivers", "driver weights must be an object")
    unknown = set(weights) - set(DRIVERS)
    if unknown:
        raise DecompositionError("drivers", f"unknown drivers: {', '.join(sorted(unknown))}")
    out = {}
    for name in DRIVERS:
        try:
            value = Decimal(str(weights.get(name, 0)))
        except (InvalidOperation, ValueError) as exc:
            raise DecompositionError("drivers", f"driver {name} is not a number") from exc
        if not value.is_finite() or value < 0:
            raise DecompositionError("drivers", f"driver {name} must not be negative")
        out[name] = value
    if sum(out.values()) == 0:
        raise DecompositionError("drivers", "the driver weights sum to zero")
    return out


def cell_weights(cells: Sequence[CellDrivers], weights: dict[str, Decimal]) -> list[Decimal]:
    """Each cell's share as the weighted mix of its share of every driver. A driver that is zero for
    every cell carries no information and is left out (its weight goes to the others)."""
    shares: dict[str, list[Decimal]] = {}
    for name in DRIVERS:
        if name == "heat":
            # Heat is a coefficient, not an amount: it scales the cell's capacity (or last year) share.
            values = [Decimal(c.heat) * (Decimal(c.capacity) or Decimal(c.last_year)) for c in cells]
        else:
            values = [Decimal(getattr(c, name)) for c in cells]
        if any(v < 0 for v in values):
            raise DecompositionError(f"cells.{name}", "driver values must not be negative")
        total = sum(values)
        if total > 0 and weights.get(name, 0) > 0:
            shares[name] = [v / total for v in values]
    if not shares:
        raise DecompositionError("drivers", "the chosen drivers are zero for every cell")
    weight_sum = sum((weights[name] for name in shares), Decimal(0))
    return [sum((weights[name] * shares[name][i] for name in shares), Decimal(0)) / weight_sum
            for i in range(len(cells))]


def split_npl(npl_units: int, amount_units: Sequence[int], risks: Sequence[Decimal]) -> list[int]:
    """The NPL amount budget over parts in proportion to amount x clamped risk (see the module rule)."""
    weights = [Decimal(u) * clamp_risk(r) for u, r in zip(amount_units, risks, strict=True)]
    if not any(weights):
        if npl_units:
            raise DecompositionError("npl_ceiling", "an NPL budget needs an amount target to sit on")
        return [0] * len(weights)
    return allocate(npl_units, weights, field="npl_ceiling")


def split_target(total_units: int, cells: Sequence[CellDrivers], *, weights: dict[str, object] | None = None,
                 month_weights: Sequence[Decimal | int] | None = None, new_customers: int = 0,
                 npl_ceiling: Decimal | str | int = 0) -> list[CellSplit]:
    """Split the three annual targets over the cells and each cell over the months (rules above)."""
    if total_units < 0:
        raise DecompositionError("total", "a target must not be negative")
    if new_customers < 0:
        raise DecompositionError("new_customers", "a target must not be negative")
    if not cells:
        raise DecompositionError("cells", "no cells to split the target across")
    if len({c.key for c in cells}) != len(cells):
        raise DecompositionError("cells", "a cell appears twice")
    parsed = parse_driver_weights(weights)
    month_weights = list(month_weights) if month_weights is not None else [1] * 12
    if len(month_weights) != 12:
        raise DecompositionError("month_weights", "twelve month weights are needed")
    budget = npl_budget(total_units, npl_ceiling)
    shares = cell_weights(cells, parsed)
    units = allocate(total_units, shares, field="drivers")
    customers = allocate(new_customers, shares, field="drivers")
    risks = [clamp_risk(c.risk) for c in cells]
    npl = split_npl(budget, units, risks)
    out = []
    for cell, share, u, n, b, risk in zip(cells, shares, units, customers, npl, risks, strict=True):
        months = allocate(u, month_weights, field="month_weights")
        out.append(CellSplit(product=cell.product, region=cell.region, team_type=cell.team_type, units=u,
                             weight=share.quantize(Decimal("0.000001")), last_year=Decimal(cell.last_year),
                             capacity=Decimal(cell.capacity), months=months, customers=n,
                             customer_months=allocate(n, month_weights, field="month_weights"), npl=b,
                             npl_months=allocate(b, months) if b else [0] * len(months), risk=risk))
    return out


def split_down(units: int, children: Sequence[tuple[object, Decimal | int]]) -> dict[object, int]:
    """Split a cell's units down to children (teams, or managers) given (key, weight) pairs. Children that
    all weigh zero share equally."""
    if not children:
        return {}
    weights = [w for _k, w in children]
    if sum(Decimal(w) for w in weights) == 0:
        weights = [1] * len(children)
    return dict(zip([k for k, _w in children], allocate(units, weights), strict=True))


def rebalance(values: Sequence[int], index: int, new_value: int) -> list[int]:
    """Set `values[index]` to `new_value` and re-balance the siblings so that the total is unchanged.

    The difference is taken from (or given to) the siblings in proportion to their current amounts;
    an edit that would need more than the siblings hold (a sibling would go negative) is refused.
    """
    if not 0 <= index < len(values):
        raise DecompositionError("cell", "no such cell")
    if new_value < 0:
        raise DecompositionError("amount", "a target must not be negative")
    values = list(values)
    total = sum(values)
    siblings = [i for i in range(len(values)) if i != index]
    rest = total - new_value
    if rest < 0 or (not siblings and rest != 0):
        raise DecompositionError("amount", "the edit would make the sibling cells negative")
    sibling_values = [values[i] for i in siblings]
    weights = sibling_values if sum(sibling_values) else [1] * len(siblings)
    parts = allocate(rest, weights) if siblings else []
    values[index] = new_value
    for i, part in zip(siblings, parts, strict=True):
        values[i] = part
    return values


K = TypeVar("K")


class _Children(Generic[K]):
    """(key, weight) children with their integer weights prepared once, for many splits."""

    __slots__ = ("keys", "ints", "weight_sum")

    def __init__(self, children: Sequence[tuple[K, Decimal | int]]):
        self.keys = [k for k, _w in children]
        ints = _int_weights([w for _k, w in children])
        if sum(ints) == 0:
            ints = [1] * len(ints)  # children that all weigh zero share equally
        self.ints = ints
        self.weight_sum = sum(ints)

    def split(self, total: int) -> list[int]:
        if not total:
            return [0] * len(self.ints)
        return _allocate_ints(total, self.ints, self.weight_sum)


def split_to_people(split: Sequence[CellSplit], teams: dict[tuple[str, str], Sequence[tuple[int, Decimal | int]]],
                    managers: dict[int, Sequence[tuple[int, Decimal | int]]],
                    ) -> Iterator[tuple[int, int, int | None, int | None, int, int, int]]:
    """Down from (cell, month) to teams and managers, all three metrics with the same weights. `teams` maps
    (region, team type) to (team id, weight) pairs; `managers` maps a team id to (manager id, weight) pairs.
    Yields (cell index, month index, team id or None, manager id or None, amount units, customers, NPL
    units); a cell without teams, or a team without managers, keeps its targets at the level above (team id
    or manager id None)."""
    team_children = {key: _Children(rows) for key, rows in teams.items() if rows}
    manager_children = {team: _Children(rows) for team, rows in managers.items() if rows}
    for ci, cell in enumerate(split):
        cell_teams = team_children.get((cell.region, cell.team_type))
        for mi, (units, customers, npl) in enumerate(zip(cell.months, cell.customer_months, cell.npl_months,
                                                         strict=True)):
            if cell_teams is None:
                yield ci, mi, None, None, units, customers, npl
                continue
            for team_id, t_units, t_customers, t_npl in zip(cell_teams.keys, cell_teams.split(units),
                                                            cell_teams.split(customers), cell_teams.split(npl),
                                                            strict=True):
                yield ci, mi, team_id, None, t_units, t_customers, t_npl
                people = manager_children.get(team_id)
                if people is None:
                    continue
                yield from ((ci, mi, team_id, manager_id, m_units, m_customers, m_npl)
                            for manager_id, m_units, m_customers, m_npl in zip(
                                people.keys, people.split(t_units), people.split(t_customers),
                                people.split(t_npl), strict=True))
