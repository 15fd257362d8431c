"""Marketers erase a subscriber (CSRF and a confirmation step) and see the mail state on the dashboard."""

import re

import pytest
from marketers import csrf

from webapp.db.engine import writing
from webapp.db.schema import outbox
from webapp.newsletter import events
from webapp.newsletter import store as signups
from webapp.newsletter.consent import CURRENT


@pytest.fixture
def client(marketer):
    """A signed-in marketer's client, on an empty database."""
    return marketer


def test_erasing_asks_to_confirm_then_removes_the_address_and_its_history(shared_app, client):
    with shared_app.app_context():
        signups.add_signup("Forget.Me@example.com", CURRENT, article_slug="sleep")
        signup_id = signups.find("forget.me@example.com").id
    page = client.get("/admin/erase")
    assert page.status_code == 200 and 'name="email"' in page.get_data(as_text=True)
    token = csrf(client, "/admin/erase")
    assert (
        client.post("/admin/erase", data={"email": "Forget.Me@example.com", "confirm": "yes"}).status_code
        == 400
    )
    bad = client.post("/admin/erase", data={"email": "not an address", "csrf_token": token})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.get_data(as_text=True)
    unknown = client.post("/admin/erase", data={"email": "nobody@example.com", "csrf_token": token})
    assert unknown.status_code == 404 and "No signup has that address" in unknown.get_data(as_text=True)
    ask = client.post("/admin/erase", data={"email": "Forget.Me@example.com", "csrf_token": token})
    html = ask.get_data(as_text=True)
    assert ask.status_code == 200 and "cannot be undone" in html and 'name="confirm" value="yes"' in html
    with shared_app.app_context():
        assert signups.find("forget.me@example.com") is not None  # nothing erased before the confirmation
    done = client.post(
        "/admin/erase", data={"email": "Forget.Me@example.com", "confirm": "yes", "csrf_token": token}
    )
    assert done.status_code == 303 and done.headers["Location"] == "/admin/erased"
    assert "Only an anonymous count stays" in client.get("/admin/erased").get_data(as_text=True).replace(
        "only", "Only"
    )
    with shared_app.app_context():
        assert signups.find("forget.me@example.com") is None and events.history(signup_id) == []
        assert signups.stats().erased == 1


def test_the_dashboard_says_email_is_not_configured_and_counts_undeliverable_and_failed(shared_app, client):
    with shared_app.app_context():
        signups.add_signup("bounced@example.com", CURRENT)
        signups.add_signup("unlucky@example.com", CURRENT)  # its confirmation will be given up on
        with writing() as connection:
            row = signups.find("bounced@example.com")
            signups.mark_undeliverable(connection, row.id, "550 5.1.1 unknown", False, row.created_at)
            connection.execute(outbox.update().values(status="failed", last_error="gave up"))
    html = client.get("/admin/").get_data(as_text=True)
    figures = dict(re.findall(r'data-figure="([a-z-]+)">(\d+)<', html))
    assert figures["undeliverable"] == "1" and figures["pending"] == "1"
    assert 'data-notice="mail-not-configured"' in html and "Email is not configured." in html
    assert "1 message could not be sent" in html
    shared_app.config["MAIL_URL"] = "smtp://127.0.0.1:2525"
    try:
        assert "Email is not configured" not in client.get("/admin/").get_data(as_text=True)
    finally:
        shared_app.config["MAIL_URL"] = None
