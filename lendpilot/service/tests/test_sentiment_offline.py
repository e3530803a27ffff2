"""Chinese sentiment runs offline from the lexicon shipped in the package: with every network connection
refused, posts are segmented, scored and given topics; negation and intensifiers move the score; the batch
path gives the per-post numbers."""

import socket

import pytest

from lendpilot.service.sentiment import lexicon as lexicon_module
from lendpilot.service.sentiment import scoring, text, topics


@pytest.fixture
def network_off(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network is off in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    lexicon_module.lexicon.cache_clear()
    lexicon_module.topic_specs.cache_clear()
    text.segmenter.cache_clear()
    topics.stop_words.cache_clear()


def test_the_lexicon_is_a_data_file_of_the_package_with_its_licence():
    data = lexicon_module.DATA
    notice = (data / "NOTICE").read_text(encoding="utf-8")
    assert "cntext" in notice and "MIT" in notice
    assert "MIT License" in (data / "LICENSE.cntext").read_text(encoding="utf-8")
    lex = lexicon_module.lexicon()
    assert len(lex.positive) > 3000 and len(lex.negative) > 5000
    assert {"不", "没有"} <= lex.negators and lex.degrees["非常"] == 2


def test_scores_and_topics_with_the_network_off(network_off):
    with pytest.raises(OSError):
        socket.create_connection(("example.com", 80))
    assert scoring.score_text("客户经理很专业，耐心解答，推荐") > 0.5
    assert scoring.score_text("暴力催收，骚扰家人，太过分了") < -0.5
    assert scoring.score_text("今天去了一趟网点") == 0
    assert topics.topic_of("催收电话打到我家人那里") == "collection"
    assert topics.topic_of("放款太慢，审批等了一个月") == "disbursement_speed"
    assert topics.topic_of("个人信息泄露，天天接到诈骗电话") == "data_security"
    assert topics.topic_of("利率太高还乱收费") == "rates_fees"


def test_negation_flips_and_intensifiers_strengthen():
    assert scoring.score_text("满意") == pytest.approx(0.5)
    assert scoring.score_text("不满意") == pytest.approx(-0.5)
    # an intensifier doubles the weight: (2 - 0) / (2 + 0 + 1)
    assert scoring.score_text("非常满意") == pytest.approx(2 / 3)
    # a negated negative word is faint praise: 0.5 / 1.5
    assert scoring.score_text("没有失望") == pytest.approx(1 / 3)
    # a double negation cancels
    assert scoring.score_text("不是不满意") > 0


def test_the_batch_gives_the_scores_and_topics_of_one_post_at_a_time():
    corpus = ["利率太高了，乱收费，客服态度很差", "放款很快，服务很好，推荐大家", "不满意\n真的不满意", "",
              "hello world", "非常不满意!!!", "没有骚扰，也不失望", "审批太慢，等了一个月都没消息",
              "个人信息被泄露，接到很多诈骗电话", "还款扣款失败还算逾期，坑人"] * 3
    batch = scoring.score_batch(corpus)
    assert list(batch) == pytest.approx([scoring.score_text(t) for t in corpus])
    assert topics.topics_batch(corpus) == [topics.topic_of(t) for t in corpus]


def test_clusters_are_labelled_by_top_words_and_mapped_to_curated_topics():
    import random

    rng = random.Random(3)
    themes = [["催收", "电话", "家人", "骚扰", "威胁"], ["利率", "利息", "收费", "手续费", "年化"],
              ["放款", "审批", "到账", "进度", "太慢"]]
    corpus = [" ".join(rng.sample(theme, 4)) for theme in themes for _ in range(60)]
    result = topics.cluster(text.tokenise(corpus), n_clusters=3, min_df=2)
    mapped = {c.topic for c in result.clusters}
    assert mapped == {"collection", "rates_fees", "disbursement_speed"}
    assert all(c.top_words and c.size == 60 for c in result.clusters)
