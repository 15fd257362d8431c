"""The article page in a real browser: FAQ accordion, carousel, layout on a phone."""

import re
import time

from playwright.sync_api import expect

SLUG = "gut-melatonin-sleep"


def wait_until(read, predicate, timeout: float = 5.0):
    """Poll a value read from the page until the predicate holds (no string eval: strict CSP)."""
    deadline = time.monotonic() + timeout
    value = read()
    while not predicate(value):
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting; last value {value!r}")
        time.sleep(0.05)
        value = read()
    return value


def faq_requests(page) -> list[str]:
    """Start recording requests for FAQ fragments; the list fills as the page runs."""
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url) if "/faq/" in r.url else None)
    return seen


def test_faq_opens_with_one_request_and_toggles_without_more(page, live_server):
    seen = faq_requests(page)
    page.goto(f"{live_server}/articles/{SLUG}")
    button = page.locator("#faq-q-1")
    answer = page.locator("#faq-a-1")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(answer).to_be_hidden()
    button.click()
    expect(answer.locator(".faq-answer-body")).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "true")
    assert page.url == f"{live_server}/articles/{SLUG}"  # swapped in place, no navigation
    button.click()
    expect(answer).to_be_hidden()
    expect(button).to_have_attribute("aria-expanded", "false")
    button.click()
    expect(answer).to_be_visible()
    page.wait_for_timeout(300)
    assert seen == [f"{live_server}/articles/{SLUG}/faq/1"]


def test_faq_works_by_keyboard(page, live_server):
    seen = faq_requests(page)
    page.goto(f"{live_server}/articles/{SLUG}")
    button = page.locator("#faq-q-2")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#faq-a-2 .faq-answer-body")).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Space")
    expect(page.locator("#faq-a-2")).to_be_hidden()
    page.keyboard.press("Space")
    expect(page.locator("#faq-a-2")).to_be_visible()
    assert button.evaluate("el => el === document.activeElement")
    page.wait_for_timeout(300)
    assert seen == [f"{live_server}/articles/{SLUG}/faq/2"]


def test_faq_without_javascript_reaches_the_answer(page_nojs, live_server):
    page = page_nojs
    page.goto(f"{live_server}/articles/{SLUG}")
    page.locator("#faq-q-3").click()
    page.wait_for_url(re.compile(rf"/articles/{SLUG}/faq/3"))
    expect(page.locator("#faq-a-3 .faq-answer-body")).to_be_visible()
    expect(page.locator("#faq-q-3")).to_have_attribute("aria-expanded", "true")
    page.locator("#faq-q-3").press("Enter")
    page.wait_for_url(re.compile(rf"/articles/{SLUG}\??#faq-3$"))
    expect(page.locator("#faq-a-3")).to_be_hidden()


def test_carousel_buttons_scroll_the_related_row(page, live_server):
    page.goto(f"{live_server}/articles/{SLUG}")
    track = page.locator("#related-track")
    cards = track.locator(".carousel-item")
    if cards.count() < 2:
        raise AssertionError("the carousel needs at least two related articles to test")
    prev, nxt = page.locator("[data-carousel-prev]"), page.locator("[data-carousel-next]")
    expect(prev).to_be_visible()
    expect(prev).to_be_disabled()
    nxt.focus()
    page.keyboard.press("Enter")

    def scroll_left():
        return track.evaluate("el => el.scrollLeft")

    wait_until(scroll_left, lambda left: left > 50)
    page.wait_for_timeout(700)  # let the smooth scroll settle
    card_width = cards.first.bounding_box()["width"]
    assert card_width * 0.9 <= scroll_left() <= card_width + 40  # one card, not a page
    expect(prev).to_be_enabled()
    prev.click()
    wait_until(scroll_left, lambda left: left < 2)


def test_carousel_without_javascript_is_plain_links(page_nojs, live_server):
    page = page_nojs
    page.goto(f"{live_server}/articles/{SLUG}")
    links = page.locator("#related-track a")
    assert links.count() >= 2
    expect(page.locator(".carousel-buttons")).to_be_hidden()
    href = links.first.get_attribute("href")
    links.first.click()
    page.wait_for_url(f"{live_server}{href}")


def test_no_horizontal_overflow_on_a_phone(page, live_server):
    for path in ["/", f"/articles/{SLUG}", "/tags/sleep", "/no-such-page"]:
        page.goto(live_server + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 360px wide"
