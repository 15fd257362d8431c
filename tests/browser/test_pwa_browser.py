"""The installable, offline app in real Chromium: installability, offline reading, deploys, retiring."""

import json
import os
import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from liveserver import CHROMIUM, CHROMIUM_ARGS, PHONE, ROOT, free_port, start_server, stop_server
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
READ = "gut-melatonin-sleep"  # the article the reader opens online
UNREAD = "gut-microbiome-vaccine-response"  # one never opened
SAVED_JS = """async () => {
  if (!navigator.serviceWorker.controller) return false;
  const hero = document.querySelector(".hero img");
  return !!(await caches.match(location.href, {ignoreVary: true})) && !!(await caches.match(hero.src));
}"""

PERSIST_SPY = """{
  const ask = StorageManager.prototype.persist;
  StorageManager.prototype.persist = function () {
    window.persistAsked = (window.persistAsked || 0) + 1;
    return ask.call(this);
  };
}"""


def eventually(page, script: str, timeout: float = 20) -> object:
    """Evaluate `script` (it may be async) until it is truthy; its value, or fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(script)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"never true: {script}")
        time.sleep(0.2)


def go_offline(context, page) -> None:
    """Cut the network and empty the HTTP cache, so whatever still loads came from the worker."""
    context.new_cdp_session(page).send("Network.clearBrowserCache")
    context.set_offline(True)


def cache_names(page) -> list[str]:
    """The names of this origin's caches."""
    return page.evaluate("caches.keys()")


def worker_version(url: str) -> str:
    """The VERSION the server's /sw.js declares."""
    script = urllib.request.urlopen(url + "/sw.js", timeout=5).read().decode()
    return json.loads(re.search(r"^const VERSION = (.+);$", script, re.M).group(1))


def open_saved_article(context, base: str):
    """A reader's first visit to an article, waiting until the worker has kept it."""
    page = context.new_page()
    page.goto(f"{base}/articles/{READ}")
    eventually(page, SAVED_JS)
    return page


def test_installable_with_no_errors_and_a_parsed_manifest(browser, live_server, tmp_path):
    # An incognito context always reports `in-incognito`: installability needs a real profile.
    context = browser.browser_type.launch_persistent_context(
        tmp_path / "profile",
        executable_path=CHROMIUM,
        headless=True,
        args=[*CHROMIUM_ARGS, "--bypass-app-banner-engagement-checks"],
        viewport=PHONE,
    )
    # Note each time the page asks for persistent storage (Chromium answers by its own heuristics).
    context.add_init_script(PERSIST_SPY)
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(live_server + "/")
        eventually(page, "navigator.serviceWorker.ready.then((r) => !!r.active)")
        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["url"] == live_server + "/manifest.webmanifest"
        assert manifest["errors"] == []
        assert json.loads(manifest["data"])["name"] == "Healthy Tips"
        deadline = time.monotonic() + 15
        while (errors := cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.3)  # icons still downloading
        assert errors == []
        # The browser offers installation, so the button shows; once installed it goes away.
        button = page.get_by_role("button", name="Install app")
        expect(button).to_be_visible()
        assert page.evaluate("window.persistAsked") is None
        page.evaluate("window.dispatchEvent(new Event('appinstalled'))")
        expect(button).to_be_hidden()
        # Installed: the app asks for persistent storage, so the browser keeps the reading cache.
        assert page.evaluate("window.persistAsked") == 1
    finally:
        context.close()


def test_install_button_stays_hidden_when_the_browser_offers_nothing(page, live_server):
    page.goto(live_server + "/")  # an incognito context: never installable, so never offered
    page.wait_for_timeout(500)
    expect(page.locator("[data-install-app]")).to_have_count(1)
    expect(page.locator("[data-install-app]")).to_be_hidden()


def test_a_visited_article_and_its_opened_answers_read_offline(sw_context, live_server):
    page = open_saved_article(sw_context, live_server)
    title = page.locator("h1").inner_text()
    page.locator("#faq-q-1").click()
    answer = page.locator("#faq-a-1 .faq-answer-body")
    expect(answer).to_be_visible()
    answer_text = answer.inner_text()

    go_offline(sw_context, page)
    response = page.reload()
    assert response.from_service_worker and response.status == 200
    expect(page.locator("h1")).to_have_text(title)
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "18px"  # stylesheet precached
    assert page.evaluate("document.querySelector('.hero img').naturalWidth") > 0  # its picture kept
    page.locator("#faq-q-1").click()
    expect(page.locator("#faq-a-1 .faq-answer-body")).to_have_text(answer_text)

    page.locator("#faq-q-2").click()  # never opened online
    expect(page.locator("#faq-a-2")).to_contain_text("This answer needs an internet connection")

    sw_context.set_offline(False)
    page.wait_for_function("navigator.onLine")
    page.locator("#faq-q-2").click()  # back online, asking again fetches the answer
    expect(page.locator("#faq-a-2 .faq-answer-body")).to_be_visible()
    expect(page.locator("#faq-a-2")).not_to_contain_text("needs an internet connection")


def test_an_unvisited_page_offline_shows_the_offline_page_listing_saved_articles(sw_context, live_server):
    page = open_saved_article(sw_context, live_server)
    title = page.locator("h1").inner_text()
    sw_context.set_offline(True)
    response = page.goto(f"{live_server}/articles/{UNREAD}")
    assert response.from_service_worker and response.status == 503
    expect(page.locator("h1")).to_have_text("No connection")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    saved = page.locator(".offline-list a")
    expect(saved).to_have_count(1)
    expect(saved).to_have_text(title)
    saved.click()
    expect(page.locator("h1")).to_have_text(title)
    assert page.url == f"{live_server}/articles/{READ}"


