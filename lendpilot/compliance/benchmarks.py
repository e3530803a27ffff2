"""Benchmarks of the compliance desk (`python manage.py bench screening --scale bank`).

- screening: synthetic Chinese names (common surnames by frequency, compound surnames, one- and two-character
  given names, some traditional) screened against a synthetic watch list (Han names and their Latin
  spellings, with aliases) through the blocked index (`names.WatchIndex`): the whole book's time and rate,
  and on a sample of 10,000 names the blocked screen against comparing every name with every entry. All pairs
  are timed on a few hundred names and scaled to the sample (every subject costs the same: the whole list),
  and the recall of the blocked screen against all pairs is reported on those names.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator

import opencc

from lendpilot.compliance.screening.names import (
    ListEntry,
    Subject,
    WatchIndex,
    read_name,
    screen_all_pairs,
    screen_subjects,
)
from lendpilot.core.bench import BenchContext, Measurement, Stopwatch, benchmark

SIZES = {"small": (20_000, 2_000, 100), "medium": (200_000, 20_000, 100), "bank": (1_000_000, 20_000, 200)}
SAMPLE = 10_000
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
COMPOUND = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "慕容", "令狐")
GIVEN = "".join(dict.fromkeys(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂华玉兰萍红鹏辉建国志文斌宇浩凯健俊帆帅旭宁晨阳佳琳欣怡雪梅晓"
    "东海波林峰鑫博思雨子涵梓轩诺嘉婷颖振宏亮成德春燕琴云飞鸿翔鹤松柏桐楠楷森淼泽洁清澜瀚澄润源江河川溪岚岳嵩峻"
    "崇昆宸宜宗宝安康泰昌盛荣富祥瑞吉庆喜乐欢悦然恬雅婉淑贤慧聪睿哲智学章诗书琪瑶琅珊珍翠碧玲珑璐瑾瑜璇璟曦晴暄"
    "昊旻昕晟景晖耀煜炜烨灿炎焱熙煦升朝彩虹露霜冰凌寒竹菊莲荷蓉菲芬芝蕙蕾蓓茜莉萌萱蓝苗薇蔚芸芷若茗菁蓁葵榕桦杉"
    "柳杨樱桃李杏梨枫槐椿栋梁材彦豪雄壮毅武威震霆雷电龙凤麟鹰鸣旋胜利捷达通顺畅永长久远继承福禄寿星月光华夏中"
))
# Surname shares fall with rank roughly as in the census (王, 李, 张 about 7% each; the first hundred about 85%).
SURNAME_WEIGHTS = [1 / (rank + 4) ** 1.1 for rank in range(len(SURNAMES))]


def synthetic_name(rng: random.Random) -> str:
    surname = COMPOUND[rng.randrange(len(COMPOUND))] if rng.random() < 0.01 else \
        rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
    size = 1 if rng.random() < 0.15 else 2
    return surname + "".join(rng.choice(GIVEN) for _ in range(size))


def latin_spelling(name: str) -> str:
    form = read_name(name)
    surname, *given = form.words
    return f"{''.join(surname).upper()} {''.join(s for w in given for s in w).capitalize()}".strip()


def synthetic_list(rng: random.Random, size: int) -> list[ListEntry]:
    to_traditional = opencc.OpenCC("s2t")
    entries = []
    for key in range(size):
        name = synthetic_name(rng)
        roll = rng.random()
        if roll < 0.4:
            names: tuple[str, ...] = (latin_spelling(name),)
        elif roll < 0.6:
            names = (to_traditional.convert(name), latin_spelling(name))
        else:
            names = (name,)
        entries.append(ListEntry(key=key, names=names))
    return entries


def synthetic_subjects(rng: random.Random, size: int) -> Iterator[Subject]:
    for number in range(size):
        yield Subject(f"customers.customer:{number + 1}", synthetic_name(rng))


@benchmark("screening")
def screening(ctx: BenchContext) -> Iterator[Measurement]:
    subjects_count, list_size, pair_sample = SIZES.get(ctx.scale, SIZES["small"])
    rng = random.Random(ctx.seed)
    entries = synthetic_list(rng, list_size)
    subjects = list(synthetic_subjects(rng, subjects_count))
    read_name.cache_clear()
    cpu_started = time.process_time()
    with Stopwatch() as whole:
        index = WatchIndex.build(entries)
        hits = sum(1 for _match in screen_subjects(index, subjects))
    # On a shared machine the wall time includes waiting for a core; the CPU time is the work itself.
    yield Measurement("screening", "book_seconds", whole.seconds, "s", notes={
        "subjects": subjects_count, "list_entries": list_size, "hits": hits, "budget_seconds": 600,
        "cpu_seconds": round(time.process_time() - cpu_started, 1)})
    yield Measurement("screening", "book_rate", subjects_count / whole.seconds, "names/s")

    sample = subjects[:SAMPLE]
    read_name.cache_clear()
    with Stopwatch() as blocked:
        index = WatchIndex.build(entries)
        blocked_hits = {(m.subject_ref, m.entry_key) for m in screen_subjects(index, sample)}
    few = sample[:pair_sample]
    with Stopwatch() as pairs:
        every = {(m.subject_ref, m.entry_key) for m in screen_all_pairs(entries, few)}
    few_refs = {s.ref for s in few}
    found = {pair for pair in blocked_hits if pair[0] in few_refs}
    recall = len(found & every) / len(every) if every else 1.0
    all_pairs_seconds = pairs.seconds / len(few) * len(sample)
    yield Measurement("screening", "sample_seconds", blocked.seconds, "s", baseline=all_pairs_seconds, notes={
        "sample": len(sample), "baseline_method": "all pairs with the same scorer, timed on "
        f"{len(few)} names x {list_size} entries and scaled to the sample",
        "recall_vs_all_pairs": round(recall, 4), "all_pairs_hits_on_timed_names": len(every)})
