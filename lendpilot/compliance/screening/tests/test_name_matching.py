"""Chinese-name matching: simplified/traditional, pinyin with compound surnames and surname readings,
fuzzy scores, the review threshold, and blocking that finds what comparing every pair finds."""

from datetime import date

from lendpilot.compliance.screening.names import (
    MATCH_THRESHOLD,
    ListEntry,
    Subject,
    WatchIndex,
    name_score,
    read_name,
    score_pair,
    screen_all_pairs,
    screen_subjects,
)


def score(a: str, b: str) -> float:
    return name_score(read_name(a), read_name(b))[0]


def test_zhang_wei_matches_its_latin_spelling_above_the_threshold():
    assert score("张伟", "ZHANG Wei") >= 0.70
    assert score("张伟", "Wei Zhang") >= 0.70
    assert score("张伟", "Zhang Wei") == score("张伟", "ZHANG WEI")


def test_a_homophone_surname_goes_to_review_and_is_never_cleared():
    value, reason = name_score(read_name("章伟"), read_name("张伟"))
    assert value >= MATCH_THRESHOLD and value < 1.0
    assert reason == "homophone"
    match = score_pair(Subject("c:1", "章伟"), read_name("章伟"), ListEntry(1, ("张伟",)))
    assert match is not None and match.score >= MATCH_THRESHOLD


def test_traditional_characters_normalise_to_simplified():
    assert read_name("張偉").han == "张伟"
    assert score("張偉", "张伟") == 1.0


def test_compound_surnames_are_one_word():
    assert read_name("欧阳晓明").words[0] == ("ou", "yang")
    assert read_name("司马光").words == (("si", "ma"), ("guang",))
    assert score("欧阳晓明", "OUYANG Xiaoming") >= 0.9
    assert score("欧阳晓明", "Xiaoming Ouyang") >= 0.9
    assert score("司马光", "SIMA Guang") >= 0.9


def test_a_polyphone_surname_takes_its_surname_reading():
    assert read_name("重阳").syllables[0] == "chong"
    assert read_name("单田芳").syllables[0] == "shan"
    assert read_name("曾志").syllables[0] == "zeng"
    assert score("重阳", "CHONG Yang") >= 0.9
    # As a word 重 reads zhong; the surname must not.
    assert score("重阳", "ZHONG Yang") < 0.95


def test_a_different_surname_is_not_a_hit():
    assert score("王伟", "张伟") < MATCH_THRESHOLD
    assert score("王伟", "ZHANG Wei") < MATCH_THRESHOLD


def test_regional_spelling_variants_still_match():
    assert score("张伟", "Zang Wei") >= MATCH_THRESHOLD


def test_same_id_number_is_a_full_match_whatever_the_name():
    entry = ListEntry(7, ("李四",), id_hashes=frozenset({"h1"}))
    subject = Subject("c:2", "完全不同", id_hash="h1")
    index = WatchIndex.build([entry])
    [match] = index.screen(subject)
    assert match.score == 1.0 and match.reasons == ("id_number",)


def test_different_birth_year_lowers_the_score_below_review():
    entry = ListEntry(1, ("ZHANG Wei",), birth_date=date(1960, 1, 1))
    same = Subject("c:1", "张伟", birth_date=date(1960, 1, 1))
    other = Subject("c:2", "张伟", birth_date=date(1990, 5, 5))
    index = WatchIndex.build([entry])
    assert index.screen(same) and not index.screen(other)


def test_an_alias_is_matched_and_named():
    entry = ListEntry(3, ("Li Ming", "欧阳晓明"))
    [match] = WatchIndex.build([entry]).screen(Subject("c:9", "歐陽曉明"))
    assert match.matched_name == "欧阳晓明" and "alias" in match.reasons


def test_blocking_finds_every_hit_that_all_pairs_finds():
    entries = [ListEntry(i, (name,)) for i, name in enumerate(
        ["ZHANG Wei", "张伟", "欧阳晓明", "SIMA Guang", "CHONG Yang", "王芳", "Li Lei", "陈杰"])]
    subjects = [Subject(f"c:{i}", name) for i, name in enumerate(
        ["张伟", "章伟", "張偉", "欧阳晓明", "司马光", "重阳", "王芳", "李雷", "陈洁", "赵敏", "孙丽", "Wei Zhang"])]
    blocked = {(m.subject_ref, m.entry_key) for m in screen_subjects(WatchIndex.build(entries), subjects)}
    every = {(m.subject_ref, m.entry_key) for m in screen_all_pairs(entries, subjects)}
    assert blocked == every
    assert ("c:1", 1) in blocked  # 章伟 ~ 张伟
