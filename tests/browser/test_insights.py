"""Article insights in real Chromium against the production server: reading an article, opening two
answers and reaching the signup form are each counted once, a signup carries the questions opened, a
reader with Global Privacy Control is not counted at all, and no cookie, storage or other origin is used."""

import os
import sqlite3
import subprocess
import sys

import pytest
from liveserver import start_server, stop_server, wait_for
from playwright.sync_api import expect
from test_accessibility import axe_violations, console_errors

from webapp.db.migrate import upgrade

# Headless Chromium says "HeadlessChrome", which is on the crawler list: readers' browsers do not.
READER = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)
MARKETER, PASSWORD = "marketer@example.com", "a long enough passphrase"
GPC = "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true });"


@pytest.fixture(scope="module")
def insights_server(tmp_path_factory):
    """A real gunicorn server with a migrated SQLite database; yields (url, database path)."""
    instance = tmp_path_factory.mktemp("insights-instance")
    database = instance / "healthytips.sqlite3"
    upgrade(f"sqlite:///{database}")
    env = {"FLASK_INSIGHTS_RATE_LIMIT": "1000 per minute", "FLASK_SIGNUP_RATE_LIMIT": "1000 per minute"}
    environment = {**os.environ, "FLASK_INSTANCE_PATH": str(instance)}
    create = ["users", "create", MARKETER, "--password", PASSWORD]
    subprocess.run([sys.executable, "-m", "flask", "--app", "app", *create], env=environment, check=True)
    process, url = start_server(instance, env)
    yield url, database
    stop_server(process)


def sources(database) -> dict:
    """Views by source: (kind, value) -> views."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT kind, value, sum(views) FROM insight_source_days GROUP BY kind, value"
        )
        return {(kind, value): views for kind, value, views in rows}


def counted(database) -> dict:
    """Every non-zero counter: (table, article or kind, question or value, column) -> value."""
    found = {}
    with sqlite3.connect(database) as connection:
        for table, keys in (
            ("insight_days", ("article_slug",)),
            ("insight_faq_days", ("article_slug", "question")),
        ):
            cursor = connection.execute(f"SELECT * FROM {table}")
            names = [column[0] for column in cursor.description]
            for row in cursor:
                values = dict(zip(names, row, strict=True))
                for name, value in values.items():
                    if name not in ("day", *keys) and value:
                        found[(table, *(values[key] for key in keys), name)] = value
    return found


@pytest.fixture
def reader(browser, insights_server):
    """A phone-sized tab with a reader's user agent, recording every request it makes."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, user_agent=READER)
    page = context.new_page()
    page.requests = []
    page.on("request", lambda request: page.requests.append(request))
    yield page
    context.close()


def read_the_article(page, url: str, slug: str) -> None:
    """Land on the article from a newsletter link, read to the end of the body, open the first two
    answers, scroll to the form."""
    page.goto(f"{url}/articles/{slug}?utm_source=weekly&utm_medium=email", wait_until="load")
    page.locator("#key-insights").scroll_into_view_if_needed()
    for number in (1, 2):
        button = page.locator(f"#faq-q-{number}")
        button.click()
        expect(page.locator(f"#faq-a-{number}")).to_be_visible()
    page.locator("#faq-q-1").click()  # closing and opening again is still one opening
    page.locator("#faq-q-1").click()
    page.locator("#newsletter").scroll_into_view_if_needed()


def test_reading_opening_two_answers_and_reaching_the_form_are_each_counted_once(reader, insights_server):
    url, database = insights_server
    slug = "gut-melatonin-sleep"
    before, sources_before = counted(database), sources(database)
    read_the_article(reader, url, slug)
    expected = {
        ("insight_days", slug, "views"): 1,
        ("insight_days", slug, "reads"): 1,
        ("insight_days", slug, "cta_views"): 1,
        ("insight_days", slug, "faq_readers"): 1,
        ("insight_faq_days", slug, 1, "opens"): 1,
        ("insight_faq_days", slug, 2, "opens"): 1,
    }

    def added() -> dict:
        now = counted(database)
        return {
            key: now.get(key, 0) - before.get(key, 0)
            for key in set(now) | set(before)
            if now.get(key, 0) != before.get(key, 0)
        }  # noqa: E501

    wait_for(lambda: added() == expected)
    reader.wait_for_timeout(1500)  # nothing more arrives later
    assert added() == expected
    tagged = {key: sources(database).get(key, 0) - sources_before.get(key, 0) for key in sources(database)}
    assert {key: value for key, value in tagged.items() if value} == {
        ("utm_source", "weekly"): 1,
        ("utm_medium", "email"): 1,
    }

    reader.get_by_label("Your email address").fill("curious.reader@example.com")
    reader.get_by_role("button", name="Sign up").click()
    expect(reader.locator("#newsletter[role=status]")).to_be_visible()
    wait_for(lambda: added().get(("insight_days", slug, "signups")) == 1)
    assert added()[("insight_days", slug, "signups_after_faq")] == 1
    assert (
        added()[("insight_faq_days", slug, 1, "signups")] == 1
        and added()[("insight_faq_days", slug, 2, "signups")] == 1
    )

    assert reader.context.cookies() == []
    assert reader.evaluate("localStorage.length + sessionStorage.length") == 0
    assert all(request.url.startswith(url + "/") for request in reader.requests), [
        r.url for r in reader.requests
    ]
    beacons = [r for r in reader.requests if r.url == f"{url}/insights/events"]  # view, read, 2 answers, form
    assert len(beacons) == 5 and all(
        r.method == "POST" and r.headers["content-type"] == "application/json" for r in beacons
    )


def test_with_global_privacy_control_nothing_is_sent_or_counted(browser, insights_server):
    url, database = insights_server
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, user_agent=READER, extra_http_headers={"Sec-GPC": "1"}
    )
    context.add_init_script(GPC)
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    try:
        before = counted(database)
        read_the_article(page, url, "fiber-and-gut-health")
        page.get_by_label("Your email address").fill("private.reader@example.com")
        page.get_by_role("button", name="Sign up").click()
        expect(page.locator("#newsletter[role=status]")).to_be_visible()
        page.wait_for_timeout(1500)
        assert counted(database) == before
        assert not [request for request in requests if "/insights/" in request]
        assert context.cookies() == []
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_articles_view_passes_axe_and_runs_under_the_csp(browser, insights_server, scheme):
    url, _ = insights_server
    context = browser.new_context(viewport={"width": 1024, "height": 800}, color_scheme=scheme)
    page = context.new_page()
    errors = console_errors(page)
    try:
        page.goto(f"{url}/admin/login")
        page.get_by_label("Email address").fill(MARKETER)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{url}/admin/")
        page.get_by_role("link", name="Articles: views, reads and signups per article").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Articles")
        problems = axe_violations(page)
        page.get_by_role("link", name="Signups per 100 views").click()  # sorting, without JavaScript's help
        expect(page.locator("th[aria-sort]")).to_contain_text("Signups per 100 views")
        page.locator("tr[data-article] th a").first.click()
        expect(page.get_by_role("heading", name="Questions by opens")).to_be_visible()
        problems += axe_violations(page)
        assert problems == [] and errors == []
    finally:
        context.close()
