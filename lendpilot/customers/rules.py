"""The tag rule language (FEATURES B4) and its compiler to a Django `Q` over `Customer`.

A rule is one boolean expression in Python syntax, parsed with the standard `ast` module and then
walked node by node against a whitelist, so nothing is ever evaluated:

    industry == "C" and headcount >= 50 and not bureau_red_flags > 0
    region in ("EAST", "SOUTH") and 1000000 <= max_single_loan < 5000000
    days_since_last_repayment > 180 or high_value

Allowed: `and`, `or`, `not`, comparisons (`== != < <= > >= in not in`, chained too), string, number and
boolean constants, tuples/lists of constants after `in`, and the names in `FIELDS` (a bare boolean field
is a test). Anything else -- calls, attributes, arithmetic, unknown names, a string compared with a
number field, a number no column can hold, a day count past a century, nesting deeper than `MAX_DEPTH` --
raises `RuleError` naming the problem. Fields of kind "days" count days before the
`as_of` date and are compiled to a date comparison, so the whole rule stays one plain SQL predicate and
a tag is recomputed with one INSERT ... SELECT (no per-customer Python).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db.models import Q


class RuleError(ValueError):
    """The rule does not parse or uses something outside the whitelist."""


@dataclass(frozen=True)
class Field:
    path: str  # ORM lookup path from Customer
    kind: str  # str | num | bool | days
    source: str  # where the data comes from (TagDefinition.Source)
    values: tuple[str, ...] = ()  # allowed values of a str field (empty: any)


_INDUSTRIES = tuple("ABCDEFGHIJKLMNOPQRST")
_TIERS = ("strategic", "growth", "micro")
_BANDS = ("A", "B", "C", "D", "E")
PURPOSES = ("working_capital", "expansion", "equipment", "technology", "stocking", "refinance", "consumption",
            "other")
CASHFLOW_CYCLES = ("monthly", "quarterly", "seasonal", "project", "irregular")
COLLATERAL = ("none", "property", "equipment", "receivables", "guarantee", "deposit")
RISK_APPETITES = ("conservative", "balanced", "aggressive")

FIELDS: dict[str, Field] = {
    # basic (the customer record)
    "kind": Field("kind", "str", "internal", ("person", "enterprise")),
    "industry": Field("industry", "str", "internal", _INDUSTRIES),
    "region": Field("region__code", "str", "internal"),
    "city": Field("city", "str", "internal"),
    "tier": Field("tier", "str", "internal", _TIERS),
    "lifecycle": Field("lifecycle_status", "str", "internal", ("prospect", "active", "dormant", "churned")),
    "gender": Field("gender", "str", "internal", ("M", "F", "")),
    # loan book facts (filled by lending)
    "loans_count": Field("facts__loans_count", "num", "internal"),
    "active_loans": Field("facts__active_loans", "num", "internal"),
    "max_single_loan": Field("facts__max_single_loan", "num", "internal"),
    "total_disbursed": Field("facts__total_disbursed", "num", "internal"),
    "outstanding_balance": Field("facts__outstanding_balance", "num", "internal"),
    "repayments_count": Field("facts__repayments_count", "num", "internal"),
    "total_repaid": Field("facts__total_repaid", "num", "internal"),
    "interest_income": Field("facts__interest_income", "num", "internal"),
    "max_days_past_due": Field("facts__max_days_past_due", "num", "internal"),
    "credit_band": Field("facts__credit_band", "str", "internal", (*_BANDS, "")),
    "days_since_last_loan": Field("facts__last_disbursed_on", "days", "internal"),
    "days_since_last_repayment": Field("facts__last_repaid_on", "days", "internal"),
    "tenure_days": Field("facts__first_disbursed_on", "days", "internal"),
    # external feeds
    "tax_invoice_12m": Field("signals__tax_invoice_12m", "num", "tax"),
    "tax_invoice_growth": Field("signals__tax_invoice_growth", "num", "tax"),
    "tax_paid_12m": Field("signals__tax_paid_12m", "num", "tax"),
    "headcount": Field("signals__headcount", "num", "social_insurance"),
    "headcount_change": Field("signals__headcount_change", "num", "social_insurance"),
    "ecommerce_gmv_12m": Field("signals__ecommerce_gmv_12m", "num", "ecommerce"),
    "ecommerce_peak_ratio": Field("signals__ecommerce_peak_ratio", "num", "ecommerce"),
    "bureau_queries_6m": Field("signals__bureau_queries_6m", "num", "bureau"),
    "bureau_red_flags": Field("signals__bureau_red_flags", "num", "bureau"),
    "external_debt": Field("signals__external_debt", "num", "bureau"),
    "equipment_purchases_12m": Field("signals__equipment_purchases_12m", "num", "internal"),
    "equipment_amount_12m": Field("signals__equipment_amount_12m", "num", "internal"),
    # value (RFM, lifetime value)
    "r_score": Field("value__r_score", "num", "internal"),
    "f_score": Field("value__f_score", "num", "internal"),
    "m_score": Field("value__m_score", "num", "internal"),
    "rfm_score": Field("value__rfm_score", "num", "internal"),
    "lifetime_value": Field("value__lifetime_value", "num", "internal"),
    "high_value": Field("value__high_value", "bool", "internal"),
    "days_since_activity": Field("value__last_activity_on", "days", "internal"),
    # needs (latest questionnaire)
    "need_purpose": Field("needs__purpose", "str", "questionnaire", PURPOSES),
    "need_amount": Field("needs__amount", "num", "questionnaire"),
    "need_term_months": Field("needs__term_months", "num", "questionnaire"),
    "cashflow_cycle": Field("needs__cashflow_cycle", "str", "questionnaire", CASHFLOW_CYCLES),
    "collateral": Field("needs__collateral", "str", "questionnaire", COLLATERAL),
    "existing_debts": Field("needs__existing_debts", "num", "questionnaire"),
    "risk_appetite": Field("needs__risk_appetite", "str", "questionnaire", RISK_APPETITES),
}

MAX_DEPTH = 20
"""`and`/`or`/`not` nested at most this deep (the checker and the compiler recurse)."""
MAX_NUMBER = Decimal(10) ** 12
"""A compared number stays below this in magnitude with at most `MAX_PLACES` decimals, so that it fits
every numeric column (DECIMAL(16, 2) included) instead of failing inside the database."""
MAX_PLACES = 6
MAX_DAYS = 36_500

_OPS = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
        ast.In: "in", ast.NotIn: "not in"}
# For "days since" fields: days OP n  <=>  date MIRROR(OP) (as_of - n)
_MIRROR = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_LOOKUP = {"<": "lt", "<=": "lte", ">": "gt", ">=": "gte"}


def parse(rule: str) -> ast.expr:
    """Parse and validate a rule; returns its (checked) expression tree."""
    text = (rule or "").strip()
    if not text:
        raise RuleError("the rule is empty")
    if len(text) > 2000:
        raise RuleError("the rule is longer than 2000 characters")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise RuleError(f"the rule does not parse: {exc.msg} (column {exc.offset})") from None
    except (RecursionError, MemoryError):
        raise RuleError(f"the rule is nested more than {MAX_DEPTH} levels deep") from None
    _check(tree.body)
    return tree.body


def fields_of(rule: str) -> set[str]:
    """The whitelisted field names a rule reads (to derive a tag's source)."""
    return {node.id for node in ast.walk(parse(rule)) if isinstance(node, ast.Name)}


def compile_rule(rule: str, *, as_of: date) -> Q:
    """The rule as a `Q` over `Customer`."""
    return _compile(parse(rule), as_of)


def field_q(name: str, op: str, value, *, as_of: date) -> Q:
    """One comparison `name op value` as a `Q` (used by the segment query language too)."""
    field = FIELDS.get(name)
    if field is None:
        raise RuleError(f"unknown field {name}")
    value = _coerce(field, name, value)
    if op in ("in", "not in"):
        if field.kind == "days":
            value = tuple(_days_before(name, v, as_of) for v in value)
        q = Q(**{f"{field.path}__in": list(value)})
        return ~q if op == "not in" else q
    if field.kind == "days":
        op, value = _MIRROR[op], _days_before(name, value, as_of)
    if op == "==":
        return Q(**{field.path: value})
    if op == "!=":
        return ~Q(**{field.path: value}) & Q(**{f"{field.path}__isnull": False})
    if field.kind in ("str", "bool"):
        raise RuleError(f"{name} can only be compared with == != in")
    return Q(**{f"{field.path}__{_LOOKUP[op]}": value})


def _days_before(name: str, days: Decimal, as_of: date) -> date:
    if days != days.to_integral_value() or not 0 <= days <= MAX_DAYS:
        raise RuleError(f"{name} counts whole days from 0 to {MAX_DAYS}")
    return as_of - timedelta(days=int(days))


def _coerce(field: Field, name: str, value):
    if isinstance(value, (list, tuple)):
        return tuple(_coerce(field, name, v) for v in value)
    if field.kind == "str":
        if not isinstance(value, str):
            raise RuleError(f"{name} is compared with a string")
        if field.values and value not in field.values:
            raise RuleError(f"{name} has no value {value!r} (allowed: {', '.join(v for v in field.values if v)})")
        return value
    if field.kind == "bool":
        if not isinstance(value, bool):
            raise RuleError(f"{name} is compared with True or False")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        raise RuleError(f"{name} is compared with a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise RuleError(f"{name} is compared with a number") from None
    if not number.is_finite():
        raise RuleError(f"{name} is compared with a number")
    if number.copy_abs() >= MAX_NUMBER or number.as_tuple().exponent < -MAX_PLACES:
        raise RuleError(f"{name} is compared with a number outside ±{MAX_NUMBER:,} or with more than "
                        f"{MAX_PLACES} decimals")
    return number


def _check(node: ast.AST, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise RuleError(f"the rule is nested more than {MAX_DEPTH} levels deep")
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            _check(value, depth + 1)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        _check(node.operand, depth + 1)
    elif isinstance(node, ast.Compare):
        _check_comparison(node)
    elif isinstance(node, ast.Name):
        if node.id not in FIELDS:
            raise RuleError(f"unknown field {node.id}")
        if FIELDS[node.id].kind != "bool":
            raise RuleError(f"{node.id} is not a yes/no field: compare it with a value")
    elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return
    else:
        raise RuleError(f"{type(node).__name__} is not allowed in a rule")


def _check_comparison(node: ast.Compare) -> None:
    operands = [node.left, *node.comparators]
    for op, right in zip(node.ops, node.comparators, strict=True):
        if type(op) not in _OPS:
            raise RuleError(f"operator {type(op).__name__} is not allowed")
        if isinstance(op, (ast.In, ast.NotIn)) and not isinstance(right, (ast.Tuple, ast.List, ast.Set)):
            raise RuleError("`in` needs a list of values")
    for operand in operands:
        if isinstance(operand, ast.Name):
            if operand.id not in FIELDS:
                raise RuleError(f"unknown field {operand.id}")
        else:
            _constant(operand)
    if not any(isinstance(o, ast.Name) for o in operands):
        raise RuleError("a comparison needs a field")


def _constant(node: ast.AST):
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float, bool)):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) \
            and isinstance(node.operand.value, (int, float)) and not isinstance(node.operand.value, bool):
        return -node.operand.value
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        values = tuple(_constant(e) for e in node.elts)
        if not values:
            raise RuleError("an empty list of values")
        if any(isinstance(v, tuple) for v in values):
            raise RuleError("nested lists are not allowed")
        return values
    raise RuleError(f"{type(node).__name__} is not allowed as a value")


