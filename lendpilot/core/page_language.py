"""Is every page in its reader's language? A crawl from a user's home page through the links the pages show,
and the checks a reader would make of each page's text.

In Simplified Chinese a page shows no snake_case code, no Python repr and no English word outside
`ALLOWED_WORDS` (units, standard acronyms, the product's name); in English it shows no Chinese that is not the
bank's own data (a customer's name, a note, a partner's company). Text a page declares foreign stays out of
the check: `<code>`, `<kbd>`, `<samp>`, `<pre>`, an element with `translate="no"` (identifiers, query-language
terms) or a `lang` other than the page's (a Chinese post quoted on an English page). A token with a digit is
an identifier (loan LND0000026, a masked ID number), not a word.

Used by the crawl test of every role in both languages (`core/tests/test_page_language.py`) and by
`manage.py check_page_language` against any bank.
"""

import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from django.apps import apps
from django.db import models
from django.http import HttpResponse
from django.test import Client
from django.urls import Resolver404, resolve

ZH, EN = "zh-hans", "en"
# Standard acronyms and units a Chinese lender reads as they are, the language switch, and names.
ALLOWED_WORDS = frozenset({
    "LendPilot", "English", "CNY", "RMB", "LPR", "bp", "pp", "KPI", "DTI", "LTV", "APR", "API", "PDF", "Excel",
    "CSV", "xlsx", "UTF", "GBK", "ID", "AML", "NPS", "RFM", "AUC", "KS", "Gini", "Brier", "PDO", "WoE", "IV",
    "PSI", "TF-IDF", "NMF", "GDP", "PMI", "CPI", "PPI", "CUPED", "Erlang", "CFP", "AFP", "PBoC", "NFRA", "EOD",
    "YoY", "MoM", "FY", "SLA", "OCR", "VIP", "TOP", "App", "CRM", "NPL", "HTTP", "URL", "JSON", "OpenAPI",
    "YYYY-MM-DD", "YYYY-MM", "HH", "MM", "DD", "GB", "MB", "KB", "QR", "SMS", "II", "III", "USCC", "AA", "AAA",
    "BB", "BBB", "CC", "CCC", "x", "vs", "WenQuanYi", "Micro", "Hei", "CJK", "A-Z", "WCAG", "FAQ", "OKR", "ROI",
    "SQL",
    # Single letters: the national industry sections (GB/T 4754), credit grades, A/B arms of a pilot.
    *"ABCDEFGHIJKLMNOPQRSTUVWXYZ",
})
# The Chinese a page in English may show: the language switch.
ALLOWED_RUNS = frozenset({"简体中文", "中文"})
SKIPPED_TAGS = frozenset({"script", "style", "code", "kbd", "samp", "pre", "template", "svg"})
VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                       "track", "wbr"})
READ_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
# Routes the crawl does not follow: sign-out, the language switch, the admin site, the API, files.
SKIPPED_PREFIXES = ("/admin/", "/api/", "/logout", "/i18n/", "/healthz", "/readyz", "/metrics", "/static/",
                    "/media/", "/login")

SNAKE_CASE = re.compile(r"(?<![\w.-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w-])")
PYTHON_REPR = re.compile(r"\{'|\['|<QuerySet|Decimal\(|datetime\.|\bNone\b|\bTrue\b|\bFalse\b|object at 0x"
                         r"|<[A-Z]\w+: ")
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'._+-]*")
WORD = re.compile(r"[A-Za-z]+(?:['-][A-Za-z]+)*")
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


@dataclass(frozen=True)
class Finding:
    """Text of the wrong language on a page: what kind of leak, the offending token, the page and its text."""

    kind: str
    token: str
    url: str
    text: str


