"""Shared fixtures: thin wrappers around the test world of `lendpilot.testing` (the world itself lives in a
product module, so that code outside the test tree never imports a conftest)."""

import os
from pathlib import Path

import pytest

from lendpilot.testing import FAST_PASSWORD_HASHERS, PASSWORD, World, build_world

# Packages whose tests read service messages in English (the zh-Hans catalogue translates them for users)
# while their pages keep the site's language; and packages whose pages are read in English as well.
ENGLISH_MESSAGES = frozenset({"lending", "monitoring", "scoring"})
ENGLISH_PAGES = frozenset({"planning", "incentives"})
PROJECT = Path(__file__).resolve().parent
# Milliseconds for a browser test's first page (the sign-in); later steps keep the 10 s default.
FIRST_PAGE_TIMEOUT = 60_000


def pytest_configure(config):
    from django.conf import settings

    # Hashing a password the production way takes ~0.3 s; tests create dozens of users.
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS


@pytest.fixture(autouse=True)
def english_messages(request):
    """English for the packages listed above; every other package's tests run in the site's language."""
    from django.utils import translation

    try:
        package = Path(request.node.path).resolve().relative_to(PROJECT).parts[0]
    except ValueError:
        package = ""
    if package in ENGLISH_PAGES:
        request.getfixturevalue("settings").LANGUAGE_CODE = "en"
    if package in ENGLISH_MESSAGES | ENGLISH_PAGES:
        with translation.override("en"):
            yield
    else:
        yield


@pytest.fixture(autouse=True)
def _fresh_business_calendar():
    """Each test sees the holiday table as its own transaction left it, not a year cached by another."""
    from lendpilot.core.business_calendar import forget_cached_years

    forget_cached_years()
    yield
    forget_cached_years()


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def live_world(transactional_db) -> World:
    """The same world, committed, for tests that talk to a live server."""
    return build_world()


# Browser fixtures: Playwright driving Debian's Chromium against pytest-django's live server.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def chromium():
    # Playwright's sync API runs an event loop in the test thread, which Django would otherwise take for
    # async code and refuse ORM calls; browser tests touch the ORM only between browser steps.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not CHROMIUM.exists():
        pytest.skip(f"BROWSER TESTS SKIPPED: {CHROMIUM} is missing; install Debian's chromium "
                    "(sudo apt-get install chromium, or `make browser`) to run them")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    """A fresh browser context (no cookies) per test, failing fast instead of waiting 30 s."""
    context = chromium.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def sign_in(page):
    """Sign in through the login form as one of the world's users (by key: "director", "am_wang", ...)."""

    def sign_in_as(username: str):
        # The first request to a fresh live server imports every page module: give it time on a busy machine.
        page.goto("/login/", timeout=FIRST_PAGE_TIMEOUT)
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("#login-submit")
        page.wait_for_url("**/", timeout=FIRST_PAGE_TIMEOUT)
        return page

    return sign_in_as


@pytest.fixture
def page_as(chromium, live_server):
    """A signed-in page in its own browser context per user, for flows that pass a case between people;
    every context is closed at the end of the test."""
    contexts = []

    def open_page(username: str):
        context = chromium.new_context(base_url=live_server.url, locale="zh-CN")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/login/", timeout=FIRST_PAGE_TIMEOUT)
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("#login-submit")
        page.wait_for_url("**/", timeout=FIRST_PAGE_TIMEOUT)
        return page

    yield open_page
    for context in contexts:
        context.close()
