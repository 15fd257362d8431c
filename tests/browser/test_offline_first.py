"""Offline first in real Chromium with the service worker: signups made offline are kept and sent once,
a read article's related articles are there before the reader opens them, the reading cache stays
bounded and the offline page's filter finds what is saved."""

import json
import re
import sqlite3
import time
import urllib.parse
import urllib.request

import pytest
from liveserver import CHROMIUM, CHROMIUM_ARGS, PHONE, start_server, stop_server, wait_for
from playwright.sync_api import expect
from test_pwa_browser import READ, SAVED_JS, eventually, go_offline, open_saved_article

from webapp.db.migrate import upgrade

pytestmark = pytest.mark.browser
SIGNUP_PATH = "/newsletter/signup"
QUEUED = "#newsletter[data-signup-queued]"
CACHED_JS = "async (url) => !!(await caches.match(url, {ignoreVary: true}))"
RELATED_JS = "[...document.querySelectorAll('[data-carousel] a')].map((a) => a.href)"


@pytest.fixture(scope="module")
def signup_server(tmp_path_factory):
    """A real server with a migrated SQLite database and its log; yields (url, database, log path)."""
    instance = tmp_path_factory.mktemp("offline-signups")
    database = instance / "healthytips.sqlite3"
    upgrade(f"sqlite:///{database}")
    log = instance / "server.log"
    with log.open("w") as stderr:
        process, url = start_server(instance, {"FLASK_SIGNUP_RATE_LIMIT": "1000 per minute"}, stderr=stderr)
    yield url, database, log
    stop_server(process)


def stored(database, email: str) -> list[tuple]:
    """The signup rows for one address."""
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT id FROM signups WHERE email = ?", (email,)).fetchall()


def signup_posts(log) -> int:
    """How many signup POSTs the server has answered (its request log: one JSON line per request)."""
    lines = (json.loads(line) for line in log.read_text().splitlines() if line.startswith("{"))
    return sum(1 for line in lines if line.get("method") == "POST" and line.get("path") == SIGNUP_PATH)


def server_answer(url: str, email: str, slug: str) -> str:
    """The heading the server answers an htmx signup of `email` with (a repeat gets the same answer)."""
    article = urllib.request.urlopen(f"{url}/articles/{slug}", timeout=10).read().decode()
    consent = re.search(r'name="consent_version" value="([^"]*)"', article).group(1)
    body = urllib.parse.urlencode(
        {"email": email, "article": slug, "consent_version": consent, "website": ""}
    )
    request = urllib.request.Request(url + SIGNUP_PATH, body.encode(), {"HX-Request": "true"})
    html = urllib.request.urlopen(request, timeout=10).read().decode()
    return re.sub(r"\s+", " ", re.search(r"<h2>(.*?)</h2>", html, re.S).group(1)).strip()


def launch(browser, profile):
    """The reader's browser on its own profile folder: closing and launching again is a restart."""
    return browser.browser_type.launch_persistent_context(
        profile,
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
        viewport=PHONE,
        service_workers="allow",
    )


def without_background_sync(context, page, url: str) -> None:
    """Refuse Background Sync to the site, as a browser without it (or with it switched off) does."""
    permission = {"permission": {"name": "background-sync"}, "setting": "denied", "origin": url}
    context.new_cdp_session(page).send("Browser.setPermission", permission)


def open_article(context, url: str):
    """The reader opens an article; the page, once the worker has kept it."""
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(f"{url}/articles/{READ}")
    eventually(page, SAVED_JS)
    return page


def submit_offline(context, page, email: str) -> None:
    """Cut the connection and send the signup form; the reader is told it is kept."""
    context.set_offline(True)
    page.get_by_label("Your email address").fill(email)
    page.get_by_role("button", name="Sign up").click()
    queued = page.locator(QUEUED)
    expect(queued).to_contain_text("You're offline: your signup is saved")
    expect(queued).to_contain_text("will be sent as soon as you're back online")
    expect(queued).to_have_attribute("role", "status")


