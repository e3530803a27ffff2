"""The State Council holiday arrangements that ship inside the chinesecalendar package: the seed of
the bank's own table and the answer when that table cannot be read (pure: no ORM)."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache

from chinese_calendar import constants

HOLIDAY = "holiday"
WORKDAY = "workday"

# The package names holidays in English; the bank's table and pages use the official Chinese names.
HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


@dataclass(frozen=True)
class PackagedDay:
    day: date
    kind: str
    name: str


def packaged_days() -> Iterator[PackagedDay]:
    for day, name in sorted(constants.holidays.items()):
        yield PackagedDay(day, HOLIDAY, HOLIDAY_NAMES_ZH.get(name, name))
    for day, name in sorted(constants.workdays.items()):
        yield PackagedDay(day, WORKDAY, HOLIDAY_NAMES_ZH.get(name, name))


@lru_cache(maxsize=1)
def packaged_years() -> frozenset[int]:
    """Years whose arrangement the package publishes in full."""
    return frozenset(range(min(constants.holidays).year, max(constants.holidays).year + 1))


@cache
def packaged_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(holidays, adjusted working days) of a packaged year."""
    return (frozenset(d for d in constants.holidays if d.year == year),
            frozenset(d for d in constants.workdays if d.year == year))


def source_document_for(year: int) -> str:
    return f"国务院办公厅关于{year}年部分节假日安排的通知"
