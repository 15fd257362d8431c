"""The links in our emails, opened and posted through the test client: confirm (GET shows, POST
confirms), expired and reused links, and unsubscribing (the page's form and RFC 8058's one-click POST)."""

import re
from datetime import timedelta

import pytest
from mail_settings import SITE

from webapp.db.schema import utcnow
from webapp.newsletter import events, sender
from webapp.newsletter import store as signups
from webapp.newsletter.consent import CURRENT
from webapp.newsletter.tokens import confirm_token, signing_keys

HTMX = {"HX-Request": "true"}


def links(smtp, email: str) -> tuple[str, str]:
    """The paths of the confirmation and unsubscribe links in the newest email to an address."""
    sender.send_all()
    message = smtp.inbox.to(email)[-1]
    confirm = re.search(rf"{SITE}(/newsletter/confirm/\S+)", message.get_body(("plain",)).get_content())
    return confirm.group(1), message["List-Unsubscribe"].strip("<>").removeprefix(SITE)


def heading(response) -> str:
    """The page's (or fragment's) h1."""
    return re.search(r"<h1>(.*?)</h1>", response.get_data(as_text=True)).group(1)


@pytest.fixture
def client(mail):
    """A test client of the mail app."""
    return mail.test_client()


def test_opening_the_link_shows_the_button_and_only_the_post_confirms(mail, smtp, client):
    signups.add_signup("reader@example.com", CURRENT)
    confirm, _ = links(smtp, "reader@example.com")
    page = client.get(confirm)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert f'<form method="post" action="{confirm}" data-auto-confirm>' in html
    assert re.search(r'<script src="/static/js/confirm\.[0-9a-f]+\.js" defer>', html)  # our file: CSP intact
    assert signups.find("reader@example.com").status == "pending"  # a mail scanner opening it changes nothing
    assert client.post(confirm, headers={"Origin": "https://evil.example"}).status_code == 403
    done = client.post(confirm)
    assert done.status_code == 303 and done.headers["Location"] == confirm
    assert heading(client.get(confirm)) == "Confirmed"
    row = signups.find("reader@example.com")
    assert row.status == "confirmed" and row.confirmed_at is not None
    assert [event["event"] for event in events.history(row.id)][-1] == "confirmed"
    sender.send_all()
    welcome = smtp.inbox.to("reader@example.com")[-1]
    assert welcome["Subject"] == "Welcome to Healthy Tips" and welcome["List-Unsubscribe-Post"]


def test_confirm_js_gets_just_the_answer_box(mail, smtp, client):
    signups.add_signup("script@example.com", CURRENT)
    confirm, _ = links(smtp, "script@example.com")
    answer = client.post(confirm, headers=HTMX)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and html.lstrip().startswith('<div class="confirm-box"')
    assert "data-confirm-box" in html and heading(answer) == "Confirmed" and "<html" not in html


def test_a_reused_link_says_it_is_confirmed_then_after_unsubscribing_that_it_was_used(mail, smtp, client):
    signups.add_signup("again@example.com", CURRENT)
    confirm, unsubscribe = links(smtp, "again@example.com")
    client.post(confirm)
    again = client.post(confirm)
    assert again.status_code == 303 and heading(client.get(confirm)) == "Confirmed"
    assert client.post(unsubscribe, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    used = client.get(confirm)
    assert used.status_code == 410 and heading(used) == "This link has already been used"
    assert client.post(confirm).status_code == 410
    assert signups.find("again@example.com").status == "unsubscribed"


def test_an_expired_link_gets_a_clear_page_and_confirms_nothing(mail, client):
    signups.add_signup("late@example.com", CURRENT)
    row = signups.find("late@example.com")
    issued = utcnow() - timedelta(days=mail.config["SIGNUP_CONFIRM_DAYS"], minutes=1)
    path = f"/newsletter/confirm/{confirm_token(signing_keys(mail.config), row.confirm_nonce, issued)}"
    page = client.get(path)
    assert page.status_code == 410 and heading(page) == "This link has expired"
    assert 'href="/newsletter"' in page.get_data(as_text=True)
    assert client.post(path).status_code == 410 and signups.find("late@example.com").status == "pending"


def test_a_link_replaced_by_a_newer_signup_or_forged_is_refused_clearly(mail, smtp, client):
    signups.add_signup("ann@example.com", CURRENT)
    old, unsubscribe = links(smtp, "ann@example.com")
    client.post(old)
    client.post(unsubscribe, data={"List-Unsubscribe": "One-Click"})
    signups.add_signup("ann@example.com", CURRENT)  # a new pending confirmation
    new, _ = links(smtp, "ann@example.com")
    assert new != old
    stale = client.get(old)
    assert stale.status_code == 410 and heading(stale) == "This link no longer works"
    assert client.get(new).status_code == 200
    for path in ("/newsletter/confirm/not-a-token", new[:-3] + "abc"):
        assert client.get(path).status_code == 404 and client.post(path).status_code == 404
    assert signups.find("ann@example.com").status == "pending"


@pytest.mark.parametrize("multipart", [False, True], ids=["urlencoded", "multipart"])
def test_the_one_click_post_unsubscribes_at_once_without_origin_or_token(mail, smtp, client, multipart):
    signups.add_signup("leaving@example.com", CURRENT)
    _, unsubscribe = links(smtp, "leaving@example.com")
    kwargs = {"content_type": "multipart/form-data"} if multipart else {}
    # As Gmail's servers send it: no Origin, no CSRF token, no cookies.
    response = client.post(unsubscribe, data={"List-Unsubscribe": "One-Click"}, **kwargs)
    assert response.status_code == 200 and heading(response) == "You are unsubscribed"
    row = signups.find("leaving@example.com")
    assert row.status == "unsubscribed" and row.unsubscribed_at is not None
    assert [event["event"] for event in events.history(row.id)][-1] == "unsubscribed"
    assert client.post(unsubscribe, data={"List-Unsubscribe": "One-Click"}).status_code == 200  # twice: fine


def test_the_unsubscribe_page_asks_first_and_its_form_unsubscribes(mail, smtp, client):
    signups.add_signup("page@example.com", CURRENT)
    _, unsubscribe = links(smtp, "page@example.com")
    page = client.get(unsubscribe)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert f'<form method="post" action="{unsubscribe}">' in page.get_data(as_text=True)
    assert signups.find("page@example.com").status == "pending"  # opening the link changes nothing
    assert client.post(unsubscribe, headers={"Origin": "https://evil.example"}).status_code == 403
    done = client.post(unsubscribe)
    assert done.status_code == 303 and done.headers["Location"] == unsubscribe
    assert heading(client.get(unsubscribe)) == "You are unsubscribed"


def test_forged_unknown_or_revoked_unsubscribe_links_are_not_found(mail, smtp, client):
    signups.add_signup("ann@example.com", CURRENT)
    _, unsubscribe = links(smtp, "ann@example.com")
    signups.new_unsubscribe_key("ann@example.com")  # a leaked link revoked
    for path in ("/newsletter/unsubscribe/not-a-token", unsubscribe, unsubscribe[:-2] + "xx"):
        assert client.get(path).status_code == 404
        assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 404
    assert signups.find("ann@example.com").status == "pending"
