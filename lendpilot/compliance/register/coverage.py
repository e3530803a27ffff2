"""Attestation coverage of a regulator document's trainings against the goal (no ORM)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

GOAL = 0.95


@dataclass(frozen=True)
class Coverage:
    attested: int
    audience: int
    deadline: date | None

    @property
    def ratio(self) -> float | None:
        return self.attested / self.audience if self.audience else None

    def state(self, today: date) -> str:
        """met (at or above the goal), on_track (below, deadline ahead), missed (below, deadline passed),
        none (no training or nobody to train)."""
        ratio = self.ratio
        if ratio is None:
            return "none"
        if ratio >= GOAL:
            return "met"
        if self.deadline is not None and self.deadline < today:
            return "missed"
        return "on_track"


def combine(parts: list[Coverage]) -> Coverage:
    """Every training of a document together; its deadline is the earliest one still to meet."""
    deadlines = [p.deadline for p in parts if p.deadline is not None]
    return Coverage(sum(p.attested for p in parts), sum(p.audience for p in parts),
                    min(deadlines) if deadlines else None)