def expect_answer_shown(page, url: str, email: str, where: str = "main") -> None:
    """The server's own answer to the signup, in the form's place (or the "kept" notice's), or at the
    top of a page without the form (`where`: the app's status message)."""
    answer = page.locator(f"{where} #newsletter.signup-done")
    expect(answer).to_be_visible()
    expect(page.locator(QUEUED)).to_have_count(0)
    expect(answer.locator("h2")).to_have_text(server_answer(url, email, READ))


def test_a_signup_made_offline_is_sent_once_by_background_sync_after_a_browser_restart(
    browser, signup_server, tmp_path
):
    url, database, log = signup_server
    email = "kept.offline@example.com"
    posts = signup_posts(log)
    context = launch(browser, tmp_path / "profile")
    page = open_article(context, url)
    submit_offline(context, page, email)
    assert stored(database, email) == [] and signup_posts(log) == posts
    context.close()  # the reader closes the browser while still offline

    context = launch(browser, tmp_path / "profile")  # ... and opens it again with a connection
    try:
        # No page of ours is open: the browser's Background Sync wakes the worker, which sends it.
        wait_for(lambda: stored(database, email), seconds=30)
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(f"{url}/articles/{READ}")
        assert len(stored(database, email)) == 1 and signup_posts(log) == posts + 1
        expect_answer_shown(page, url, email)  # shown on the next page the reader opens
        page.reload()
        expect(page.locator("form.signup")).to_be_visible()  # shown once, then the form is back
        assert signup_posts(log) == posts + 2  # the one server_answer() made, no other
    finally:
        context.close()


def test_without_background_sync_an_offline_signup_is_sent_once_on_the_next_page_load(
    browser, signup_server, tmp_path
):
    url, database, log = signup_server
    email = "no.sync@example.com"
    posts = signup_posts(log)
    context = launch(browser, tmp_path / "profile")
    page = open_article(context, url)
    without_background_sync(context, page, url)
    submit_offline(context, page, email)
    context.close()

    context = launch(browser, tmp_path / "profile")
    try:
        page = context.pages[0] if context.pages else context.new_page()
        time.sleep(3)  # without Background Sync nothing is sent until one of our pages opens
        assert stored(database, email) == [] and signup_posts(log) == posts
        page.goto(url + "/")  # a page without the signup form
        expect_answer_shown(page, url, email, where=".app-status[role=status]")
        assert len(stored(database, email)) == 1 and signup_posts(log) == posts + 2
    finally:
        context.close()


def test_without_background_sync_coming_back_online_sends_it_and_shows_the_answer_in_place(
    browser, signup_server, tmp_path
):
    url, database, log = signup_server
    email = "back.online@example.com"
    posts = signup_posts(log)
    context = launch(browser, tmp_path / "profile")
    try:
        page = open_article(context, url)
        without_background_sync(context, page, url)
        submit_offline(context, page, email)
        page.evaluate("window.sameDocument = true")
        context.set_offline(False)  # the `online` event: the page asks the worker to send it
        expect_answer_shown(page, url, email)
        assert page.evaluate("window.sameDocument")  # answered in place, no reload
        assert len(stored(database, email)) == 1 and signup_posts(log) == posts + 2
    finally:
        context.close()


def scroll_past_the_middle(page) -> None:
    """Read the article: scroll down past its middle, as a reader does."""
    for _ in range(12):
        page.mouse.wheel(0, 600)
        page.wait_for_timeout(50)


