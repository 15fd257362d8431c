"""The article history in a real browser: reachable, visible, and no sideways scroll on a 320 px phone."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from webapp.articles.loader import load_articles

NARROW = {"width": 320, "height": 640}
CONTENT = Path(__file__).resolve().parents[2] / "content"
SLUGS = sorted(path.stem for path in CONTENT.glob("*.md") if path.name != "README.md")


def newest_note(slug: str) -> str:
    """The newest history note of a shipped article, as its file says."""
    articles, _ = load_articles(CONTENT, CONTENT.parent / "static")
    return next(a for a in articles if a.slug == slug).changes[0].note


@pytest.fixture
def narrow_page(browser):
    """A 320 px wide page, the narrowest phone we design for."""
    context = browser.new_context(viewport=NARROW)
    page = context.new_page()
    yield page
    context.close()


def test_history_is_reached_from_the_contents_and_fits_a_320px_phone(narrow_page, live_server):
    page = narrow_page
    page.goto(f"{live_server}/articles/gut-melatonin-sleep")
    page.locator("nav.toc a[href='#article-history']").click()
    history = page.locator("#article-history")
    expect(history).to_be_in_viewport()
    expect(history.get_by_role("heading", name="Article history")).to_be_visible()
    first = history.locator("li").first
    expect(first.locator("time")).to_have_attribute("datetime", "2026-12-02")
    expect(first.locator("time")).to_have_text("December 2, 2026")
    expect(first).to_contain_text(newest_note("gut-melatonin-sleep"))
    box = history.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= NARROW["width"]


@pytest.mark.parametrize("slug", SLUGS)
def test_no_article_scrolls_sideways_at_320px(narrow_page, live_server, slug):
    page = narrow_page
    page.goto(f"{live_server}/articles/{slug}")
    expect(page.locator("#article-history li").first).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"/articles/{slug} scrolls sideways by {overflow}px at 320px wide"
