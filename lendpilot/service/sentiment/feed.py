"""The rows of a post feed (FEATURES E8), from a CSV file or the API: source, time, text and URL, each checked
and named when wrong. Pure: no ORM.

Columns (header required): ``source,time,text,url`` (url may be empty). `source` is one of the codes of
`SOURCES` (or its Chinese name); `time` is ``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM[:SS]`` or ISO 8601 with an
offset (without one it is local time). A post is identified by its URL, or without a URL by its
normalised text: the same post twice (in the file or already held) is counted once.
"""

import csv
import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

from django.utils.translation import gettext as _

COLUMNS = ("source", "time", "text", "url")
SOURCES = {
    "weibo": "微博", "wechat": "微信", "heimao": "黑猫投诉", "xiaohongshu": "小红书", "douyin": "抖音",
    "app_store": "应用商店", "news": "新闻", "forum": "论坛", "other": "其他",
}
MAX_TEXT = 4000
MAX_URL = 500
MAX_ROWS = 200_000
FIRST_DAY = date(2000, 1, 1)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class FeedRow:
    row: int
    source: str
    posted_at: datetime
    text: str
    url: str

    @property
    def digest(self) -> str:
        return post_digest(text=self.text, url=self.url)


def post_digest(*, text: str, url: str) -> str:
    """sha256 of the URL, or of the text with its white space collapsed when there is no URL."""
    key = f"url:{url.strip()}" if url.strip() else "text:" + _SPACE.sub(" ", text).strip()
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _parse_time(value: str, tz: tzinfo) -> datetime:
    value = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return datetime.combine(date.fromisoformat(value), time(12), tzinfo=tz)
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)


def check_row(number: int, values: dict, *, tz: tzinfo, today: date) -> tuple[FeedRow | None, dict[str, str]]:
    """The row, or the errors of its fields ({field: reason})."""
    errors: dict[str, str] = {}
    raw_source = str(values.get("source") or "").strip()
    by_name = {name: code for code, name in SOURCES.items()}
    source = raw_source if raw_source in SOURCES else by_name.get(raw_source, "")
    if not source:
        errors["source"] = _("unknown source %(value)s; use one of %(codes)s") % {
            "value": repr(raw_source[:30]), "codes": ", ".join(SOURCES)}
    text = str(values.get("text") or "").replace("\x00", "").strip()
    if not text:
        errors["text"] = _("the text is empty")
    elif len(text) > MAX_TEXT:
        errors["text"] = _("the text is longer than %(n)d characters") % {"n": MAX_TEXT}
    url = str(values.get("url") or "").strip()
    if url and (len(url) > MAX_URL or not re.match(r"^https?://\S+$", url)):
        errors["url"] = _("not a web address (http or https)")
    posted_at = None
    try:
        posted_at = _parse_time(str(values.get("time") or ""), tz)
    except ValueError:
        errors["time"] = _("not a date and time (YYYY-MM-DD HH:MM)")
    else:
        if not FIRST_DAY <= posted_at.astimezone(tz).date() <= today:
            errors["time"] = _("the time lies in the future or before 2000")
    if errors or posted_at is None:
        return None, errors
    return FeedRow(row=number, source=source, posted_at=posted_at, text=text, url=url), {}


def read_csv(content: str) -> tuple[list[dict], list[str]]:
    """(rows as dicts, missing columns) of a CSV text; the header names the columns."""
    reader = csv.DictReader(io.StringIO(content))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c != "url" and c not in header]
    if missing:
        return [], missing
    reader.fieldnames = header
    return [dict(r) for r in reader], []


def dedupe(rows: Iterable[FeedRow], held: set[str]) -> tuple[list[FeedRow], int]:
    """(new rows, duplicates): a row whose digest is held or came earlier in the feed is a duplicate."""
    seen = set(held)
    fresh, duplicates = [], 0
    for row in rows:
        digest = row.digest
        if digest in seen:
            duplicates += 1
            continue
        seen.add(digest)
        fresh.append(row)
    return fresh, duplicates
