"""The segment query language (FEATURES B4): AND / OR / NOT over tags and fields, with parentheses.

    制造业 AND 华东 AND 扩产需求 AND NOT 逾期
    (tier = strategic OR tier = growth) AND NOT risk_overdue AND max_single_loan >= 1000000

A term is either a tag, named by its code or its Chinese name, or a comparison `field OP value` over the
fields of `customers.rules.FIELDS` (OP one of = != > >= < <=; a value may be quoted). Keywords are
case-insensitive; 且 / 或 / 非 work as AND / OR / NOT. Parsed by a tokenizer and a recursive-descent
parser into a small tree (`And`, `Or`, `Not`, `TagTerm`, `FieldTerm`); `compile_query` turns the tree
into one `Q` given a resolver for tag names, so the count is one SQL statement. Unknown tags, unknown
fields, dangling operators and unbalanced parentheses raise `QueryError`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from lendpilot.customers.rules import FIELDS, RuleError, field_q


class QueryError(ValueError):
    pass


MAX_LENGTH = 2000
MAX_DEPTH = 20
"""Parentheses and NOTs nested at most this deep."""
MAX_TERMS = 100


@dataclass(frozen=True)
class TagTerm:
    name: str


@dataclass(frozen=True)
class FieldTerm:
    field: str
    op: str
    value: str


@dataclass(frozen=True)
class Not:
    part: object


@dataclass(frozen=True)
class And:
    parts: tuple


@dataclass(frozen=True)
class Or:
    parts: tuple


_TOKEN = re.compile(r"""
    \s*(?:
      (?P<lp>\()|(?P<rp>\))|
      (?P<op>!=|>=|<=|==|=|>|<)|
      (?P<str>"[^"]*"|'[^']*')|
      (?P<word>[^\s()<>=!"']+)
    )""", re.VERBOSE)
_KEYWORDS = {"AND": "AND", "OR": "OR", "NOT": "NOT", "且": "AND", "或": "OR", "非": "NOT"}


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens, position, text = [], 0, text or ""
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise QueryError(f"cannot read the query at position {position + 1}")
        position = match.end()
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "word" and value.upper() in _KEYWORDS:
            tokens.append(("kw", _KEYWORDS[value.upper()]))
        elif kind == "str":
            tokens.append(("word", value[1:-1]))
        else:
            tokens.append((kind, "==" if value == "=" else value))
    return tokens


class _Parser:
    def __init__(self, tokens):
        self.tokens = tokens
        self.i = 0
        self.depth = 0
        self.terms = 0

    def descend(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError(f"the query is nested more than {MAX_DEPTH} levels deep")

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None)

    def take(self):
        token = self.peek()
        self.i += 1
        return token

    def parse(self):
        if not self.tokens:
            raise QueryError("the query is empty")
        node = self.or_()
        if self.i < len(self.tokens):
            raise QueryError(f"unexpected {self.peek()[1]!r}")
        return node

    def or_(self):
        parts = [self.and_()]
        while self.peek() == ("kw", "OR"):
            self.take()
            parts.append(self.and_())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_(self):
        parts = [self.not_()]
        while self.peek() == ("kw", "AND"):
            self.take()
            parts.append(self.not_())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def not_(self):
        if self.peek() == ("kw", "NOT"):
            self.take()
            self.descend()
            node = Not(self.not_())
            self.depth -= 1
            return node
        return self.atom()

    def atom(self):
        kind, value = self.take()
        if kind == "lp":
            self.descend()
            node = self.or_()
            if self.take()[0] != "rp":
                raise QueryError("a parenthesis is not closed")
            self.depth -= 1
            return node
        if kind != "word":
            raise QueryError("the query ends too early" if kind is None else f"unexpected {value!r}")
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise QueryError(f"the query has more than {MAX_TERMS} terms")
        if self.peek()[0] == "op":
            op = self.take()[1]
            vkind, operand = self.take()
            if vkind != "word":
                raise QueryError(f"{value} {op} needs a value")
            return FieldTerm(value, op, operand)
        return TagTerm(value)


def parse_query(text: str):
    """The query as a tree; raises QueryError."""
    if len(text or "") > MAX_LENGTH:
        raise QueryError(f"the query is longer than {MAX_LENGTH} characters")
    return _Parser(tokenize(text)).parse()


def tag_names(node) -> set[str]:
    if isinstance(node, TagTerm):
        return {node.name}
    if isinstance(node, Not):
        return tag_names(node.part)
    if isinstance(node, (And, Or)):
        return set().union(*(tag_names(p) for p in node.parts))
    return set()


def compile_query(node, *, tag_q: Callable[[str], Q | None], as_of: date) -> Q:
    """`tag_q(name)` returns the Q of customers carrying that tag, or None when no such tag exists."""
    if isinstance(node, TagTerm):
        q = tag_q(node.name)
        if q is None:
            raise QueryError(f"unknown tag {node.name}")
        return q
    if isinstance(node, FieldTerm):
        if node.field not in FIELDS:
            raise QueryError(f"unknown field {node.field}")
        value: object = node.value
        kind = FIELDS[node.field].kind
        if kind == "bool":
            value = node.value.lower() in ("true", "1", "yes", "是")
        try:
            return field_q(node.field, node.op, value, as_of=as_of)
        except RuleError as exc:
            raise QueryError(str(exc)) from None
    if isinstance(node, Not):
        return ~compile_query(node.part, tag_q=tag_q, as_of=as_of)
    parts = [compile_query(p, tag_q=tag_q, as_of=as_of) for p in node.parts]
    q = parts[0]
    for part in parts[1:]:
        q = (q & part) if isinstance(node, And) else (q | part)
    return q
