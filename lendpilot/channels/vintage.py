"""Vintage overdue by monthly cohort: the outstanding principal of loans past a days-past-due threshold at
month on book k, divided by the amount disbursed in the cohort. Pure: loan rows in, cells and curves out."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

BUCKETS = {"m1": 30, "m2": 60, "m3": 90}
"""M1+, M2+ and M3+: more than 30, 60 and 90 days past due."""


@dataclass(frozen=True)
class LoanMonth:
    """One loan at one month on book."""

    cohort: date
    mob: int
    outstanding: Decimal
    dpd: int


@dataclass
class Cell:
    """A cohort at one month on book: what was disbursed and what is past each threshold."""

    cohort: date
    mob: int
    disbursed: Decimal
    m1: Decimal
    m2: Decimal
    m3: Decimal

    def ratio(self, bucket: str) -> Decimal:
        if not self.disbursed:
            return Decimal("0")
        return getattr(self, bucket) / self.disbursed


def cells(rows: list[LoanMonth], disbursed: dict[date, Decimal]) -> list[Cell]:
    """Sum the loans' past-due principal per cohort and month on book; `disbursed` is each cohort's total."""
    sums: dict[tuple[date, int], list[Decimal]] = defaultdict(lambda: [Decimal("0")] * 3)
    for row in rows:
        acc = sums[(row.cohort, row.mob)]
        for i, days in enumerate(BUCKETS.values()):
            if row.dpd > days:
                acc[i] += row.outstanding
    return [Cell(cohort, mob, disbursed.get(cohort, Decimal("0")), *acc)
            for (cohort, mob), acc in sorted(sums.items())]


def cohort_totals(rows: list[tuple[date, Decimal]]) -> dict[date, Decimal]:
    """Disbursed amount per cohort from (cohort, principal) pairs, one per loan."""
    totals: dict[date, Decimal] = defaultdict(lambda: Decimal("0"))
    for cohort, amount in rows:
        totals[cohort] += amount
    return dict(totals)


def curves(all_cells: list[Cell], bucket: str = "m1") -> dict[date, list[tuple[int, Decimal]]]:
    """Per cohort, the (month on book, ratio) points in month order, for a vintage chart."""
    out: dict[date, list[tuple[int, Decimal]]] = defaultdict(list)
    for cell in sorted(all_cells, key=lambda c: (c.cohort, c.mob)):
        out[cell.cohort].append((cell.mob, cell.ratio(bucket)))
    return dict(out)


def latest_ratio(all_cells: list[Cell], bucket: str = "m3") -> Decimal:
    """Past-due principal over disbursed, each cohort at its latest month on book (the tier and review input)."""
    latest: dict[date, Cell] = {}
    for cell in all_cells:
        if cell.cohort not in latest or cell.mob > latest[cell.cohort].mob:
            latest[cell.cohort] = cell
    disbursed = sum((c.disbursed for c in latest.values()), Decimal("0"))
    past_due = sum((getattr(c, bucket) for c in latest.values()), Decimal("0"))
    return past_due / disbursed if disbursed else Decimal("0")


def cell_table(partner: "np.ndarray", cohort: "np.ndarray", mob: "np.ndarray", outstanding: "np.ndarray",
               dpd: "np.ndarray") -> dict[str, "np.ndarray"]:
    """The same sums as `cells` for every partner at once, on columns of integer codes (cohort as a month
    number) and float principal: the unique (partner, cohort, mob) keys with their M1+/M2+/M3+ principal."""
    import numpy as np

    # One int64 key per row sorts far faster than unique rows of a 3-column array.
    c_span, m_span = int(cohort.max()) + 1, int(mob.max()) + 1
    keys = (partner.astype(np.int64) * c_span + cohort) * m_span + mob
    unique, inverse = np.unique(keys, return_inverse=True)
    out = {"partner": unique // (c_span * m_span), "cohort": unique // m_span % c_span, "mob": unique % m_span}
    for bucket, days in BUCKETS.items():
        out[bucket] = np.bincount(inverse.ravel(), weights=np.where(dpd > days, outstanding, 0.0),
                                  minlength=len(unique))
    return out
