"""`python manage.py bench sentiment`: 100,000 (small), 300,000 (medium) or 1,000,000 (bank) synthetic posts
scored and clustered. Target: the small scale scored and clustered in 60 s. The measured path cuts the whole
batch in one segmenter call and scores it on numpy arrays (`score_batch`), then clusters it with TF-IDF and
NMF; the baseline scores one post per call (`score_text`), the way a per-row loop or a per-post API call would.
Pure computation: no database."""

import random

from lendpilot.core.bench import BenchContext, Measurement, Stopwatch, benchmark
from lendpilot.service.sentiment import scoring, text, topics

POSTS = {"small": 100_000, "medium": 300_000, "bank": 1_000_000}
PHRASES = [
    "利率太高了", "还有一堆服务费", "提前还款还要收违约金", "催收电话打给我家人", "简直是骚扰", "暴力催收必须曝光",
    "客服热线一直没人接", "态度很敷衍", "客户经理很专业", "耐心解答", "放款很快", "当天就到账了", "审批太慢",
    "等了一个月都没消息", "个人信息是不是泄露了", "接到很多诈骗电话", "自动扣款重复扣了两次", "还款提醒很及时",
    "非常满意", "不满意", "服务周到", "推荐给朋友", "今天去网点办了业务", "手机银行界面好看多了",
]


def synthetic_posts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["，".join(rng.choices(PHRASES, k=rng.randint(2, 5))) for _ in range(n)]


@benchmark("sentiment")
def bench_sentiment(context: BenchContext):
    n = POSTS[context.scale]
    posts = synthetic_posts(n, context.seed)
    text.segmenter()  # the dictionary is loaded once per process, outside both timings
    with Stopwatch() as total:
        with Stopwatch() as sw:
            batch = text.tokenise(posts)
            scores = scoring.score_tokens(batch)
            curated = topics.batch_topics(batch)
        clustering = topics.cluster(batch, n_clusters=8)
    with Stopwatch() as base:
        baseline_scores = [scoring.score_text(p) for p in posts]
    agree = int(sum(abs(float(a) - b) < 1e-9 for a, b in zip(scores, baseline_scores, strict=True)))
    yield Measurement("sentiment", "score_seconds", sw.seconds, "s", baseline=base.seconds,
                      notes={"posts": n, "same_scores_as_baseline": bool(agree == n),
                             "topics_assigned": len(curated)})
    yield Measurement("sentiment", "score_and_cluster_seconds", total.seconds, "s",
                      notes={"posts": n, "clusters": len(clustering.clusters),
                             "cluster_labels": [" ".join(c.top_words[:4]) for c in clustering.clusters],
                             "target_seconds": 60 if context.scale == "small" else None})
