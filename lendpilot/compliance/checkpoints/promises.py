"""The forbidden-promise scanner for Chinese marketing text (no ORM).

The list lives in `forbidden_promises.txt` next to this module, kept by compliance. Text is read in simplified
characters (OpenCC t2s) with spaces and punctuation between characters removed, so "保 本", "保·本" and 「無風險」
are caught as well. A phrase marked `when_fees` (零利息, 免息) is a finding only when the product charges fees.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import opencc

LIST_FILE = Path(__file__).with_name("forbidden_promises.txt")
_FILLER = re.compile(r"[\s\u00b7\u2022\u3000·,.，。、:：;；!！?？\"'“”‘’「」『』()（）\[\]【】\-_*~]+")
_CONVERTER = opencc.OpenCC("t2s")


@dataclass(frozen=True)
class Promise:
    phrase: str
    problem: str
    law: str
    when_fees: bool = False


@dataclass(frozen=True)
class Finding:
    phrase: str
    problem: str
    law: str
    excerpt: str


def parse_list(text: str) -> list[Promise]:
    promises = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")]
        parts += [""] * (4 - len(parts))
        promises.append(Promise(_squeeze(parts[0]), parts[1], parts[2], parts[3] == "when_fees"))
    return promises


@cache
def forbidden_promises() -> tuple[Promise, ...]:
    return tuple(parse_list(LIST_FILE.read_text(encoding="utf-8")))


def _squeeze(text: str) -> str:
    return _FILLER.sub("", _CONVERTER.convert(unicodedata.normalize("NFKC", text)).lower())


def scan(text: str, *, has_fees: bool = True, promises: tuple[Promise, ...] | None = None) -> list[Finding]:
    """Every forbidden promise in the text, each phrase once, in the order they appear. When the product's fees
    are unknown, count them as present (the stricter reading)."""
    squeezed = _squeeze(text or "")
    found: list[tuple[int, Finding]] = []
    covered: list[tuple[int, int]] = []
    # Longer phrases first, so 保本保息 is reported rather than 保本 inside it.
    for promise in sorted(promises or forbidden_promises(), key=lambda p: -len(p.phrase)):
        if promise.when_fees and not has_fees:
            continue
        at = squeezed.find(promise.phrase)
        if at < 0 or any(start <= at < end for start, end in covered):
            continue
        covered.append((at, at + len(promise.phrase)))
        excerpt = squeezed[max(0, at - 8): at + len(promise.phrase) + 8]
        found.append((at, Finding(promise.phrase, promise.problem, promise.law, excerpt)))
    return [finding for _at, finding in sorted(found, key=lambda pair: pair[0])]
