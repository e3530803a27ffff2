"""The scoring engine: a compiled points table applied with plain Python and numpy (FEATURES C4, D6).

A table (built by `lendpilot.scoring.training.compile_table`, stored as JSON on a ScorecardVersion)
lists each characteristic with its bins and the points of every bin. Scoring one applicant looks
up one bin per characteristic (bisect on the split points, a dict for categories) and adds the
points; a portfolio is scored column-wise with `np.searchsorted`. Neither pandas nor optbinning is
touched here.

Score = offset + factor * ln(good:bad odds), factor = PDO / ln 2, so the probability of default is
1 / (1 + exp((score - offset) / factor)). Reason codes are the characteristics with the largest
shortfall between the points obtained and the best points that characteristic can give.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from numbers import Real
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

GRADES = "ABCDE"

# Reason texts for the characteristics that the pre-screen knows; others get a generic text.
REASON_TEXTS: dict[str, tuple[str, str]] = {
    "debt_to_income": ("负债收入比偏高", "Debt-to-income ratio is high"),
    "bureau_inquiries_6m": ("征信查询次数多", "Many credit bureau inquiries in the last 6 months"),
    "bureau_overdue_24m": ("近两年征信有逾期记录", "Overdue records in the credit report in the last 24 months"),
    "monthly_income": ("月收入偏低", "Monthly income is low"),
    "employment_years": ("工作年限较短", "Short time in current employment"),
    "age": ("年龄段风险较高", "Age band carries higher risk"),
    "industry": ("所属行业风险较高", "Industry carries higher risk"),
    "credit_history_months": ("信用历史较短", "Short credit history"),
}


class ScoringInputError(ValueError):
    """Input that the scorecard cannot score: field -> reason. Never scored silently."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Reason:
    code: str
    shortfall: float
    bin: str
    text_zh: str
    text_en: str

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "shortfall": round(self.shortfall, 2), "bin": self.bin,
                "text_zh": self.text_zh, "text_en": self.text_en}


@dataclass(frozen=True)
class ScoreResult:
    score: float
    pd: float
    grade: str
    points: dict[str, float]
    bins: list[int]  # bin index per characteristic, -1 for the missing bin
    reasons: list[Reason]


def reason_text(name: str, label: str) -> tuple[str, str]:
    if name in REASON_TEXTS:
        return REASON_TEXTS[name]
    return f"{name}（{label}）得分偏低", f"{name} ({label}) scores low"


@dataclass(frozen=True)
class _Char:
    name: str
    kind: str
    splits: tuple[float, ...]
    splits_np: np.ndarray
    categories: dict[str, int]
    points: tuple[float, ...]
    points_np: np.ndarray
    missing_points: float
    allow_missing: bool
    domain_min: float | None
    best_points: float
    labels: tuple[str, ...]


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


