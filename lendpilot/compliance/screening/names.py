"""Chinese-name matching for sanctions and watch-list screening (no ORM).

A name is read once into a `NameForm`: the Han characters in simplified form (OpenCC t2s, so 張偉
and 张伟 are one name), the pinyin syllables (pypinyin; a compound surname such as 欧阳 or 司马 is
one surname, and a surname with its own reading, e.g. 重 -> chong, 单 -> shan, is read as a surname,
not as the common word), and a blocking key. Latin spellings ("ZHANG Wei", "Ouyang Xiaoming",
"Wei Zhang") are split into pinyin syllables, so they meet the Han form of the same name.

`name_score` compares two forms: the same simplified characters score 1.0; different characters
with the same sound (章伟 / 张伟) score `HOMOPHONE_WEIGHT` (0.85), so they always reach review and
are never cleared by the machine; a Han name against its Latin spelling scores
`CROSS_SCRIPT_WEIGHT` times the pinyin similarity (0.95 for 张伟 / ZHANG Wei). Identical ID numbers
score 1.0; birth dates that disagree lower the score. `MATCH_THRESHOLD` (0.70, as in OpenSanctions'
matcher) decides what becomes a hit.

Blocking: every name gets one key, its syllables in "fuzzy pinyin" (zh=z, ch=c, sh=s, l=n, -ng=-n,
ü=u, the regional confusions that input methods also accept) sorted, so only names that sound alike
are ever compared; `WatchIndex` keeps the list by key (and by ID-number hash) and a subject is scored
against its bucket only, not against every entry.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache

import opencc
from pypinyin import Style, lazy_pinyin
from pypinyin.pinyin_dict import pinyin_dict
from pypinyin.style import convert
from rapidfuzz import fuzz

MATCH_THRESHOLD = 0.70
HOMOPHONE_WEIGHT = 0.85
CROSS_SCRIPT_WEIGHT = 0.95
FUZZY_SYLLABLE = 0.9
BIRTH_YEAR_DIFFERS = 0.7
BIRTH_DAY_DIFFERS = 0.9

# Two-character surnames, read as one surname (not surname + first given character).
COMPOUND_SURNAMES = frozenset({
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "司空",
    "夏侯", "令狐", "端木", "西门", "南宫", "独孤", "万俟", "闻人", "轩辕", "澹台", "公冶", "太史", "申屠",
    "单于", "呼延", "赫连", "淳于", "百里", "东郭", "钟离", "宗政", "濮阳", "拓跋", "第五",
})
# Surnames whose reading differs from the character's common reading (the polyphones of names).
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "重": ("chong",), "单": ("shan",), "曾": ("zeng",), "解": ("xie",), "区": ("ou",), "仇": ("qiu",),
    "朴": ("piao",), "查": ("zha",), "盖": ("ge",), "乐": ("yue",), "覃": ("qin",), "翟": ("zhai",),
    "缪": ("miao",), "秘": ("bi",), "召": ("shao",), "种": ("chong",), "员": ("yun",), "燕": ("yan",),
    "宿": ("su",), "繁": ("po",), "折": ("she",), "那": ("na",), "都": ("du",), "相": ("xiang",),
    "隗": ("wei",), "沈": ("shen",), "任": ("ren",), "华": ("hua",), "纪": ("ji",), "句": ("gou",),
    "尉迟": ("yu", "chi"), "万俟": ("mo", "qi"), "长孙": ("zhang", "sun"), "单于": ("chan", "yu"),
    "藏": ("zang",), "过": ("guo",), "蕃": ("pi",), "卜": ("bu",), "薄": ("bo",),
}
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_TOKEN = re.compile(r"[a-zü]+")
_FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("l", "n"))
_CONVERTER = opencc.OpenCC("t2s")


@cache
def pinyin_syllables() -> frozenset[str]:
    """Every toneless syllable of the dictionary (ü written v, as pypinyin does)."""
    syllables = set()
    for readings in pinyin_dict.values():
        for reading in readings.split(","):
            syllables.add(convert(reading, Style.NORMAL, strict=True))
    return frozenset(s for s in syllables if s.isalpha())


def fuzzy_syllable(syllable: str) -> str:
    """The syllable with the usual regional confusions folded: zh/z, ch/c, sh/s, l/n, -ng/-n, ü/u."""
    s = syllable.replace("ü", "v").replace("v", "u")
    for spelled, folded in _FUZZY_INITIALS:
        if s.startswith(spelled):
            s = folded + s[len(spelled):]
            break
    if s.endswith("ng") and len(s) > 2:
        s = s[:-1]
    return s


def segment_latin(token: str) -> tuple[str, ...]:
    """Split a romanised token into pinyin syllables ("xiaoming" -> xiao ming), fewest syllables first;
    a token that is not pinyin (a foreign name) stays whole."""
    token = token.replace("ü", "v")
    syllables = pinyin_syllables()
    best: list[tuple[str, ...] | None] = [None] * (len(token) + 1)
    best[0] = ()
    for end in range(1, len(token) + 1):
        for start in range(max(0, end - 6), end):
            head = best[start]
            if head is not None and token[start:end] in syllables:
                candidate = head + (token[start:end],)
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
    found = best[len(token)]
    return found if found else (token,)


@dataclass(frozen=True)
class NameForm:
    text: str
    han: str  # simplified Han characters, "" for a name written in Latin letters
    syllables: tuple[str, ...]  # surname first for a Han name; as written for a Latin one
    key: str  # blocking key
    words: tuple[tuple[str, ...], ...] = ()  # the syllables word by word (surname, given name for Han)

    @property
    def is_han(self) -> bool:
        return bool(self.han)


def _han_words(han: str) -> tuple[tuple[str, ...], ...]:
    surname = han[:2] if han[:2] in COMPOUND_SURNAMES else han[:1]
    given = han[len(surname):]
    head = SURNAME_READINGS.get(surname) or tuple(lazy_pinyin(surname, style=Style.NORMAL))
    return (head, tuple(lazy_pinyin(given, style=Style.NORMAL))) if given else (head,)


def blocking_key(syllables: Iterable[str]) -> str:
    return "-".join(sorted(fuzzy_syllable(s) for s in syllables))


@lru_cache(maxsize=200_000)
def read_name(text: str) -> NameForm:
    """The normalised form of one name, as written on a list or in a customer record."""
    clean = unicodedata.normalize("NFKC", text or "").strip()
    han_chars = "".join(_HAN.findall(clean))
    if han_chars:
        han = _CONVERTER.convert(han_chars)
        words = _han_words(han)
    else:
        han = ""
        tokens = _LATIN_TOKEN.findall(clean.lower().replace("-", "").replace("'", "").replace("u:", "ü"))
        words = tuple(segment_latin(token) for token in tokens)
    syllables = tuple(s for word in words for s in word)
    return NameForm(text=text, han=han, syllables=syllables, key=blocking_key(syllables), words=words)


def _syllable_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if fuzzy_syllable(a) == fuzzy_syllable(b):
        return FUZZY_SYLLABLE
    syllables = pinyin_syllables()
    if a in syllables and b in syllables:
        # Another syllable is another character: 王 (wang) is not 张 (zhang) however alike they look.
        return 0.0
    # A word that is not pinyin (a foreign name) is compared letter by letter, allowing a typo.
    return 0.9 * fuzz.ratio(a, b) / 100


def _aligned(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    if not a or not b:
        return 0.0
    if len(a) != len(b):
        return 0.8 * fuzz.ratio(" ".join(a), " ".join(b)) / 100
    return sum(_syllable_similarity(x, y) for x, y in zip(a, b, strict=True)) / len(a)


def pinyin_similarity(a: NameForm, b: NameForm) -> float:
    """Syllable by syllable; a Latin name may also be written given name first ("Wei Zhang")."""
    score = _aligned(a.syllables, b.syllables)
    if not (a.is_han and b.is_han):
        latin = b if a.is_han else a
        other = a if a.is_han else b
        for turn in range(1, len(latin.words)):
            words = latin.words[turn:] + latin.words[:turn]
            score = max(score, _aligned(tuple(s for word in words for s in word), other.syllables))
    return score


def name_score(a: NameForm, b: NameForm) -> tuple[float, str]:
    """The similarity of two names in [0, 1] and why: same_han, homophone, pinyin or cross_script."""
    if a.is_han and b.is_han:
        if a.han == b.han:
            return 1.0, "same_han"
        han = fuzz.ratio(a.han, b.han) / 100
        if len(a.han) != len(b.han):
            # 王勇 is not 王勇杰: a name that is part of another is a different person more often than not.
            han *= 0.8
        sound = HOMOPHONE_WEIGHT * pinyin_similarity(a, b)
        return (sound, "homophone") if sound > han else (han, "similar_han")
    if a.is_han or b.is_han:
        return CROSS_SCRIPT_WEIGHT * pinyin_similarity(a, b), "cross_script"
    return pinyin_similarity(a, b), "pinyin"


def birth_factor(a: date | None, b: date | None) -> tuple[float, str]:
    if a is None or b is None or a == b:
        return 1.0, ""
    if a.year != b.year:
        return BIRTH_YEAR_DIFFERS, "birth_year_differs"
    return BIRTH_DAY_DIFFERS, "birth_date_differs"


@dataclass(frozen=True)
class Subject:
    """Whoever is screened (a customer, a beneficial owner, a partner), as plain values: a reference the
    caller understands, the name, the keyed hash of the ID number (`compliance.crypto.keyed_hash`), the
    birth date."""

    ref: str
    name: str
    id_hash: str = ""
    birth_date: date | None = None


@dataclass(frozen=True)
class ListEntry:
    key: int
    names: tuple[str, ...]  # the listed name first, then the aliases
    id_hashes: frozenset[str] = frozenset()
    birth_date: date | None = None


@dataclass(frozen=True)
class Match:
    subject_ref: str
    entry_key: int
    score: float
    matched_name: str
    reasons: tuple[str, ...]


def score_pair(subject: Subject, form: NameForm, entry: ListEntry) -> Match | None:
    """The best score of the subject against the entry's names, or None below the threshold."""
    if subject.id_hash and subject.id_hash in entry.id_hashes:
        return Match(subject.ref, entry.key, 1.0, entry.names[0], ("id_number",))
    best, best_name, best_reason = 0.0, "", ""
    for listed in entry.names:
        score, reason = name_score(form, read_name(listed))
        if score > best:
            best, best_name, best_reason = score, listed, reason
    factor, birth_reason = birth_factor(subject.birth_date, entry.birth_date)
    best *= factor
    if best < MATCH_THRESHOLD:
        return None
    reasons = (best_reason, birth_reason) if birth_reason else (best_reason,)
    if best_name != entry.names[0]:
        reasons = (*reasons, "alias")
    return Match(subject.ref, entry.key, round(best, 3), best_name, reasons)