def _compile(node: ast.expr, as_of: date) -> Q:
    if isinstance(node, ast.BoolOp):
        parts = [_compile(v, as_of) for v in node.values]
        q = parts[0]
        for part in parts[1:]:
            q = (q & part) if isinstance(node.op, ast.And) else (q | part)
        return q
    if isinstance(node, ast.UnaryOp):
        return ~_compile(node.operand, as_of)
    if isinstance(node, ast.Name):
        return Q(**{FIELDS[node.id].path: True})
    if isinstance(node, ast.Constant):
        return Q(pk__isnull=not node.value)
    q = Q()
    left = node.left
    for op, right in zip(node.ops, node.comparators, strict=True):
        symbol = _OPS[type(op)]
        if isinstance(left, ast.Name):
            q &= field_q(left.id, symbol, _constant(right), as_of=as_of)
        elif isinstance(right, ast.Name):
            if symbol in ("in", "not in"):
                raise RuleError("write the field on the left of `in`")
            q &= field_q(right.id, _MIRROR[symbol], _constant(left), as_of=as_of)
        else:
            raise RuleError("a comparison needs a field")
        left = right
    return q


def evaluate(rule: str, record: dict, *, as_of: date) -> bool:
    """The rule evaluated in Python over one customer's field values (`record[field]`, None when the customer
    has no such data), with the database's semantics: a comparison with a missing value is false, and
    `not` of it is true. For cross-checks and the per-customer baseline; recompute never uses it."""
    return evaluate_tree(parse(rule), record, as_of=as_of)