class Scorecard:
    """A compiled, immutable scorecard. Build once per version and reuse across requests."""

    def __init__(self, table: Mapping[str, Any]):
        scale = table["scaling"]
        self.factor = float(scale["factor"])
        self.offset = float(scale["offset"])
        self.grade_bounds = tuple(float(b) for b in table.get("grade_bounds", (0.03, 0.08, 0.15, 0.30)))
        chars = []
        for c in table["characteristics"]:
            splits = tuple(float(s) for s in c.get("splits", ()))
            points = tuple(float(p) for p in c["points"])
            chars.append(_Char(
                name=c["name"], kind=c["kind"], splits=splits, splits_np=np.asarray(splits, dtype=float),
                categories=dict(c.get("categories", {})), points=points, points_np=np.asarray(points, dtype=float),
                missing_points=float(c["missing_points"]), allow_missing=bool(c["allow_missing"]),
                domain_min=c.get("domain_min"), best_points=float(c["best_points"]), labels=tuple(c["labels"]),
            ))
        self._chars = tuple(chars)
        self.names = tuple(c.name for c in chars)
        self.characteristics = self._chars
        self.best_total = sum(c.best_points for c in chars)

    # -- one applicant ---------------------------------------------------------------------------

    def _bin(self, c: _Char, value: Any) -> int:
        if _is_missing(value):
            if not c.allow_missing:
                raise ScoringInputError({c.name: _("required by the scorecard")})
            return -1
        if c.kind == "numeric":
            if isinstance(value, bool) or not isinstance(value, (Real, Decimal)):
                raise ScoringInputError({c.name: _("not a number: %(value)r") % {"value": value}})
            x = float(value)
            if not math.isfinite(x):
                raise ScoringInputError({c.name: _("not a finite number")})
            if c.domain_min is not None and x < c.domain_min:
                message = _("%(value)s is outside every bin of the scorecard (values from %(low)g up)")
                raise ScoringInputError({c.name: message % {"value": value, "low": c.domain_min}})
            return bisect_right(c.splits, x)
        index = c.categories.get(str(value))
        if index is None:
            raise ScoringInputError({c.name: _("%(value)r is not a category the scorecard knows") % {"value": value}})
        return index

    def score(self, applicant: Mapping[str, Any], *, n_reasons: int = 3) -> ScoreResult:
        errors: dict[str, str] = {}
        bins: list[int] = []
        points: dict[str, float] = {}
        total = 0.0
        for c in self._chars:
            try:
                index = self._bin(c, applicant.get(c.name))
            except ScoringInputError as exc:
                errors.update(exc.errors)
                continue
            p = c.missing_points if index < 0 else c.points[index]
            bins.append(index)
            points[c.name] = p
            total += p
        if errors:
            raise ScoringInputError(errors)
        pd_ = self.pd_of(total)
        return ScoreResult(score=total, pd=pd_, grade=self.grade_of(pd_), points=points, bins=bins,
                           reasons=self.reasons(bins, n_reasons))

    def reasons(self, bins: list[int], n: int = 3) -> list[Reason]:
        shortfalls = []
        for c, index in zip(self._chars, bins, strict=True):
            p = c.missing_points if index < 0 else c.points[index]
            gap = c.best_points - p
            if gap > 1e-9:
                shortfalls.append((gap, c, index))
        shortfalls.sort(key=lambda t: (-t[0], t[1].name))
        out = []
        for gap, c, index in shortfalls[:n]:
            label = "Missing" if index < 0 else c.labels[index]
            zh, en = reason_text(c.name, label)
            out.append(Reason(code=c.name, shortfall=gap, bin=label, text_zh=zh, text_en=en))
        return out

    def pd_of(self, score: float) -> float:
        z = (score - self.offset) / self.factor
        if z > 700:
            return 0.0
        return 1.0 / (1.0 + math.exp(z))

    def grade_of(self, pd_: float) -> str:
        return GRADES[bisect_right(self.grade_bounds, pd_)]

    # -- a portfolio -----------------------------------------------------------------------------

    def bin_columns(self, columns: Mapping[str, Any]) -> dict[str, np.ndarray]:
        """Bin index per characteristic for whole columns (-1 = missing). Raises ScoringInputError
        naming each column with values outside the scorecard (with the first offending row)."""
        errors: dict[str, str] = {}
        out: dict[str, np.ndarray] = {}
        for c in self._chars:
            if c.name not in columns:
                errors[c.name] = _("column missing")
                continue
            col = np.asarray(columns[c.name])
            if c.kind == "numeric":
                try:
                    x = col.astype(float)
                except (TypeError, ValueError):
                    errors[c.name] = _("not numeric")
                    continue
                missing = np.isnan(x)
                bad = np.isinf(x)
                if c.domain_min is not None:
                    bad |= x < c.domain_min
                index = np.searchsorted(c.splits_np, x, side="right")
            else:
                text = col.astype(object)
                missing = np.array([_is_missing(v) for v in text], dtype=bool) if text.dtype == object else \
                    np.zeros(len(text), dtype=bool)
                uniques, inverse = np.unique(np.where(missing, "", text.astype(str)), return_inverse=True)
                mapped = np.array([c.categories.get(u, -2) for u in uniques], dtype=np.int64)
                index = mapped[inverse]
                bad = (index == -2) & ~missing
            if not c.allow_missing and missing.any():
                bad |= missing
            if bad.any():
                row = int(np.argmax(bad))
                errors[c.name] = _("%(count)d value(s) outside the scorecard, first at row %(row)d: %(value)r") % {
                    "count": int(bad.sum()), "row": row, "value": col[row]}
                continue
            out[c.name] = np.where(missing, -1, index)
        if errors:
            raise ScoringInputError(errors)
        return out

    def points_of_bins(self, bins: Mapping[str, np.ndarray]) -> np.ndarray:
        total = None
        for c in self._chars:
            b = bins[c.name]
            pts = np.where(b < 0, c.missing_points, c.points_np[np.maximum(b, 0)])
            total = pts if total is None else total + pts
        return total if total is not None else np.zeros(0)

    def score_frame(self, columns: Mapping[str, Any]) -> np.ndarray:
        """Scores of a whole portfolio given one array per characteristic (vectorised)."""
        return self.points_of_bins(self.bin_columns(columns))

    def pd_of_scores(self, scores: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(np.clip((scores - self.offset) / self.factor, -700, 700)))

    def grades_of_scores(self, scores: np.ndarray) -> np.ndarray:
        index = np.searchsorted(np.asarray(self.grade_bounds), self.pd_of_scores(scores), side="right")
        return np.asarray(list(GRADES))[index]