def test_offline_an_article_reads_whatever_query_a_link_adds(sw_context, live_server):
    page = open_saved_article(sw_context, live_server)
    title = page.locator("h1").inner_text()
    go_offline(sw_context, page)
    response = page.goto(f"{live_server}/articles/{READ}?from=newsletter")
    assert response.from_service_worker and response.status == 200
    expect(page.locator("h1")).to_have_text(title)


def test_the_offline_page_says_so_when_nothing_is_saved_yet(sw_context, live_server):
    page = sw_context.new_page()
    page.goto(live_server + "/")  # the home page only: no article opened
    eventually(page, "async () => !!(await caches.match(location.href, {ignoreVary: true}))")
    go_offline(sw_context, page)
    page.goto(f"{live_server}/articles/{UNREAD}")
    expect(page.locator("h1")).to_have_text("No connection")
    expect(page.locator(".offline-list li")).to_have_count(0)
    expect(page.get_by_text("You haven't opened any articles on this device yet")).to_be_visible()


def test_private_pages_are_never_served_by_the_worker(sw_context, live_server):
    page = open_saved_article(sw_context, live_server)
    sw_context.set_offline(True)
    # Search results too: a saved page for one query must never answer another.
    for path in ("/admin", "/newsletter/unsubscribe?token=abc", "/search?q=sleep"):
        with pytest.raises(PlaywrightError, match="ERR_INTERNET_DISCONNECTED"):
            page.goto(live_server + path)


def serve(port: int, instance: Path, env: dict) -> subprocess.Popen:
    """Start gunicorn on a given port (a deploy keeps the origin, so the worker sees it)."""
    args = ("--workers", "1", "--graceful-timeout", "2")
    return start_server(instance, env, port=port, args=args)[0]


def next_deploy(tmp_path: Path) -> dict:
    """Content and static folders for a new deploy: a retitled article and a changed stylesheet."""
    content = Path(os.environ.get("FLASK_CONTENT_DIR") or ROOT / "content")
    shutil.copytree(content, tmp_path / "content")
    shutil.copytree(ROOT / "static", tmp_path / "static")
    article = tmp_path / "content" / f"{READ}.md"
    text = article.read_text()
    article.write_text(re.sub(r'^title: "', 'title: "Updated: ', text, count=1, flags=re.M))
    with (tmp_path / "static" / "css" / "site.css").open("a") as css:
        css.write("\n.next-deploy { color: inherit; }\n")  # a real change: comments are minified away
    return {"FLASK_CONTENT_DIR": str(tmp_path / "content"), "FLASK_STATIC_DIR": str(tmp_path / "static")}


def test_a_deploy_replaces_the_worker_and_its_caches_then_retiring_removes_it(sw_context, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = serve(port, tmp_path / "one", {})
    try:
        page = open_saved_article(sw_context, base)
        first = worker_version(base)
        old_caches = cache_names(page)
        assert old_caches and all(name.endswith(first) for name in old_caches)
        old_title = page.locator("h1").inner_text()
    finally:
        stop_server(server)

    server = serve(port, tmp_path / "two", next_deploy(tmp_path / "deploy"))
    try:
        second = worker_version(base)
        assert second != first
        page.reload()  # the next visit: fresh content, and the browser finds the new worker
        expect(page.locator("h1")).to_have_text("Updated: " + old_title)
        page.evaluate("window.reading = true")
        # The new worker installs and waits; the page offers it, in a status message, and waits too.
        prompt = page.get_by_role("status").filter(has_text="A new version is ready")
        expect(prompt).to_be_visible()
        eventually(page, f"caches.keys().then((k) => k.some((n) => n.endsWith('{second}')))")
        page.wait_for_timeout(1000)
        assert page.evaluate("window.reading")  # nothing reloaded under the reader
        assert page.evaluate("navigator.serviceWorker.getRegistration().then((r) => !!r.waiting)")
        assert any(name.endswith(first) for name in cache_names(page))  # the old worker still in charge
        with page.expect_navigation():
            prompt.get_by_role("button", name="reload").click()  # the reader asks for it
        assert page.evaluate("window.reading") is None
        expect(page.locator("h1")).to_have_text("Updated: " + old_title)
        expect(prompt).to_be_hidden()
        eventually(page, f"caches.keys().then((k) => !k.some((n) => n.endsWith('{first}')))")
        assert set(cache_names(page)) == {name.replace(first, second) for name in old_caches}
        # What the reader saved came along, refreshed from the new deploy.
        go_offline(sw_context, page)
        page.reload()
        expect(page.locator("h1")).to_have_text("Updated: " + old_title)
        assert page.evaluate("getComputedStyle(document.body).fontSize") == "18px"
        page.locator(".hero img").evaluate("(img) => img.decode()")
        assert page.evaluate("document.querySelector('.hero img').naturalWidth") > 0
        sw_context.set_offline(False)
    finally:
        stop_server(server)

    server = serve(port, tmp_path / "three", {"FLASK_SW_RETIRE": "1"})
    try:
        page.reload()  # the retiring worker replaces ours, deletes the caches and unregisters
        eventually(page, "navigator.serviceWorker.getRegistrations().then((r) => r.length === 0)")
        eventually(page, "caches.keys().then((k) => k.length === 0)")
        page.reload()
        assert page.evaluate("navigator.serviceWorker.controller") is None
        sw_context.set_offline(True)  # no worker answers now: a page never opened fails as without one
        with pytest.raises(PlaywrightError, match="ERR_INTERNET_DISCONNECTED"):
            page.goto(f"{base}/articles/{UNREAD}")
    finally:
        stop_server(server)