@dataclass
class WatchIndex:
    """The list by blocking key and by ID-number hash."""

    by_key: dict[str, list[ListEntry]] = field(default_factory=lambda: defaultdict(list))
    by_id: dict[str, list[ListEntry]] = field(default_factory=lambda: defaultdict(list))
    size: int = 0

    @classmethod
    def build(cls, entries: Iterable[ListEntry]) -> WatchIndex:
        index = cls()
        for entry in entries:
            index.size += 1
            for key in {read_name(name).key for name in entry.names}:
                index.by_key[key].append(entry)
            for id_hash in entry.id_hashes:
                index.by_id[id_hash].append(entry)
        return index

    def candidates(self, subject: Subject, form: NameForm) -> list[ListEntry]:
        found = {entry.key: entry for entry in self.by_key.get(form.key, ())}
        if subject.id_hash:
            found.update((entry.key, entry) for entry in self.by_id.get(subject.id_hash, ()))
        return list(found.values())

    def screen(self, subject: Subject) -> list[Match]:
        form = read_name(subject.name)
        matches = (score_pair(subject, form, entry) for entry in self.candidates(subject, form))
        return sorted((m for m in matches if m is not None), key=lambda m: -m.score)


def screen_subjects(index: WatchIndex, subjects: Iterable[Subject]) -> Iterator[Match]:
    for subject in subjects:
        yield from index.screen(subject)


def screen_all_pairs(entries: list[ListEntry], subjects: Iterable[Subject]) -> Iterator[Match]:
    """Every subject against every entry: the reference the blocked screen is checked and measured against."""
    for subject in subjects:
        form = read_name(subject.name)
        for entry in entries:
            match = score_pair(subject, form, entry)
            if match is not None:
                yield match
