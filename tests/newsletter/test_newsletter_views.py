"""The reader's signup, through the test client, against SQLite and PostgreSQL (confirming and
unsubscribing: test_confirm_views.py)."""

import logging
import re
from html import unescape

import pytest
from backends import clear_tables, make_app
from sqlalchemy import select

from webapp.articles.library import get_library
from webapp.db.engine import reading
from webapp.db.schema import outbox
from webapp.db.schema import signups as table
from webapp.newsletter import store as signups
from webapp.newsletter.consent import CURRENT
from webapp.newsletter.emails import normalize_email

HTMX = {"HX-Request": "true"}
CHECK_INBOX = "Check your inbox"
HOSTILE = [
    "ünïcødé@exämple.com",
    "a" * 250 + "@x.com",
    "joe@example.com\r\nBcc: victim@example.com",
    '"quoted"@example.com',
    "joe'; DROP TABLE signups;--@example.com",
    "o'brien@example.com",
    '=HYPERLINK("http://evil.example")@example.com',
    "=1+2@example.com",
    "<script>alert(1)</script>@example.com",
    "\x00@example.com",
]


@pytest.fixture(scope="module")
def shared_app(module_migrated_url, tmp_path_factory, static_build_dir):
    """One app per backend for this module (building an app loads every article, which takes a while)."""
    return make_app(
        tmp_path_factory.mktemp("instance"),
        static_build_dir,
        DATABASE_URL=module_migrated_url,
        RATELIMIT_ENABLED=False,  # tests/test_limits.py tests the limits
        SITE_URL="https://healthy.example",
    )


@pytest.fixture
def app(shared_app):
    """The module's app, with an empty database for each test."""
    clear_tables(shared_app.config["DATABASE_URL"])
    return shared_app


@pytest.fixture
def slug(app):
    """The slug of a real article."""
    with app.app_context():
        return get_library().articles[0].slug


def stored(app) -> list:
    """Every stored signup."""
    with app.app_context(), reading() as connection:
        return connection.execute(select(table).order_by(table.c.id)).all()


def queued(app) -> list[tuple[str, str]]:
    """(kind, topic) of every message in the outbox."""
    with app.app_context(), reading() as connection:
        return [
            tuple(row)
            for row in connection.execute(select(outbox.c.kind, outbox.c.topic).order_by(outbox.c.id))
        ]


def sign_up(client, email: str, slug: str = "", headers: dict | None = None, **extra):
    """Post the signup form as a browser would."""
    data = {"email": email, "article": slug, "consent_version": CURRENT.version, "website": "", **extra}
    return client.post("/newsletter/signup", data=data, headers=headers or {})


def described_message(html: str) -> str:
    """The text of the element the email field's aria-describedby points at."""
    field = re.search(r"<input[^>]*id=\"signup-email\"[^>]*>", html).group(0)
    target = re.search(r'aria-describedby="([^"]+)"', field).group(1)
    return unescape(re.search(rf'id="{target}"[^>]*>(.*?)</', html, re.S).group(1))


def test_the_article_page_invites_readers_with_its_cta_and_the_full_consent_sentence(app, client, slug):
    response = client.get(f"/articles/{slug}")
    html = response.get_data(as_text=True)
    with app.app_context():
        cta = get_library().by_slug[slug].cta
    assert "Stay informed" in html and unescape(html).count(cta) >= 1
    assert CURRENT.text in unescape(html)
    assert 'hx-post="/newsletter/signup"' in html and 'action="/newsletter/signup"' in html
    assert "Set-Cookie" not in response.headers and "csrf" not in html.lower()
    assert response.headers["Cache-Control"].startswith("public")


def test_signing_up_with_htmx_says_check_your_inbox_stores_a_pending_signup_and_queues_its_email(
    app, client, slug
):
    response = sign_up(client, "Reader@Example.COM", slug, HTMX)
    assert response.status_code == 200
    assert CHECK_INBOX in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers and response.headers["Cache-Control"] == "no-store"
    [row] = stored(app)
    assert (row.email, row.article_slug, row.status) == ("Reader@example.com", slug, "pending")
    assert row.consent_text == CURRENT.text and row.client_hash and "127.0.0.1" not in row.client_hash
    assert row.confirmed_at is None and queued(app) == [("email", "confirm")]


def test_the_check_your_inbox_wording_is_the_same_in_the_fragment_and_the_page(app, client, slug):
    fragment = sign_up(client, "one@example.com", slug, HTMX).get_data(as_text=True)
    page = client.get(sign_up(client, "two@example.com", slug).headers["Location"]).get_data(as_text=True)
    words = re.search(r"<h2>Check your inbox</h2>(.*?)</div>", fragment, re.S).group(1)
    assert words.strip() and words in page and "<h1>Check your inbox</h1>" in page


def test_extra_fields_in_the_form_are_ignored(app, client, slug):
    response = sign_up(client, "extra@example.com", slug, HTMX, faq_opened="1,3", something_new="x")
    assert response.status_code == 200 and [row.email for row in stored(app)] == ["extra@example.com"]


def test_signing_up_without_javascript_redirects_to_a_thank_you_page(app, client, slug):
    response = sign_up(client, "reader@example.com", slug)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/newsletter/thanks?article={slug}"
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and CHECK_INBOX in page.get_data(as_text=True)
    assert f'href="/articles/{slug}"' in page.get_data(as_text=True)
    assert len(stored(app)) == 1


