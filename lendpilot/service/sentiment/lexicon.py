"""The sentiment lexicon shipped in `data/` (see data/NOTICE): the Chinese Financial Sentiment Dictionary and
the HowNet negation words from cntext (MIT), plus our consumer-lending words, negation forms and
intensifier weights. Read once per process."""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def _words(name: str) -> list[str]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@dataclass(frozen=True)
class Lexicon:
    positive: frozenset[str]
    negative: frozenset[str]
    negators: frozenset[str]
    degrees: dict[str, float]

    @property
    def words(self) -> frozenset[str]:
        """Every word the segmenter should keep whole."""
        return self.positive | self.negative | self.negators | frozenset(self.degrees)


@cache
def lexicon() -> Lexicon:
    negative = frozenset(_words("cntext_finance_neg.txt") + _words("domain_neg.txt"))
    # A word listed on both sides (a handful in the source) counts as negative: complaints matter more.
    positive = frozenset(_words("cntext_finance_pos.txt") + _words("domain_pos.txt")) - negative
    degrees = {}
    for line in _words("degree.txt"):
        word, weight = line.split("\t")
        degrees[word] = float(weight)
    negators = frozenset(_words("cntext_hownet_deny.txt") + _words("negators.txt"))
    return Lexicon(positive=positive, negative=negative - negators, negators=negators, degrees=degrees)


@dataclass(frozen=True)
class TopicSpec:
    code: str
    seeds: tuple[str, ...]
    scripts: dict[str, str]


@cache
def topic_specs() -> dict[str, TopicSpec]:
    """The curated topics (code -> seed words and prepared response scripts), in file order; "other" last."""
    raw = json.loads((DATA / "topics.json").read_text(encoding="utf-8"))
    return {code: TopicSpec(code=code, seeds=tuple(spec["seeds"]), scripts=dict(spec["scripts"]))
            for code, spec in raw.items()}
