"""Signing up in a real browser: with htmx (swapped in place), without JavaScript, and a wrong address;
then confirming from the emailed link (confirm.js confirms at once; without JavaScript, the button)."""

import re
import sqlite3
from email import message_from_bytes, policy

import pytest
from liveserver import start_server, wait_for
from playwright.sync_api import expect

from webapp.db.migrate import upgrade

SLUG = "gut-melatonin-sleep"


@pytest.fixture(scope="module")
def signup_server(tmp_path_factory):
    """A real gunicorn server with a migrated SQLite database, writing mail to instance/mail/ (no
    FLASK_MAIL_URL); yields (url, database path)."""
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


def confirmation_link(database, email: str) -> str:
    """The confirmation link of the email the server's background sender wrote for an address."""
    folder = database.parent / "mail"

    def written():
        for path in folder.glob("*.eml"):
            message = message_from_bytes(path.read_bytes(), policy=policy.default)
            if message["To"] == email:
                return message
        return None

    message = wait_for(written, 15)
    return re.search(r"http\S+/newsletter/confirm/\S+", message.get_body(("plain",)).get_content()).group(0)


def test_signing_up_with_htmx_swaps_the_form_for_check_your_inbox_in_place(page, signup_server):
    url, database = signup_server
    page.goto(f"{url}/articles/{SLUG}")
    form = page.locator("form.signup")
    expect(form.get_by_role("heading", name="Stay informed")).to_be_visible()
    expect(page.locator(".signup-hp")).not_to_be_in_viewport()  # the honeypot stays out of sight
    page.get_by_label("Your email address").fill("Browser.Reader@Example.COM")
    page.get_by_role("button", name="Sign up").click()
    thanks = page.locator("#newsletter[role=status]")
    expect(thanks).to_contain_text("Check your inbox")
    expect(page.locator("form.signup")).to_have_count(0)
    assert page.url == f"{url}/articles/{SLUG}"  # no navigation
    expect(thanks).to_be_focused()
    assert ("Browser.Reader@example.com", SLUG, "pending") in stored(database)


def test_without_javascript_the_form_posts_and_lands_on_the_check_your_inbox_page(page_nojs, signup_server):
    url, database = signup_server
    page_nojs.goto(f"{url}/articles/{SLUG}")
    page_nojs.get_by_label("Your email address").fill("no.script@example.com")
    page_nojs.get_by_role("button", name="Sign up").click()
    page_nojs.wait_for_url(f"{url}/newsletter/thanks?article={SLUG}")
    expect(page_nojs.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    expect(page_nojs.get_by_role("link", name="Back to")).to_have_attribute("href", f"/articles/{SLUG}")
    assert ("no.script@example.com", SLUG, "pending") in stored(database)


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


def test_with_javascript_opening_the_emailed_link_confirms_at_once(page, signup_server):
    url, database = signup_server
    page.goto(f"{url}/articles/{SLUG}")
    page.get_by_label("Your email address").fill("quick.confirm@example.com")
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator("#newsletter[role=status]")).to_contain_text("Check your inbox")
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(confirmation_link(database, "quick.confirm@example.com"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmed")
    expect(page.get_by_role("button", name="Confirm my subscription")).to_have_count(0)
    assert ("quick.confirm@example.com", SLUG, "confirmed") in stored(database)
    assert errors == []  # no CSP violation: our own script file, nothing inline


def test_without_javascript_the_link_confirms_nothing_until_the_button_is_pressed(page_nojs, signup_server):
    url, database = signup_server
    page_nojs.goto(f"{url}/articles/{SLUG}")
    page_nojs.get_by_label("Your email address").fill("careful.reader@example.com")
    page_nojs.get_by_role("button", name="Sign up").click()
    page_nojs.wait_for_url(f"{url}/newsletter/thanks?article={SLUG}")
    page_nojs.goto(confirmation_link(database, "careful.reader@example.com"))
    button = page_nojs.get_by_role("button", name="Confirm my subscription")
    expect(button).to_be_visible()
    assert ("careful.reader@example.com", SLUG, "pending") in stored(database)  # as for a mail scanner
    button.click()
    expect(page_nojs.get_by_role("heading", level=1)).to_have_text("Confirmed")
    assert ("careful.reader@example.com", SLUG, "confirmed") in stored(database)
