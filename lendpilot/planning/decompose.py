"""Three-dimensional target split (FEATURES B5): pure computations on plain data, no ORM.

An annual target is split across cells keyed by (product line, region, team type) in proportion to a
weighted mix of drivers (last year's share, market capacity, market heat), then across months by a
seasonality curve, then down to teams and account managers. All amounts are whole CNY 10,000 units and
every split uses largest-remainder rounding, so the parts add up exactly to the whole at every level.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

UNIT = Decimal("10000")
"""Targets are kept in whole units of CNY 10,000 (万元)."""

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


def _int_weights(weights: Sequence[Decimal | int | float]) -> list[int]:
    out = []
    for w in weights:
        d = Decimal(str(w)) if isinstance(w, float) else Decimal(w)
        if not d.is_finite() or d < 0:
            raise DecompositionError("weights", "weights must be finite and not negative")
        out.append(int(d * _SCALE))
    return out


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


@dataclass(frozen=True)
class CellDrivers:
    """One (product line, region, team type) cell with its driver values."""

    product: str
    region: str
    team_type: str
    last_year: Decimal = Decimal(0)  # last year's disbursed amount, CNY
    capacity: Decimal = Decimal(0)  # market capacity, CNY
    heat: Decimal = Decimal(1)  # market heat coefficient, 1.0 = neutral

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

    @property
    def amount(self) -> Decimal:
        return from_units(self.units)

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


def parse_driver_weights(weights: dict | None) -> dict[str, Decimal]:
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
    weight_sum = sum(weights[name] for name in shares)
    return [sum(weights[name] * shares[name][i] for name in shares) / weight_sum for i in range(len(cells))]


def split_target(total_units: int, cells: Sequence[CellDrivers], *, weights: dict | None = None,
                 month_weights: Sequence[Decimal | int] | None = None) -> list[CellSplit]:
    """Split the annual target over the cells and each cell over the months."""
    if total_units < 0:
        raise DecompositionError("total", "a target must not be negative")
    if not cells:
        raise DecompositionError("cells", "no cells to split the target across")
    if len({c.key for c in cells}) != len(cells):
        raise DecompositionError("cells", "a cell appears twice")
    parsed = parse_driver_weights(weights)
    month_weights = list(month_weights) if month_weights is not None else [1] * 12
    if len(month_weights) != 12:
        raise DecompositionError("month_weights", "twelve month weights are needed")
    shares = cell_weights(cells, parsed)
    units = allocate(total_units, shares, field="drivers")
    out = []
    for cell, share, u in zip(cells, shares, units, strict=True):
        out.append(CellSplit(product=cell.product, region=cell.region, team_type=cell.team_type, units=u,
                             weight=share.quantize(Decimal("0.000001")), last_year=Decimal(cell.last_year),
                             capacity=Decimal(cell.capacity),
                             months=allocate(u, month_weights, field="month_weights")))
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


def split_to_people(split: Sequence[CellSplit], teams: dict[tuple[str, str], Sequence[tuple[int, Decimal | int]]],
                    managers: dict[int, Sequence[tuple[int, Decimal | int]]]):
    """Down from (cell, month) to teams and managers. `teams` maps (region, team type) to (team id, weight)
    pairs; `managers` maps a team id to (manager id, weight) pairs. Yields
    (cell index, month index, team id or None, manager id or None, units); a cell without teams, or a team
    without managers, keeps its units at the level above (team id or manager id None)."""
    for ci, cell in enumerate(split):
        cell_teams = teams.get((cell.region, cell.team_type), ())
        for mi, units in enumerate(cell.months):
            if not cell_teams:
                yield ci, mi, None, None, units
                continue
            for team_id, team_units in split_down(units, cell_teams).items():
                yield ci, mi, team_id, None, team_units
                team_managers = managers.get(team_id, ())
                for manager_id, manager_units in split_down(team_units, team_managers).items():
                    yield ci, mi, team_id, manager_id, manager_units