def test_related_articles_of_a_read_article_open_offline_with_their_answers(sw_context, live_server):
    page = open_saved_article(sw_context, live_server)
    related = page.evaluate(RELATED_JS)
    assert len(related) >= 2
    assert not any(page.evaluate(CACHED_JS, link) for link in related)  # nothing fetched ahead yet
    scroll_past_the_middle(page)
    for link in related:
        eventually(page, f"async () => ({CACHED_JS})({json.dumps(link)})")

    first = sw_context.new_page()
    first.goto(related[0])  # find how many answers it has and the answer the reader will open
    answers = first.locator(".faq-answer")
    expect(answers.first).to_be_attached()
    count = answers.count()
    last_answer = f"new URL({json.dumps(related[0])}).pathname + '/faq/{count}'"
    eventually(first, f"async () => ({CACHED_JS})({last_answer})")
    first.close()

    go_offline(sw_context, page)
    response = page.goto(related[-1])
    assert response.from_service_worker and response.status == 200
    expect(page.locator("h1")).not_to_have_text("No connection")
    page.locator(".hero img").evaluate("(img) => img.decode()")  # its picture came too
    page.locator("#faq-q-1").click()
    expect(page.locator("#faq-a-1 .faq-answer-body")).to_be_visible()
    expect(page.locator("#faq-a-1")).not_to_contain_text("needs an internet connection")


def test_nothing_is_prefetched_when_the_browser_asks_to_save_data(sw_context, live_server):
    page = sw_context.new_page()
    sw_context.new_cdp_session(page).send("Emulation.setDataSaverOverride", {"dataSaverEnabled": True})
    page.goto(f"{live_server}/articles/{READ}")
    eventually(page, SAVED_JS)
    assert page.evaluate("navigator.connection.saveData")
    related = page.evaluate(RELATED_JS)
    scroll_past_the_middle(page)
    page.wait_for_timeout(3000)  # longer than fetching them takes when data is not saved
    assert not any(page.evaluate(CACHED_JS, link) for link in related)


@pytest.fixture
def small_cache_server(tmp_path):
    """A server whose reading cache keeps two articles."""
    process, url = start_server(tmp_path / "instance", {"FLASK_READING_CACHE_ARTICLES": "2"})
    yield url
    stop_server(process)


def test_the_reading_cache_drops_the_least_read_and_the_offline_page_filters(sw_context, small_cache_server):
    base = small_cache_server
    page = sw_context.new_page()
    page.goto(base + "/")
    eventually(page, "!!navigator.serviceWorker.controller")  # the worker is in charge from now on
    slugs = [re.search(r"/articles/([^/]+)$", href).group(1) for href in page.evaluate(
        "[...document.querySelectorAll('.card-title a')].map((a) => a.href)")][:3]  # fmt: skip
    titles = {}
    for slug in slugs:
        page.goto(f"{base}/articles/{slug}")
        eventually(page, SAVED_JS)
        titles[slug] = page.locator("h1").inner_text()
        if slug == slugs[0]:
            pictures = page.evaluate("[...document.querySelectorAll('.gallery img')].map((img) => img.src)")
            for picture in pictures:  # kept with the page (they load lazily, so the worker fetched them)
                eventually(page, f"async () => ({CACHED_JS})({json.dumps(picture)})")
    oldest, older, newest = slugs
    eventually(page, f"async () => !(await ({CACHED_JS})('{base}/articles/{oldest}'))")
    for picture in pictures:  # its own pictures went with it
        eventually(page, f"async () => !(await ({CACHED_JS})({json.dumps(picture)}))")

    go_offline(sw_context, page)
    response = page.goto(f"{base}/articles/{oldest}")
    assert response.status == 503
    expect(page.locator("h1")).to_have_text("No connection")
    saved = page.locator(".offline-list a")
    expect(saved).to_have_text([titles[newest], titles[older]])  # most recently read first

    word = next(w for w in titles[older].split() if w.lower() not in titles[newest].lower())
    search = page.get_by_label("Find a saved article")
    search.fill(word.upper())
    expect(page.locator(".offline-list a:visible")).to_have_text([titles[older]])
    search.fill("no such words anywhere")
    expect(page.locator(".offline-list a:visible")).to_have_count(0)
    expect(page.get_by_text("No saved article matches that.")).to_be_visible()
    search.fill("")
    expect(page.locator(".offline-list a:visible")).to_have_count(2)
    search.fill(word)
    page.locator(".offline-list a:visible").click()
    expect(page.locator("h1")).to_have_text(titles[older])  # read offline