def evaluate_tree(tree: ast.expr, record: dict, *, as_of: date) -> bool:
    """`evaluate` for a rule already parsed with `parse` (to evaluate many records without re-parsing)."""
    return bool(_evaluate(tree, record, as_of))


def _value_of(name: str, record: dict, as_of: date):
    value = record.get(name)
    if value is not None and FIELDS[name].kind == "days":
        return (as_of - value).days
    return value


def _evaluate(node: ast.expr, record: dict, as_of: date) -> bool:
    if isinstance(node, ast.BoolOp):
        results = (_evaluate(v, record, as_of) for v in node.values)
        return all(results) if isinstance(node.op, ast.And) else any(results)
    if isinstance(node, ast.UnaryOp):
        return not _evaluate(node.operand, record, as_of)
    if isinstance(node, ast.Name):
        return record.get(node.id) is True
    if isinstance(node, ast.Constant):
        return bool(node.value)
    left = node.left
    for op, right in zip(node.ops, node.comparators, strict=True):
        a = _value_of(left.id, record, as_of) if isinstance(left, ast.Name) else _constant(left)
        b = _value_of(right.id, record, as_of) if isinstance(right, ast.Name) else _constant(right)
        if a is None or b is None:
            return False
        if not _holds(a, _OPS[type(op)], b):
            return False
        left = right
    return True


def _holds(a, symbol: str, b) -> bool:
    """One comparison of a record's value with a constant or another value; numbers compare as Decimals."""
    if isinstance(a, (int, float, Decimal)) and not isinstance(a, bool) and isinstance(b, (int, float)):
        b = Decimal(str(b))
    if isinstance(b, (int, float, Decimal)) and not isinstance(b, bool) and isinstance(a, (int, float)):
        a = Decimal(str(a))
    if symbol == "in":
        return a in b
    if symbol == "not in":
        return a not in b
    ok = {"==": a == b, "!=": a != b}.get(symbol)
    if ok is None:
        a, b = Decimal(str(a)), Decimal(str(b))
        ok = {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[symbol]
    return bool(ok)


def record_paths() -> dict[str, str]:
    """Field name -> ORM path, to read a customer's record for `evaluate` with `.values(*paths)`."""
    return {name: field.path for name, field in FIELDS.items()}
