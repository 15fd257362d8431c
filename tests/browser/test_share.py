"""The share button in real Chromium: the Web Share API when present, else copying the link."""

import pytest
from playwright.sync_api import expect

SLUG = "gut-melatonin-sleep"
PHONE = {"width": 360, "height": 740}
NO_SHARE = "delete Navigator.prototype.share; delete Navigator.prototype.canShare;"
RECORD_SHARE = """
window.__shared = [];
Object.defineProperty(Navigator.prototype, "share", {
  configurable: true,
  value: function (data) { window.__shared.push(data); return Promise.resolve(); },
});
"""
CANCEL_SHARE = """
window.__shared = [];
Object.defineProperty(Navigator.prototype, "share", {
  configurable: true,
  value: function (data) {
    window.__shared.push(data);
    return Promise.reject(new DOMException("Share canceled", "AbortError"));
  },
});
"""


@pytest.fixture
def context(browser, live_server):
    """A phone-sized browser context allowed to use the clipboard on our server."""
    context = browser.new_context(viewport=PHONE)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    yield context
    context.close()


def status(page):
    """The share button's live region, where its confirmation appears."""
    region = page.locator(".share [role=status][aria-live=polite]")
    expect(region).to_have_count(1)
    return region


def open_article(context, live_server, init_script: str):
    """Open the article page with a script that runs before the page's own."""
    page = context.new_page()
    page.add_init_script(init_script)
    page.goto(f"{live_server}/articles/{SLUG}")
    return page


def test_without_web_share_the_button_copies_the_canonical_link(context, live_server):
    page = open_article(context, live_server, NO_SHARE)
    page.evaluate("navigator.clipboard.writeText('something else')")
    button = page.get_by_role("button", name="Copy link")
    expect(button).to_be_visible()
    button.click()
    expect(status(page)).to_have_text("Link copied.")
    assert page.evaluate("navigator.clipboard.readText()") == f"{live_server}/articles/{SLUG}"
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44


def test_with_web_share_the_button_opens_the_share_sheet(context, live_server):
    page = open_article(context, live_server, RECORD_SHARE)
    page.evaluate("navigator.clipboard.writeText('untouched')")
    page.get_by_role("button", name="Share this article").click()
    expect(status(page)).to_have_text("Thanks for sharing.")
    shared = page.evaluate("window.__shared")
    title = page.locator("h1").inner_text()
    assert shared == [{"title": title, "url": f"{live_server}/articles/{SLUG}"}]
    assert page.evaluate("navigator.clipboard.readText()") == "untouched"


def test_closing_the_share_sheet_says_nothing_and_copies_nothing(context, live_server):
    page = open_article(context, live_server, CANCEL_SHARE)
    page.evaluate("navigator.clipboard.writeText('untouched')")
    page.get_by_role("button", name="Share this article").click()
    page.wait_for_function("window.__shared.length === 1")
    page.wait_for_timeout(200)
    expect(status(page)).to_have_text("")
    assert page.evaluate("navigator.clipboard.readText()") == "untouched"


def test_without_javascript_there_is_no_dead_share_button(page_nojs, live_server):
    page_nojs.goto(f"{live_server}/articles/{SLUG}")
    expect(page_nojs.locator("[data-share-button]")).to_have_count(1)
    expect(page_nojs.locator("[data-share]")).to_be_hidden()
    expect(page_nojs.get_by_role("button", name="Copy link")).to_have_count(0)
    expect(page_nojs.get_by_role("button", name="Share this article")).to_have_count(0)
