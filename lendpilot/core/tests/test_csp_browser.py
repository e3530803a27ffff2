"""In a real browser, the pages with charts and scripts run under the Content Security Policy without a single
violation: every inline script carries the response's nonce, nothing needs eval."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["/", "/insights/", "/monitoring/portfolio/", "/monitoring/industries/", "/planning/attainment/",
         "/incentives/honours/", "/scoring/prescreen/", "/api/v1/docs"]
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


def test_pages_run_their_scripts_without_a_policy_violation(live_world, sign_in):
    page = sign_in("director")
    page.add_init_script(RECORD_VIOLATIONS)
    console = []
    page.on("console", lambda message: console.append(message.text))
    violations = {}
    for path in PAGES:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        found = page.evaluate("window.__cspViolations")
        if found:
            violations[path] = found
    assert violations == {}
    assert not [line for line in console if "Content Security Policy" in line]
    page.goto("/")
    expect(page.locator("#chart-customers-by-region canvas")).to_have_count(1)
