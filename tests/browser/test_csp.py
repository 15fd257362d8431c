"""Under the strict Content-Security-Policy, real Chromium reports no violation and no console error."""

from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} in ${where}`);
});
"""
CANARY = """
const s = document.createElement("script");
s.textContent = "window.__ran = 1";
document.head.append(s);
"""


def watch(page) -> list[str]:
    """Record CSP violations, console errors and uncaught exceptions from now on."""
    problems: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on("console", lambda m: m.type == "error" and problems.append(f"console error: {m.text}"))
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    return problems


def violations(page) -> list[str]:
    """The violations the page has reported so far."""
    page.wait_for_timeout(200)  # the event is dispatched asynchronously
    return page.evaluate("window.__violations")


def assert_clean_then_enforced(page, problems: list[str]) -> None:
    """Nothing was blocked or failed; then an injected inline script is blocked (so the CSP is on)."""
    page.wait_for_load_state("networkidle")
    assert violations(page) == [] and problems == [], (page.url, violations(page), problems)
    page.evaluate(CANARY)
    assert page.evaluate("window.__ran") is None
    assert any(v.startswith("script-src") for v in violations(page))


def link(page, live_server: str, part: str) -> str:
    """The address of the first link on the page whose href contains `part`."""
    return urljoin(live_server + "/", page.locator(f"main a[href*='{part}']").first.get_attribute("href"))


@pytest.mark.browser
def test_home_and_tag_pages(page, live_server):
    problems = watch(page)
    response = page.goto(live_server + "/")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    expect(page.locator("main")).to_be_visible()
    assert_clean_then_enforced(page, problems)

    page.goto(link(page, live_server, "/articles/"))
    problems.clear()
    page.goto(link(page, live_server, "/tags/"))
    expect(page.locator("main h1")).to_be_visible()
    assert_clean_then_enforced(page, problems)


@pytest.mark.browser
def test_article_with_an_faq_answer_opened(page, live_server):
    problems = watch(page)
    page.goto(live_server + "/")
    article = link(page, live_server, "/articles/")
    problems.clear()
    page.goto(article)
    page.locator("#faq-q-1").click()
    expect(page.locator("#faq-a-1 .faq-answer-body")).to_be_visible()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # lazy images, carousel, signup
    assert_clean_then_enforced(page, problems)


@pytest.mark.browser
def test_not_found_page(page, live_server):
    problems = watch(page)
    response = page.goto(live_server + "/no-such-page")
    assert response.status == 404
    expect(page.locator("main")).to_be_visible()
    # Chromium reports the 404 document itself as a failed resource; that is the page working.
    problems[:] = [p for p in problems if "status of 404" not in p]
    assert_clean_then_enforced(page, problems)