@dataclass
class PageText(HTMLParser):
    """The text a reader sees on a page (and the links it offers), without what the page declares foreign."""

    language: str
    texts: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    stack: list[tuple[str, bool]] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def _foreign(self, attributes: dict[str, str | None]) -> bool:
        lang = (attributes.get("lang") or "").lower()
        return attributes.get("translate") == "no" or bool(lang and not lang.startswith(self.language[:2]))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        hidden = (self.hidden or tag in SKIPPED_TAGS or self._foreign(attributes))
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"] or "")
        if not hidden:
            self.texts.extend(value for name in READ_ATTRIBUTES if (value := attributes.get(name)))
            if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
                self.texts.append(attributes["value"] or "")
        if tag not in VOID_TAGS:
            self.stack.append((tag, hidden))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if any(open_tag == tag for open_tag, _ in self.stack):
            while self.stack and self.stack.pop()[0] != tag:
                pass

    @property
    def hidden(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.texts.append(" ".join(data.split()))


@dataclass(frozen=True)
class Vocabulary:
    """The bank's own data, which a page may show in any language: its Latin words and its Chinese runs."""

    words: frozenset[str]
    runs: frozenset[str]


# Fields whose Latin words are the bank's data (names on a watch list, company names, posts), not interface.
LATIN_DATA_FIELDS = {
    "compliance.WatchListEntry": ("name", "aliases", "remark"),
    "customers.Customer": ("name",),
    "sales.Lead": ("name",),
    "sales.Opportunity": ("name",),
    "channels.Partner": ("name",),
    "products.Product": ("name",),
    "service.Post": ("text", "url", "author"),
    "market.Competitor": ("name",),
}


def data_vocabulary() -> Vocabulary:
    """Every Chinese run of every text column of the database, and the Latin words of `LATIN_DATA_FIELDS`."""
    words: set[str] = set()
    runs: set[str] = set()
    for model in apps.get_models():
        text_fields = [f.attname for f in model._meta.concrete_fields
                       if isinstance(f, models.CharField | models.TextField | models.JSONField)]
        if not text_fields:
            continue
        latin = set(LATIN_DATA_FIELDS.get(model._meta.label, ()))
        for row in model._default_manager.values_list(*text_fields).iterator(chunk_size=2000):
            for name, value in zip(text_fields, row, strict=True):
                if not value:
                    continue
                text = value if isinstance(value, str) else str(value)
                runs.update(CJK_RUN.findall(text))
                if name in latin:
                    words.update(WORD.findall(text))
    return Vocabulary(words=frozenset(words), runs=frozenset(runs))


def leaks(text: str, *, language: str, vocabulary: Vocabulary) -> Iterator[tuple[str, str]]:
    """(kind, token) for each piece of `text` a reader of `language` should not meet."""
    if language == EN:
        for run in CJK_RUN.findall(text):
            if run not in vocabulary.runs and run not in ALLOWED_RUNS:
                yield "chinese", run
        return
    for match in PYTHON_REPR.finditer(text):
        yield "repr", text[max(0, match.start() - 20):match.end() + 20]
    for code in SNAKE_CASE.findall(text):
        yield "code", code
    for token in TOKEN.findall(text):
        if any(ch.isdigit() for ch in token) or "_" in token:
            continue
        for word in WORD.findall(token):
            if word not in ALLOWED_WORDS and word not in vocabulary.words:
                yield "english", word


def followed(url: str, href: str) -> str | None:
    """The in-site page a link leads to (path and query), or None for links the crawl leaves alone."""
    target = urlsplit(urljoin(url, href))
    if target.scheme not in ("", "http") or target.netloc not in ("", "testserver"):
        return None
    path = target.path
    if not path.startswith("/") or path.startswith(SKIPPED_PREFIXES):
        return None
    return path + (f"?{target.query}" if target.query else "")


def crawl(client: Client, *, start: str = "/", per_route: int = 2) -> Iterator[tuple[str, HttpResponse, str]]:
    """GET the pages reachable from `start` through links, breadth first: at most `per_route` addresses for each
    route and set of query keys (two customers tell as much as two hundred). Yields each address, its
    response and the page that linked to it."""
    seen = {start}
    per_key: dict[tuple[str, tuple[str, ...]], int] = {}
    queue = deque([(start, "")])
    while queue:
        url, referrer = queue.popleft()
        response = client.get(url)
        yield url, response, referrer
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = PageText(language="")
        parser.feed(response.content.decode())
        for href in parser.links:
            target = followed(url, href)
            if target is None or target in seen:
                continue
            path, _, query = target.partition("?")
            try:
                route = resolve(path).route
            except Resolver404:
                continue
            key = (route, tuple(sorted({name for name, _ in parse_qsl(query)})))
            if per_key.get(key, 0) >= per_route:
                continue
            per_key[key] = per_key.get(key, 0) + 1
            seen.add(target)
            queue.append((target, url))


def page_findings(url: str, response: HttpResponse, *, language: str,
                  vocabulary: Vocabulary) -> Iterable[Finding]:
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return []
    parser = PageText(language=language)
    parser.feed(response.content.decode())
    return [Finding(kind, token, url, text[:120]) for text in parser.texts
            for kind, token in leaks(text, language=language, vocabulary=vocabulary)]
