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


def validate_rules(raw: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise RulesError({"thresholds": "must be an object"})
    errors: dict[str, str] = {f"thresholds.{k}": "unknown rule" for k in sorted(set(raw) - set(DEFAULT_RULES))}
    out: dict[str, Any] = {}
    for key, default in DEFAULT_RULES.items():
        value = raw.get(key, default)
        if isinstance(default, dict):
            if not isinstance(value, dict):
                errors[f"thresholds.{key}"] = "must be an object"
                value = default
            value = {**default, **value}
        out[key] = value
    sev = out["bucket_severity"]
    if not isinstance(sev, list) or len(sev) != 4 or any(not isinstance(s, int) or not 1 <= s <= 4 for s in sev):
        errors["thresholds.bucket_severity"] = "four severities from 1 to 4"
    for key in ("large_outflow", "inflow_drop", "high_risk_merchants", "court_judgement", "blacklist_hit",
                "score_drop"):
        s = out[key].get("severity")
        if not isinstance(s, int) or isinstance(s, bool) or not 1 <= s <= 4:
            errors[f"thresholds.{key}.severity"] = "a severity from 1 to 4"
    _num(out["large_outflow"]["multiple"], "thresholds.large_outflow.multiple", errors, low=1, high=1000)
    _num(out["large_outflow"]["min_amount"], "thresholds.large_outflow.min_amount", errors, low=0, high=1e12)
    _num(out["large_outflow"]["baseline_days"], "thresholds.large_outflow.baseline_days", errors, low=7, high=730)
    _num(out["inflow_drop"]["window_days"], "thresholds.inflow_drop.window_days", errors, low=7, high=180)
    _num(out["inflow_drop"]["baseline_windows"], "thresholds.inflow_drop.baseline_windows", errors, low=1, high=12)
    _num(out["inflow_drop"]["ratio"], "thresholds.inflow_drop.ratio", errors, low=0, high=1)
    cats = out["high_risk_merchants"]["categories"]
    if not isinstance(cats, list) or any(not isinstance(c, str) or not 1 <= len(c) <= 8 for c in cats):
        errors["thresholds.high_risk_merchants.categories"] = "a list of merchant category codes"
    _num(out["score_drop"]["points"], "thresholds.score_drop.points", errors, low=1, high=1000)
    for tier in ("1", "2", "3", "4"):
        _num(out["sla_days"].get(tier), f"thresholds.sla_days.{tier}", errors, low=1, high=60)
    review = out["line_review"]
    _num(review["freeze_dpd"], "thresholds.line_review.freeze_dpd", errors, low=1, high=1000)
    _num(review["reduce_dpd"], "thresholds.line_review.reduce_dpd", errors, low=1, high=1000)
    _num(review["low_score"], "thresholds.line_review.low_score", errors, low=0, high=1000)
    _num(review["reduce_share"], "thresholds.line_review.reduce_share", errors, low=0.01, high=0.99)
    _num(review["approval_above"], "thresholds.line_review.approval_above", errors, low=0, high=1e12)
    _num(out["ewma"]["lam"], "thresholds.ewma.lam", errors, low=0.01, high=1)
    _num(out["ewma"]["k"], "thresholds.ewma.k", errors, low=0.5, high=10)
    _num(out["ewma"]["warmup"], "thresholds.ewma.warmup", errors, low=3, high=400)
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
