"""Lexicon sentiment of Chinese posts (FEATURES E8). Pure: no ORM.

Each sentiment word of the lexicon counts 1 on its side, times the intensifiers right before it ("非常", "太":
2; "很": 1.5; "有点": 0.8). A negator ("不", "没有", "并非") in the two tokens before it flips it: a negated
positive word counts on the negative side ("不满意"), a negated negative word on the positive side at half
weight ("不差" is faint praise). The score is (P - N) / (P + N + k) with k = 1: 0 for a text without sentiment
words, near +1 or -1 when many agree, and one word alone gives +-0.5.

`score_text` scores one text the plain way (the reference); `score_batch` scores many at once on flat
numpy arrays (one segmenter call, token codes, shifted arrays for the negation window, bincount per text)
and gives the same numbers.
"""

from collections.abc import Sequence

import numpy as np

from lendpilot.service.sentiment.lexicon import Lexicon, lexicon
from lendpilot.service.sentiment.text import TokenBatch, tokenise, tokens

K = 1.0
WINDOW = 2
NEGATED_NEGATIVE_WEIGHT = 0.5


def _weights(words: list[str], i: int, lex: Lexicon) -> tuple[float, bool]:
    """(intensity, negated) of the sentiment word at i from the WINDOW tokens before it."""
    weight, negated = 1.0, False
    for j in range(max(0, i - WINDOW), i):
        w = words[j]
        if w in lex.negators:
            negated = not negated
        elif w in lex.degrees:
            weight *= lex.degrees[w]
    return weight, negated


def polarity_sums(words: list[str], lex: Lexicon | None = None) -> tuple[float, float]:
    """(positive, negative) weighted counts of one text's words."""
    lex = lex or lexicon()
    pos = neg = 0.0
    for i, w in enumerate(words):
        if w in lex.positive:
            weight, negated = _weights(words, i, lex)
            if negated:
                neg += weight
            else:
                pos += weight
        elif w in lex.negative:
            weight, negated = _weights(words, i, lex)
            if negated:
                pos += weight * NEGATED_NEGATIVE_WEIGHT
            else:
                neg += weight
    return pos, neg


def score_from_sums(pos: float, neg: float, k: float = K) -> float:
    return (pos - neg) / (pos + neg + k)


def score_text(text: str) -> float:
    """The sentiment of one text, from -1 (negative) to +1 (positive)."""
    pos, neg = polarity_sums(tokens(text))
    return score_from_sums(pos, neg)


def batch_sums(batch: TokenBatch, lex: Lexicon | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(positive, negative) weighted counts per document of a token batch, on whole arrays."""
    lex = lex or lexicon()
    vocab = batch.vocab
    polarity_v = np.fromiter((1 if w in lex.positive else -1 if w in lex.negative else 0 for w in vocab),
                             dtype=np.int8, count=len(vocab))
    negator_v = np.fromiter((w in lex.negators for w in vocab), dtype=bool, count=len(vocab))
    degree_v = np.fromiter((lex.degrees.get(w, 1.0) for w in vocab), dtype=np.float64, count=len(vocab))
    polarity, negator, degree = polarity_v[batch.code], negator_v[batch.code], degree_v[batch.code]
    n = len(batch.code)
    flips = np.zeros(n, dtype=np.int64)
    weight = np.ones(n)
    for shift in range(1, WINDOW + 1):
        same = np.zeros(n, dtype=bool)
        same[shift:] = batch.doc[shift:] == batch.doc[:-shift]
        before_negator = np.zeros(n, dtype=bool)
        before_negator[shift:] = negator[:-shift]
        before_degree = np.ones(n)
        before_degree[shift:] = np.where(negator[:-shift], 1.0, degree[:-shift])
        flips += before_negator & same
        weight *= np.where(same, before_degree, 1.0)
    negated = (flips % 2) == 1
    pos_w = np.where((polarity == 1) & ~negated, weight, 0.0) + \
        np.where((polarity == -1) & negated, weight * NEGATED_NEGATIVE_WEIGHT, 0.0)
    neg_w = np.where((polarity == -1) & ~negated, weight, 0.0) + np.where((polarity == 1) & negated, weight, 0.0)
    return (np.bincount(batch.doc, weights=pos_w, minlength=batch.n_docs),
            np.bincount(batch.doc, weights=neg_w, minlength=batch.n_docs))


def score_tokens(batch: TokenBatch) -> np.ndarray:
    pos, neg = batch_sums(batch)
    return (pos - neg) / (pos + neg + K)


def score_batch(texts: Sequence[str]) -> np.ndarray:
    """The sentiment of each text, as `score_text` would give it, in one pass."""
    return score_tokens(tokenise(texts))
