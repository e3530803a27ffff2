"""Hard policy rules and the approvable amount (FEATURES E1, D6). Pure: a rules dict (as stored on a
PolicyVersion) and the applicant's facts in, declines and amounts out; no ORM.

Rules (every key optional; `DEFAULT_RULES` is the shipped default):

    age:                 {"min": 18, "max": 65}            persons only
    max_dti:             0.6                               existing monthly debt / monthly income
    excluded_industries: ["K"]                             GB/T 4754 section codes
    industry_premium_bps: {"E": 75}                        risk premium over the product rate, per industry
    regions:             {"excluded": ["WEST"], "max_amount": {"SOUTH": "3000000"}}
    bureau:              {"max_overdue_24m": 6, "max_inquiries_6m": 12, "red_flags": ["fraud", ...]}
    capacity_dti:        0.55   share of income that all instalments (old and new) may take
    grade_multipliers:   {"A": 1, "B": 0.8, "C": 0.6, "D": 0.3, "E": 0}   of the product maximum
    approval:            {"cutoff_pd": 0.15, "steepness": 2.0}
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from lendpilot.core.reference import Industry

BUREAU_FLAGS: dict[str, tuple[str, str]] = {
    "fraud": ("征信显示欺诈记录", "Fraud record in the credit report"),
    "court_enforcement": ("存在法院强制执行记录", "Court enforcement record"),
    "write_off": ("存在呆账/核销记录", "Written-off debt in the credit report"),
    "current_overdue": ("当前存在逾期", "Currently overdue"),
    "guarantee_default": ("对外担保代偿", "Default on a guarantee given"),
}

DEFAULT_RULES: dict[str, Any] = {
    "age": {"min": 18, "max": 65},
    "max_dti": 0.6,
    "excluded_industries": [],
    "industry_premium_bps": {},
    "regions": {"excluded": [], "max_amount": {}},
    "bureau": {"max_overdue_24m": 6, "max_inquiries_6m": 12,
               "red_flags": ["fraud", "court_enforcement", "write_off", "current_overdue"]},
    "capacity_dti": 0.55,
    "grade_multipliers": {"A": 1.0, "B": 0.8, "C": 0.6, "D": 0.3, "E": 0.0},
    "approval": {"cutoff_pd": 0.15, "steepness": 2.0},
}


MAX_PREMIUM_BPS = 3000
ADMISSIONS = ("tighten", "keep", "loosen")


class PolicyError(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Decline:
    code: str
    text_zh: str
    text_en: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "text_zh": self.text_zh, "text_en": self.text_en}


def _number(value: Any, field: str, errors: dict[str, str], *, low: float | None = None,
            high: float | None = None) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        errors[field] = _("must be a number")
        return None
    if (low is not None and value < low) or (high is not None and value > high):
        errors[field] = _("must be between %(low)s and %(high)s") % {"low": low, "high": high}
        return None
    return value


def _is_code(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 20 and value.replace("_", "").replace("-", "").isalnum()


def _with_defaults(rules: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """Every rule, missing ones (and missing keys of a rule object) taken from the defaults."""
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in DEFAULT_RULES.items()}
    for key in ("age", "regions", "bureau", "grade_multipliers", "approval"):
        if key in rules:
            if not isinstance(rules[key], dict):
                errors[f"rules.{key}"] = _("must be an object")
            else:
                out[key] = {**DEFAULT_RULES[key], **rules[key]}
    for key in ("max_dti", "capacity_dti", "excluded_industries", "industry_premium_bps"):
        if key in rules:
            out[key] = rules[key]
    return out


def _check_age_and_dti(out: dict[str, Any], errors: dict[str, str]) -> None:
    age = out["age"]
    lo = _number(age.get("min"), "rules.age.min", errors, low=0, high=120)
    hi = _number(age.get("max"), "rules.age.max", errors, low=0, high=120)
    if lo is not None and hi is not None and lo > hi:
        errors["rules.age"] = _("minimum above maximum")
    _number(out["max_dti"], "rules.max_dti", errors, low=0, high=10)
    _number(out["capacity_dti"], "rules.capacity_dti", errors, low=0, high=1)


def _check_industries(out: dict[str, Any], errors: dict[str, str]) -> None:
    industries = out["excluded_industries"]
    if not isinstance(industries, list) or any(i not in Industry.values for i in industries):
        errors["rules.excluded_industries"] = (_("a list of industry codes among %(choices)s")
                                               % {"choices": ", ".join(Industry.values)})
    premiums = out["industry_premium_bps"]
    if not isinstance(premiums, dict):
        errors["rules.industry_premium_bps"] = _("an object industry code -> basis points")
        return
    for code, bps in premiums.items():
        if code not in Industry.values:
            errors[f"rules.industry_premium_bps.{code}"] = _("unknown industry code")
        elif isinstance(bps, bool) or not isinstance(bps, int) or not 0 <= bps <= MAX_PREMIUM_BPS:
            errors[f"rules.industry_premium_bps.{code}"] = (_("whole basis points from 0 to %(max)s")
                                                            % {"max": MAX_PREMIUM_BPS})


def _check_regions(out: dict[str, Any], errors: dict[str, str]) -> None:
    regions = out["regions"]
    if not isinstance(regions.get("excluded", []), list) or not all(map(_is_code, regions.get("excluded", []))):
        errors["rules.regions.excluded"] = _("a list of region codes")
    caps = regions.get("max_amount", {})
    if not isinstance(caps, dict):
        errors["rules.regions.max_amount"] = _("an object region code -> amount")
        return
    for code, amount in caps.items():
        if not _is_code(code):
            errors["rules.regions.max_amount"] = _("an object region code -> amount")
            continue
        try:
            if Decimal(str(amount)) < 0:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors[f"rules.regions.max_amount.{code}"] = _("not an amount")


def _check_bureau_grades_approval(out: dict[str, Any], errors: dict[str, str]) -> None:
    bureau = out["bureau"]
    _number(bureau.get("max_overdue_24m"), "rules.bureau.max_overdue_24m", errors, low=0, high=1000)
    _number(bureau.get("max_inquiries_6m"), "rules.bureau.max_inquiries_6m", errors, low=0, high=1000)
    flags = bureau.get("red_flags", [])
    if not isinstance(flags, list) or any(f not in BUREAU_FLAGS for f in flags):
        errors["rules.bureau.red_flags"] = _("a list among %(choices)s") % {"choices": ', '.join(BUREAU_FLAGS)}
    multipliers = out["grade_multipliers"]
    for grade in "ABCDE":
        _number(multipliers.get(grade), f"rules.grade_multipliers.{grade}", errors, low=0, high=1)
    approval = out["approval"]
    _number(approval.get("cutoff_pd"), "rules.approval.cutoff_pd", errors, low=0.0001, high=0.9999)
    _number(approval.get("steepness"), "rules.approval.steepness", errors, low=0.01, high=100)


def validate_rules(rules: dict[str, Any]) -> dict[str, Any]:
    """A complete, checked rules dict: missing keys take the defaults; anything malformed is named."""
    if not isinstance(rules, dict):
        raise PolicyError({"rules": _("must be an object")})
    unknown = set(rules) - set(DEFAULT_RULES)
    errors: dict[str, str] = {f"rules.{k}": "unknown rule" for k in sorted(unknown)}
    out = _with_defaults(rules, errors)
    for check in (_check_age_and_dti, _check_industries, _check_regions, _check_bureau_grades_approval):
        check(out, errors)
    if errors:
        raise PolicyError(errors)
    return out


def evaluate(rules: dict[str, Any], *, age: int | None, dti: float | None, industry: str | None,
             region: str | None, bureau_overdue_24m: int | None, bureau_inquiries_6m: int | None,
             bureau_flags: list[str], blacklisted: list[str]) -> list[Decline]:
    """Every hard rule the applicant breaks (empty: none)."""
    out: list[Decline] = []
    for kind in blacklisted:
        out.append(Decline(f"blacklist.{kind}", "命中黑名单", f"On a blacklist ({kind})"))
    age_rule = rules["age"]
    if age is not None and not age_rule["min"] <= age <= age_rule["max"]:
        out.append(Decline("age", f"年龄不在{age_rule['min']}-{age_rule['max']}岁准入范围",
                           f"Age outside {age_rule['min']}-{age_rule['max']}"))
    if dti is not None and dti > rules["max_dti"]:
        out.append(Decline("max_dti", f"负债收入比{dti:.0%}超过上限{rules['max_dti']:.0%}",
                           f"Debt-to-income {dti:.0%} above the {rules['max_dti']:.0%} limit"))
    if industry and industry in rules["excluded_industries"]:
        out.append(Decline("industry", "所属行业暂停准入", f"Industry {industry} is not admitted"))
    if region and region in rules["regions"].get("excluded", []):
        out.append(Decline("region", "所在区域暂停准入", f"Region {region} is not admitted"))
    bureau = rules["bureau"]
    if bureau_overdue_24m is not None and bureau_overdue_24m > bureau["max_overdue_24m"]:
        out.append(Decline("bureau.overdue", "近两年逾期次数超过上限",
                           f"{bureau_overdue_24m} overdue records in 24 months (limit {bureau['max_overdue_24m']})"))
    if bureau_inquiries_6m is not None and bureau_inquiries_6m > bureau["max_inquiries_6m"]:
        out.append(Decline("bureau.inquiries", "近六个月征信查询次数过多",
                           f"{bureau_inquiries_6m} bureau inquiries in 6 months (limit {bureau['max_inquiries_6m']})"))
    for flag in bureau_flags:
        if flag in bureau.get("red_flags", []):
            zh, en = BUREAU_FLAGS[flag]
            out.append(Decline(f"bureau.{flag}", zh, en))
    return out


def apply_industry_changes(rules: dict[str, Any], changes: list[dict[str, Any]]) -> dict[str, Any]:
    """The rules after the risk committee's industry decisions (monitoring's industry risk map, C6/E1):
    `tighten` excludes the industry, `loosen` re-admits it, `keep` leaves admission alone; `premium_bps`
    sets the industry's risk premium over the product rate (0 removes it). Each change is
    {"industry", "admission", "premium_bps"}; anything malformed is named by its position, nothing applied.
    """
    if not isinstance(changes, list) or not changes:
        raise PolicyError({"changes": _("a non-empty list of industry changes")})
    errors: dict[str, str] = {}
    excluded = set(rules.get("excluded_industries", []))
    premiums = dict(rules.get("industry_premium_bps", {}))
    for n, change in enumerate(changes):
        if not isinstance(change, dict):
            errors[f"changes.{n}"] = _("must be an object")
            continue
        code, admission, bps = change.get("industry"), change.get("admission", "keep"), change.get("premium_bps")
        if code not in Industry.values:
            errors[f"changes.{n}.industry"] = _("one of %(choices)s") % {"choices": ', '.join(Industry.values)}
        if admission not in ADMISSIONS:
            errors[f"changes.{n}.admission"] = _("one of %(choices)s") % {"choices": ', '.join(ADMISSIONS)}
        if bps is not None and (isinstance(bps, bool) or not isinstance(bps, int)
                                or not 0 <= bps <= MAX_PREMIUM_BPS):
            errors[f"changes.{n}.premium_bps"] = _("whole basis points from 0 to %(max)s") % {"max": MAX_PREMIUM_BPS}
        if any(key.startswith(f"changes.{n}") for key in errors):
            continue
        if admission == "tighten":
            excluded.add(code)
        elif admission == "loosen":
            excluded.discard(code)
        if bps is not None:
            if bps:
                premiums[code] = bps
            else:
                premiums.pop(code, None)
    if errors:
        raise PolicyError(errors)
    return {**rules, "excluded_industries": sorted(excluded), "industry_premium_bps": dict(sorted(premiums.items()))}


def priced_rate(rules: dict[str, Any], *, base_rate: Decimal, industry: str | None,
                ceiling: Decimal | None = None) -> tuple[Decimal, int]:
    """The product rate plus the industry's risk premium (bps), capped at `ceiling` (the product's
    maximum rate): the rate the repayment capacity is computed at. Returns (rate, premium bps)."""
    bps = int(rules.get("industry_premium_bps", {}).get(industry or "", 0))
    rate = Decimal(base_rate) + Decimal(bps) / Decimal(10_000)
    if ceiling is not None and rate > ceiling:
        rate = Decimal(ceiling)
    return rate.quantize(Decimal("0.000001")), bps


HUNDRED = Decimal(100)


def annuity_principal(instalment: Decimal, annual_rate: Decimal, months: int) -> Decimal:
    """The principal that `instalment` per month repays over `months` at `annual_rate` (equal instalment)."""
    if instalment <= 0 or months <= 0:
        return Decimal(0)
    r = Decimal(annual_rate) / 12
    if r == 0:
        return instalment * months
    return instalment * (1 - (1 + r) ** -months) / r


def floor_hundreds(amount: Decimal) -> Decimal:
    return (Decimal(amount) / HUNDRED).to_integral_value(rounding=ROUND_FLOOR) * HUNDRED


def approvable_amount(rules: dict[str, Any], *, grade: str, product_max: Decimal, product_min: Decimal,
                      annual_rate: Decimal, term_months: int, monthly_income: Decimal | None,
                      monthly_debt: Decimal, collateral_value: Decimal | None, max_ltv: Decimal | None,
                      region: str | None) -> tuple[Decimal, dict[str, str]]:
    """The least of the product maximum, the repayment capacity, the collateral value times the LTV cap,
    the grade cap (product maximum times the grade multiplier) and the region cap; floored to hundreds,
    zero when below the product minimum. Returns the amount and each cap (as strings) for display."""
    caps: dict[str, Decimal] = {"product_max": Decimal(product_max)}
    if monthly_income is not None:
        room = Decimal(monthly_income) * Decimal(str(rules["capacity_dti"])) - Decimal(monthly_debt)
        caps["repayment_capacity"] = annuity_principal(room, Decimal(annual_rate), term_months)
    if collateral_value is not None and max_ltv is not None:
        caps["collateral"] = Decimal(collateral_value) * Decimal(max_ltv)
    caps["grade"] = Decimal(product_max) * Decimal(str(rules["grade_multipliers"][grade]))
    region_cap = rules["regions"].get("max_amount", {}).get(region or "")
    if region_cap is not None:
        caps["region"] = Decimal(str(region_cap))
    amount = floor_hundreds(max(min(caps.values()), Decimal(0)))
    if amount < product_min:
        amount = Decimal(0)
    return amount.quantize(Decimal("0.01")), {k: str(floor_hundreds(max(v, Decimal(0)))) for k, v in caps.items()}


def approval_probability(rules: dict[str, Any], *, pd: float, declined: bool, requested: Decimal | None,
                         approvable: Decimal) -> float:
    """A logistic curve in log-odds around the approval cutoff PD (0.5 at the cutoff), reduced in
    proportion when the requested amount exceeds the approvable amount; 0 when a hard rule declines."""
    if declined or approvable <= 0:
        return 0.0
    cutoff = rules["approval"]["cutoff_pd"]
    k = rules["approval"]["steepness"]
    pd = min(max(pd, 1e-9), 1 - 1e-9)
    z = k * (math.log(cutoff / (1 - cutoff)) - math.log(pd / (1 - pd)))
    p = 1.0 / (1.0 + math.exp(-max(min(z, 700), -700)))
    if requested is not None and requested > approvable:
        p *= float(approvable / requested)
    return round(p, 4)
