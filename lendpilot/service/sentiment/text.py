"""Chinese word segmentation with rjieba (a Rust port of jieba; its dictionary is compiled in, so nothing is
downloaded). One segmenter per process knows the lexicon's words and the topics' seed words, so that
"暴力催收" or "砍头息" stay whole.

`tokens(text)` cuts one text; `tokenise(texts)` cuts a whole batch in one call (the texts joined by line
breaks, which jieba never joins across) and returns flat arrays: the document of each token and its code
in the batch's vocabulary. Punctuation, digits-only and whitespace tokens are dropped in both."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
import rjieba  # type: ignore[import-untyped]

from lendpilot.service.sentiment.lexicon import lexicon, topic_specs

_WORD = re.compile(r"[^\W\d_]", re.UNICODE)  # at least one letter (Han characters are letters)
_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


@cache
def segmenter() -> "rjieba.Jieba":
    seg = rjieba.Jieba()
    extra = set(lexicon().words)
    for spec in topic_specs().values():
        extra.update(spec.seeds)
    for word in sorted(extra):
        if len(word) >= 2 and not seg.has_word(word):
            seg.add_word(word, seg.suggest_freq(word), None)
    return seg


def normalise(text: str) -> str:
    """One line, trimmed: line breaks separate the documents of a batch."""
    return _BREAKS.sub(" ", text or "").strip()


def is_word(token: str) -> bool:
    return bool(_WORD.search(token))


def tokens(text: str) -> list[str]:
    """The words of one text, in order."""
    return [t for t in segmenter().cut(normalise(text)) if is_word(t)]


@dataclass(frozen=True)
class TokenBatch:
    """Tokens of a batch of texts: `doc[i]` is the document of token i, `code[i]` its index in `vocab`."""

    n_docs: int
    doc: np.ndarray
    code: np.ndarray
    vocab: np.ndarray

    def words(self) -> np.ndarray:
        return self.vocab[self.code]


def tokenise(texts: Sequence[str]) -> TokenBatch:
    """Cut every text in one segmenter call and factorise the tokens (hash-based, in C)."""
    joined = "\n".join(normalise(t) for t in texts)
    cut = np.asarray(segmenter().cut(joined), dtype=object)
    breaks = cut == "\n"
    doc = np.cumsum(breaks) - breaks  # a break belongs to the document it ends
    codes, uniques = pd.factorize(cut)
    keep_word = np.fromiter((is_word(u) for u in uniques), dtype=bool, count=len(uniques))
    keep = keep_word[codes] & ~breaks
    kept_codes = codes[keep]
    used, compact = np.unique(kept_codes, return_inverse=True)
    return TokenBatch(n_docs=len(texts), doc=doc[keep].astype(np.int64), code=compact.astype(np.int64),
                      vocab=np.asarray(uniques, dtype=object)[used])
