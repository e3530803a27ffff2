"""Topics of posts and feedback (FEATURES E8, F6). Pure: no ORM.

Two views of the same texts:

- the curated topics (利率/收费, 催收, 服务态度, 放款速度, 数据安全, 扣款/还款, other) that carry prepared response
  scripts: a text belongs to the topic whose seed words it uses most (ties go to the topic listed first;
  none: "other"). Stable from day to day, so their daily volumes can be watched for spikes.
- discovered clusters: TF-IDF over the segmented words (stop words and words in fewer than `min_df` texts
  left out) factorised by NMF into `n_clusters` topics, each labelled by its top words and mapped to the
  curated topic whose seed words weigh most among them.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]
from sklearn.decomposition import NMF  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import TfidfTransformer  # type: ignore[import-untyped]

from lendpilot.service.sentiment.lexicon import DATA, topic_specs
from lendpilot.service.sentiment.text import TokenBatch, tokenise, tokens

OTHER = "other"


@cache
def stop_words() -> frozenset[str]:
    lines = (DATA / "stopwords.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def topic_codes() -> list[str]:
    return list(topic_specs())


def _seed_index() -> dict[str, int]:
    index: dict[str, int] = {}
    for n, spec in enumerate(topic_specs().values()):
        for word in spec.seeds:
            index.setdefault(word, n)
    return index


def topic_of_words(words: Sequence[str]) -> str:
    """The curated topic of one text's words."""
    codes = topic_codes()
    seeds = _seed_index()
    hits = np.zeros(len(codes), dtype=np.int64)
    for w in words:
        if w in seeds:
            hits[seeds[w]] += 1
    return codes[int(hits.argmax())] if hits.any() else OTHER


def topic_of(text: str) -> str:
    return topic_of_words(tokens(text))


def batch_topics(batch: TokenBatch) -> list[str]:
    """The curated topic of every document of a token batch, on whole arrays."""
    codes = topic_codes()
    seeds = _seed_index()
    seed_v = np.fromiter((seeds.get(w, -1) for w in batch.vocab), dtype=np.int64, count=len(batch.vocab))
    topic = seed_v[batch.code]
    hit = topic >= 0
    counts = np.bincount(batch.doc[hit] * len(codes) + topic[hit], minlength=batch.n_docs * len(codes))
    counts = counts.reshape(batch.n_docs, len(codes))
    best = counts.argmax(axis=1)
    other = codes.index(OTHER)
    best[counts.max(axis=1) == 0] = other
    return [codes[i] for i in best]


def topics_batch(texts: Sequence[str]) -> list[str]:
    return batch_topics(tokenise(texts))


@dataclass(frozen=True)
class Cluster:
    number: int
    top_words: tuple[str, ...]
    topic: str
    size: int


@dataclass(frozen=True)
class Clustering:
    clusters: list[Cluster]
    assignment: np.ndarray  # cluster number per document, -1 for a document with no kept word


def map_to_topic(top_words: Sequence[str]) -> str:
    """The curated topic whose seed words weigh most among a cluster's top words (earlier words weigh more)."""
    specs = list(topic_specs().values())
    best, best_score = OTHER, 0.0
    for spec in specs:
        seeds = set(spec.seeds)
        score = sum(1.0 / (rank + 1) for rank, w in enumerate(top_words) if w in seeds)
        if score > best_score:
            best, best_score = spec.code, score
    return best


def cluster(batch: TokenBatch, *, n_clusters: int = 8, min_df: int = 3, top_n: int = 8,
            seed: int = 0) -> Clustering:
    """NMF topics of a token batch (TF-IDF of the kept words, sublinear term frequency)."""
    stops = stop_words()
    keep_v = np.fromiter((len(w) > 1 and w not in stops for w in batch.vocab), dtype=bool, count=len(batch.vocab))
    keep = keep_v[batch.code]
    counts = sparse.csr_matrix((np.ones(int(keep.sum())), (batch.doc[keep], batch.code[keep])),
                               shape=(batch.n_docs, len(batch.vocab)))
    counts.sum_duplicates()
    df = np.asarray((counts > 0).sum(axis=0)).ravel()
    columns = np.flatnonzero(df >= min_df)
    if batch.n_docs == 0 or len(columns) == 0:
        return Clustering(clusters=[], assignment=np.full(batch.n_docs, -1))
    counts = counts[:, columns]
    words = batch.vocab[columns]
    tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(counts)
    k = max(1, min(n_clusters, len(columns), batch.n_docs))
    model = NMF(n_components=k, init="nndsvd", random_state=seed, max_iter=200)
    doc_topic = model.fit_transform(tfidf)
    assignment = np.where(doc_topic.max(axis=1) > 0, doc_topic.argmax(axis=1), -1)
    sizes = np.bincount(assignment[assignment >= 0], minlength=k)
    clusters = []
    for n, row in enumerate(model.components_):
        top = tuple(str(words[i]) for i in np.argsort(row)[::-1][:top_n] if row[i] > 0)
        clusters.append(Cluster(number=n, top_words=top, topic=map_to_topic(top), size=int(sizes[n])))
    return Clustering(clusters=clusters, assignment=assignment)