def test_an_invalid_address_returns_the_form_with_a_described_message_and_the_input_kept(app, client, slug):
    response = sign_up(client, "reader@", slug, HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert html.lstrip().startswith("<form") and 'value="reader@"' in html
    assert 'aria-invalid="true"' in html and 'role="alert"' in html
    assert described_message(html) == "Enter a valid email address, like name@example.com."
    assert stored(app) == []


def test_without_javascript_an_invalid_address_gets_the_article_page_with_status_422(client, slug):
    response = sign_up(client, "", slug)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" in html and f'value="{slug}"' in html
    assert described_message(html) == "Enter your email address."
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("email", HOSTILE)
def test_hostile_addresses_never_break_anything_or_come_back_unescaped(app, client, slug, email):
    response = sign_up(client, email, slug, HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code in (200, 422)
    assert "<script>alert" not in html and 'HYPERLINK("' not in html
    rows = stored(app)
    if response.status_code == 422:
        assert rows == []
    else:
        assert [row.email for row in rows] == [normalize_email(email)]
        assert CHECK_INBOX in html


def test_a_repeat_signup_in_another_letter_case_shows_the_same_thank_you_and_keeps_one_row(app, client, slug):
    first = sign_up(client, "same@example.com", slug, HTMX)
    second = sign_up(client, "SAME@EXAMPLE.COM", slug, HTMX)
    assert first.get_data() == second.get_data() and second.status_code == 200
    assert sign_up(client, "Same@Example.com", slug).headers["Location"] == first.request.path.replace(
        "signup", f"thanks?article={slug}"
    )
    assert len(stored(app)) == 1
    assert queued(app) == [("email", "confirm")]  # a repeat within minutes sends no second email


def test_a_filled_honeypot_gets_the_same_answer_and_stores_and_sends_nothing(app, client, slug):
    response = sign_up(client, "bot@example.com", slug, HTMX, website="http://spam.example")
    assert response.get_data() == sign_up(client, "human@example.com", slug, HTMX).get_data()
    assert [row.email for row in stored(app)] == ["human@example.com"] and len(queued(app)) == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": "https://healthy.example"},
    ],
)
def test_a_post_from_another_site_is_refused(app, client, slug, headers):
    response = sign_up(client, "victim@example.com", slug, headers)
    assert response.status_code == 403
    assert "only be sent from our own pages" in response.get_data(as_text=True)
    assert stored(app) == []


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://healthy.example", "Sec-Fetch-Site": "same-origin"},  # SITE_URL, behind a proxy
        {"Origin": "http://localhost"},  # the host the request reached
        {},  # old browsers and scripts send neither
    ],
)
def test_a_post_from_our_own_pages_is_accepted(app, client, slug, headers):
    assert sign_up(client, "friend@example.com", slug, headers).status_code == 303
    assert len(stored(app)) == 1


def test_bad_bodies_get_clear_4xx_answers(app, client):
    def post(**kwargs):
        response = client.post("/newsletter/signup", **kwargs)
        return response.status_code, response.get_data(as_text=True)

    status, html = post(data={"article": "x"})
    assert status == 400 and "missing its email field" in html
    status, html = post(json={"email": "json@example.com"})
    assert status == 415 and "web form" in html
    status, html = post(data={"email": "big@example.com", "website": "x" * 100_000})
    assert status == 413
    status, html = post(data=b"email=%ff%fe@example.com", content_type="application/x-www-form-urlencoded")
    assert status == 400 and "UTF-8" in html
    status, html = post(data=b"email=\xff@example.com", content_type="application/x-www-form-urlencoded")
    assert status == 400
    status, _ = post(data={"email": "multi@example.com"}, content_type="multipart/form-data")
    assert status == 303
    assert [row.email for row in stored(app)] == ["multi@example.com"]


def test_a_database_fault_answers_503_keeps_the_input_and_logs_no_address(app, client, slug, caplog):
    url = app.config["DATABASE_URL"]
    app.config["DATABASE_URL"] = url.replace("signups.sqlite3", "missing.sqlite3").replace(
        "%3Dt_", "%3Dgone_"
    )
    with caplog.at_level(logging.INFO):
        response = sign_up(client, "patient.person@example.com", slug, HTMX)
        page = sign_up(client, "patient.person@example.com", slug)
    html = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"] == "60"
    assert "try again in a minute" in html and 'value="patient.person@example.com"' in html
    assert page.status_code == 503 and "try again in a minute" in page.get_data(as_text=True)
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 2 and "p***@example.com" in errors[0].getMessage()
    assert "patient.person" not in caplog.text
    app.config["DATABASE_URL"] = url
    assert sign_up(client, "patient.person@example.com", slug, HTMX).status_code == 200
    assert len(stored(app)) == 1 and queued(app) == [("email", "confirm")]


def test_the_standalone_form_page_works_without_an_article(app, client):
    page = client.get("/newsletter")
    assert page.status_code == 200 and 'name="email"' in page.get_data(as_text=True)
    response = sign_up(client, "bad")
    assert response.status_code == 422 and "Our weekly newsletter" in response.get_data(as_text=True)
    assert sign_up(client, "solo@example.com").headers["Location"] == "/newsletter/thanks"
    assert [row.article_slug for row in stored(app)] == [None]


def test_signups_from_an_unknown_article_slug_are_kept_without_it(app, client):
    sign_up(client, "x@example.com", "../../etc/passwd")
    assert [row.article_slug for row in stored(app)] == [None]
    assert signups  # the module under test
