"""Early-warning rule thresholds (FEATURES C5): the defaults and their validation. Pure.

A `RuleSet` row stores one version of this dict; missing keys take the defaults, anything malformed is
named as `thresholds.<key>`.
"""

from typing import Any

DEFAULT_RULES: dict[str, Any] = {
    # repayment delay: severity of each DPD bucket (1: 1-30, 2: 31-60, 3: 61-90, 4: 90+)
    "bucket_severity": [1, 2, 3, 4],
    # large outflow: an outflow above `multiple` x the customer's mean outflow over `baseline_days`
    "large_outflow": {"multiple": 5.0, "min_amount": 50000, "baseline_days": 90, "severity": 2},
    # inflow drop: inflows over the last `window_days` below `ratio` x the mean of the preceding windows
    "inflow_drop": {"window_days": 30, "baseline_windows": 3, "ratio": 0.4, "severity": 2},
    "high_risk_merchants": {"categories": ["7995", "6051", "4829", "7801"], "severity": 2},
    "court_judgement": {"severity": 3},
    "blacklist_hit": {"severity": 3},
    "score_drop": {"points": 40, "severity": 2},
    # interventions: SLA in business days per tier
    "sla_days": {"1": 3, "2": 5, "3": 5, "4": 10},
    # credit-line review
    "line_review": {"freeze_dpd": 31, "reduce_dpd": 1, "low_score": 550, "reduce_share": 0.3,
                    "approval_above": 200000},
    # bad-debt early warning (EWMA control band)
    "ewma": {"lam": 0.2, "k": 3.0, "warmup": 20},
}


class RulesError(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _num(value: object, path: str, errors: dict[str, str], *, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        errors[path] = f"a number from {low} to {high}"


# (rule, threshold) -> the range a number must lie in
NUMBER_RANGES: dict[tuple[str, str], tuple[float, float]] = {
    ("large_outflow", "multiple"): (1, 1000),
    ("large_outflow", "min_amount"): (0, 1e12),
    ("large_outflow", "baseline_days"): (7, 730),
    ("inflow_drop", "window_days"): (7, 180),
    ("inflow_drop", "baseline_windows"): (1, 12),
    ("inflow_drop", "ratio"): (0, 1),
    ("score_drop", "points"): (1, 1000),
    **{("sla_days", tier): (1, 60) for tier in ("1", "2", "3", "4")},
    ("line_review", "freeze_dpd"): (1, 1000),
    ("line_review", "reduce_dpd"): (1, 1000),
    ("line_review", "low_score"): (0, 1000),
    ("line_review", "reduce_share"): (0.01, 0.99),
    ("line_review", "approval_above"): (0, 1e12),
    ("ewma", "lam"): (0.01, 1),
    ("ewma", "k"): (0.5, 10),
    ("ewma", "warmup"): (3, 400),
}
SIGNAL_RULES = ("large_outflow", "inflow_drop", "high_risk_merchants", "court_judgement", "blacklist_hit",
                "score_drop")


def _with_defaults(raw: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """Every rule, missing ones and missing thresholds of a rule taken from the defaults."""
    out: dict[str, Any] = {}
    for key, default in DEFAULT_RULES.items():
        value = raw.get(key, default)
        if isinstance(default, dict):
            if not isinstance(value, dict):
                errors[f"thresholds.{key}"] = "must be an object"
                value = default
            value = {**default, **value}
        out[key] = value
    return out


def _check_severities(out: dict[str, Any], errors: dict[str, str]) -> None:
    sev = out["bucket_severity"]
    if not isinstance(sev, list) or len(sev) != 4 or any(not isinstance(s, int) or not 1 <= s <= 4 for s in sev):
        errors["thresholds.bucket_severity"] = "four severities from 1 to 4"
    for key in SIGNAL_RULES:
        s = out[key].get("severity")
        if not isinstance(s, int) or isinstance(s, bool) or not 1 <= s <= 4:
            errors[f"thresholds.{key}.severity"] = "a severity from 1 to 4"


def validate_rules(raw: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise RulesError({"thresholds": "must be an object"})
    errors: dict[str, str] = {f"thresholds.{k}": "unknown rule" for k in sorted(set(raw) - set(DEFAULT_RULES))}
    out = _with_defaults(raw, errors)
    _check_severities(out, errors)
    for (rule, name), (low, high) in NUMBER_RANGES.items():
        _num(out[rule].get(name), f"thresholds.{rule}.{name}", errors, low=low, high=high)
    cats = out["high_risk_merchants"]["categories"]
    if not isinstance(cats, list) or any(not isinstance(c, str) or not 1 <= len(c) <= 8 for c in cats):
        errors["thresholds.high_risk_merchants.categories"] = "a list of merchant category codes"
    if errors:
        raise RulesError(errors)
    return out


def bucket_of(dpd: int) -> int:
    """0 current, 1: 1-30, 2: 31-60, 3: 61-90, 4: more than 90 days past due."""
    if dpd <= 0:
        return 0
    if dpd <= 30:
        return 1
    if dpd <= 60:
        return 2
    if dpd <= 90:
        return 3
    return 4
