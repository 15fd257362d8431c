"""Search in real Chromium against the real server: live results as the reader types, Back, no-JS, keyboard,
a 320 px screen, and axe on the results page."""

import pytest
from liveserver import start_server, stop_server
from playwright.sync_api import Page, expect
from search_library import write_library
from test_accessibility import axe_violations, console_errors, settle

NARROW = {"width": 320, "height": 640}


@pytest.fixture(scope="module")
def search_server(tmp_path_factory):
    """A real gunicorn server (two workers) serving the search test library."""
    content = write_library(tmp_path_factory.mktemp("content"))
    process, url = start_server(tmp_path_factory.mktemp("instance"), env={"FLASK_CONTENT_DIR": str(content)})
    yield url
    stop_server(process)


def results(page: Page):
    """The result titles on the page."""
    return page.locator(".search-hit h2 a")


def test_typing_shows_results_without_loading_a_page(page, search_server):
    errors = console_errors(page)
    page.goto(search_server + "/")
    page.evaluate("() => { window.samePage = true; }")
    page.locator("#q").press_sequentially("magnes", delay=40)
    expect(results(page)).to_have_count(4)
    expect(results(page).first).to_have_text("Magnesium, plainly")
    expect(page).to_have_url(search_server + "/search?q=magnes")
    expect(page).to_have_title("magnes: search results · Healthy Tips")
    expect(page.locator("#search-status")).to_have_text("4 articles match “magnes”.")
    assert page.evaluate("() => window.samePage") is True  # htmx swapped the results in
    expect(page.locator("#q")).to_be_focused()
    assert errors == []


def test_back_returns_to_the_previous_query(page, search_server):
    page.goto(search_server + "/")
    box = page.locator("#q")
    box.fill("zinc")
    expect(page).to_have_url(search_server + "/search?q=zinc")
    expect(results(page)).to_have_count(1)
    box.fill("magnesium")
    expect(page).to_have_url(search_server + "/search?q=magnesium")
    expect(results(page)).to_have_count(4)
    page.go_back()
    expect(page).to_have_url(search_server + "/search?q=zinc")
    expect(page.locator("h1")).to_have_text("Results for “zinc”")
    expect(results(page)).to_have_count(1)
    expect(page.locator("#q")).to_have_value("zinc")
    page.go_back()
    expect(page).to_have_url(search_server + "/")
    expect(page.locator(".card").first).to_be_visible()


def test_the_form_works_without_javascript(page_nojs, search_server):
    page = page_nojs
    page.goto(search_server + "/")
    page.locator("#q").fill("melatonim")
    page.locator("#q").press("Enter")
    expect(page).to_have_url(search_server + "/search?q=melatonim")
    expect(page.locator(".search-count")).to_have_text("No articles match “melatonim”.")
    page.get_by_role("link", name="melatonin", exact=True).click()
    expect(page).to_have_url(search_server + "/search?q=melatonin")
    expect(results(page)).to_have_count(1)
    results(page).first.click()
    expect(page).to_have_url(search_server + "/articles/melatonin")


def test_keyboard_only(page, search_server):
    page.goto(search_server + "/")
    for _ in range(8):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "q":
            break
    expect(page.locator("#q")).to_be_focused()
    page.keyboard.type("zinc")
    page.keyboard.press("Enter")
    expect(results(page)).to_have_count(1)
    expect(page).to_have_url(search_server + "/search?q=zinc")
    page.keyboard.press("Tab")  # the Search button
    page.keyboard.press("Tab")  # the first result
    expect(results(page).first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(search_server + "/articles/escaping#zinc-in-the-shop")


def test_usable_on_a_320_px_screen(browser, search_server):
    context = browser.new_context(viewport=NARROW)
    page = context.new_page()
    try:
        page.goto(search_server + "/search?q=magnesium")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= NARROW["width"]
        for target in ("#q", ".site-search button", ".search-hit h2 a"):
            box = page.locator(target).first.bounding_box()
            assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= NARROW["width"], (
                target
            )
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_on_results_no_results_and_live_results(browser, search_server, scheme):
    context = browser.new_context(viewport={"width": 360, "height": 740}, color_scheme=scheme)
    page = context.new_page()
    errors = console_errors(page)
    try:
        problems = []
        for q in ("magnesium", "melatonim", ""):
            page.goto(search_server + f"/search?q={q}")
            settle(page)
            problems += axe_violations(page)
        page.goto(search_server + "/")
        page.locator("#q").fill("zinc")
        expect(results(page)).to_have_count(1)
        settle(page)
        problems += axe_violations(page)
        assert problems + errors == []
    finally:
        context.close()
