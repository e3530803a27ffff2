"""The pages a director shows the board, on the demo bank in a real browser: the director's home, the command
centre and a loan application with its pre-screen, in Chinese. Each reads as Chinese (no code, no Python repr,
no stray English: the checks of `core.page_language` on the text the browser renders) and is kept as a
screenshot: in a temporary directory by default, in the directory named by LENDPILOT_SCREENSHOTS
(`LENDPILOT_SCREENSHOTS=docs/screenshots pytest lendpilot/demo/tests/test_showcase_browser.py` refreshes the
README's pictures)."""

import os
from pathlib import Path

import pytest

from lendpilot.conftest import FIRST_PAGE_TIMEOUT
from lendpilot.core.page_language import ZH, data_vocabulary, leaks
from lendpilot.core.seeding import DEMO_PASSWORD
from lendpilot.demo.steps import seed_demo
from lendpilot.lending.models import Application

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def folder(tmp_path) -> Path:
    chosen = os.environ.get("LENDPILOT_SCREENSHOTS")
    path = Path(chosen).resolve() if chosen else tmp_path / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_the_director_shows_home_command_centre_and_a_pre_screened_application_in_chinese(
        chromium, live_server, folder):
    seed_demo(scale="tiny", seed=42, show_progress=False)
    application = Application.objects.filter(prescreen__isnull=False).order_by("-amount", "pk").first()
    assert application is not None, "the demo bank has no pre-screened application"
    vocabulary = data_vocabulary()

    context = chromium.new_context(base_url=live_server.url, locale="zh-CN",
                                   viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(FIRST_PAGE_TIMEOUT)
    try:
        page.goto("/login/")
        page.fill("#id_username", "director")
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("#login-submit")
        page.wait_for_url("**/")
        for name, url, ready in (("director-home", "/", "#home-month-disbursed"),
                                 ("command-centre", "/insights/", "#tiles"),
                                 ("application-prescreen", f"/lending/applications/{application.pk}/",
                                  "#application-prescreen")):
            page.goto(url)
            page.wait_for_selector(ready)
            page.wait_for_load_state("networkidle")
            # What a reader sees: the rendered text, without code samples and what the page marks untranslatable.
            text = page.evaluate("""() => {
                const copy = document.body.cloneNode(true);
                copy.querySelectorAll('script, style, code, kbd, samp, pre, [translate="no"]').forEach(e => e.remove());
                copy.querySelectorAll('[lang]').forEach(e => {
                    if (!e.lang.toLowerCase().startsWith('zh')) e.remove();
                });
                return copy.innerText;
            }""")
            found = sorted({(kind, token) for line in text.splitlines()
                            for kind, token in leaks(line, language=ZH, vocabulary=vocabulary)})
            assert not found, (name, found)
            page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    finally:
        context.close()
