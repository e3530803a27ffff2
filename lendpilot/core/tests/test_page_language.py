"""Every page every demo role reaches from its home, in both languages, reads as that language: in Chinese no
snake_case code, no Python repr, no English word outside the allowed acronyms; in English no Chinese but the
bank's own data. And every link a page shows opens for the reader who sees it."""

from collections import defaultdict

import pytest
from django.db import transaction
from django.test import Client

from lendpilot.core.page_language import EN, ZH, Finding, Vocabulary, crawl, data_vocabulary, leaks, page_findings
from lendpilot.demo.steps import seed_demo

pytestmark = pytest.mark.django_db  # also what makes pytest-django create the test database

# The fewest pages a role's crawl must reach: a crawl stopped at the home page proves nothing.
FEWEST_PAGES = {"director": 150, "am_demo": 80, "risk_l1": 60, "compliance": 100, "partner": 10}


@pytest.fixture(scope="module")
def demo_bank(django_db_setup, django_db_blocker):
    """The tiny demo bank, seeded once for the module and rolled back after it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            context = seed_demo(scale="tiny", seed=42, show_progress=False)
            yield {"logins": [login.username for login in context.logins], "vocabulary": data_vocabulary()}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def crawl_as(username: str, language: str, vocabulary: Vocabulary) -> tuple[int, list[Finding]]:
    from django.contrib.auth import get_user_model

    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies["django_language"] = language
    client.force_login(get_user_model().objects.get(username=username))
    pages, findings = 0, []
    for url, response, referrer in crawl(client):
        pages += 1
        if response.status_code >= 400:
            findings.append(Finding("link refused", str(response.status_code), url, f"linked from {referrer}"))
        findings.extend(page_findings(url, response, language=language, vocabulary=vocabulary))
    return pages, findings


def report(findings: dict[tuple[str, str], list[tuple[str, Finding]]]) -> str:
    lines = [f"{kind} {token!r} on {len(where)} pages, e.g. {where[0][1].url} as {where[0][0]}: {where[0][1].text!r}"
             for (kind, token), where in sorted(findings.items(), key=lambda item: -len(item[1]))]
    return "\n".join(lines[:80])


@pytest.mark.parametrize("language", [ZH, EN])
def test_every_page_of_every_role_reads_in_its_language_and_links_only_to_what_opens(demo_bank, language):
    found: dict[tuple[str, str], list[tuple[str, Finding]]] = defaultdict(list)
    for username in demo_bank["logins"]:
        pages, findings = crawl_as(username, language, demo_bank["vocabulary"])
        assert pages >= FEWEST_PAGES.get(username, 1), (username, pages)
        for finding in findings:
            found[(finding.kind, finding.token)].append((username, finding))
    assert not found, "\n" + report(found)


def test_the_checks_find_codes_reprs_english_and_chinese_but_not_identifiers_or_declared_text():
    vocabulary = Vocabulary(words=frozenset({"Huada"}), runs=frozenset({"张三"}))
    assert {kind for kind, _ in leaks("状态：in_review", language=ZH, vocabulary=vocabulary)} == {"code"}
    assert ("repr", "{'loans': 51}") in [(kind, token.strip()) for kind, token in
                                          leaks("{'loans': 51}", language=ZH, vocabulary=vocabulary)]
    assert list(leaks("利率 Rate", language=ZH, vocabulary=vocabulary)) == [("english", "Rate")]
    assert not list(leaks("贷款 LND0000026 · LPR + 150bp · Huada · 91513328DFB41G4JEH", language=ZH,
                          vocabulary=vocabulary))
    assert list(leaks("Customer 张三 (正常)", language=EN, vocabulary=vocabulary)) == [("chinese", "正常")]

    class Page:
        status_code = 200

        def __init__(self, html: str) -> None:
            self.content = html.encode()

        def get(self, name: str, default: str = "") -> str:
            return "text/html; charset=utf-8"

    html = ('<p>阶段 <code>line_review</code> <span translate="no">EAST</span> <q lang="en">Weibo</q>'
            '<a title="Details">详情</a></p>')
    assert [(f.kind, f.token) for f in page_findings("/", Page(html), language=ZH, vocabulary=vocabulary)] == [
        ("english", "Details")]


def test_the_command_names_a_user_it_cannot_find():
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no active user named nobody"):
        call_command("check_page_language", "nobody", "--language", "en")
