"""Signing up in a real browser: with htmx (swapped in place), without JavaScript, and a wrong address."""

import sqlite3

import pytest
from liveserver import start_server
from playwright.sync_api import expect

from webapp.db.migrate import upgrade

SLUG = "gut-melatonin-sleep"


@pytest.fixture(scope="module")
def signup_server(tmp_path_factory):
    """A real gunicorn server with a migrated SQLite database; yields (url, database path)."""
    instance = tmp_path_factory.mktemp("signup-instance")
    database = instance / "healthytips.sqlite3"
    upgrade(f"sqlite:///{database}")
    process, url = start_server(instance, {"FLASK_SIGNUP_RATE_LIMIT": "1000 per minute"})
    yield url, database
    process.terminate()
    process.wait(timeout=10)


def stored(database) -> list[tuple[str, str, str]]:
    """(email, article, status) of every stored signup."""
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT email, article_slug, status FROM signups ORDER BY id").fetchall()


def test_signing_up_with_htmx_swaps_the_form_for_a_thank_you_in_place(page, signup_server):
    url, database = signup_server
    page.goto(f"{url}/articles/{SLUG}")
    form = page.locator("form.signup")
    expect(form.get_by_role("heading", name="Stay informed")).to_be_visible()
    expect(page.locator(".signup-hp")).not_to_be_in_viewport()  # the honeypot stays out of sight
    page.get_by_label("Your email address").fill("Browser.Reader@Example.COM")
    page.get_by_role("button", name="Sign up").click()
    thanks = page.locator("#newsletter[role=status]")
    expect(thanks).to_contain_text("Thank you for signing up")
    expect(page.locator("form.signup")).to_have_count(0)
    assert page.url == f"{url}/articles/{SLUG}"  # no navigation
    expect(thanks).to_be_focused()
    assert ("Browser.Reader@example.com", SLUG, "subscribed") in stored(database)


def test_without_javascript_the_form_posts_and_lands_on_the_thank_you_page(page_nojs, signup_server):
    url, database = signup_server
    page_nojs.goto(f"{url}/articles/{SLUG}")
    page_nojs.get_by_label("Your email address").fill("no.script@example.com")
    page_nojs.get_by_role("button", name="Sign up").click()
    page_nojs.wait_for_url(f"{url}/newsletter/thanks?article={SLUG}")
    expect(page_nojs.get_by_role("heading", level=1)).to_have_text("Thank you for signing up")
    expect(page_nojs.get_by_role("link", name="Back to")).to_have_attribute("href", f"/articles/{SLUG}")
    assert ("no.script@example.com", SLUG, "subscribed") in stored(database)


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_a_wrong_address_is_explained_next_to_the_field(request, signup_server, javascript):
    url, database = signup_server
    tab = request.getfixturevalue("page" if javascript else "page_nojs")
    before = stored(database)
    tab.goto(f"{url}/articles/{SLUG}")
    field = tab.get_by_label("Your email address")
    field.fill("reader@@example")
    tab.get_by_role("button", name="Sign up").click()
    field = tab.locator("#signup-email")
    expect(field).to_have_attribute("aria-invalid", "true")
    message_id = field.get_attribute("aria-describedby")
    message = tab.locator(f"#{message_id}")
    expect(message).to_have_text("Enter a valid email address, like name@example.com.")
    expect(message).to_have_attribute("role", "alert")
    expect(field).to_have_value("reader@@example")
    expect(field).to_be_focused()
    if javascript:
        assert tab.url == f"{url}/articles/{SLUG}"
    assert stored(database) == before
