"""The marketers' side: sign in, dashboard, export and sign out, against SQLite and PostgreSQL."""

import csv
import io
import re

import pytest
from marketers import PASSWORD, csrf, log_in

from webapp.newsletter import store as signups
from webapp.newsletter.consent import CURRENT


@pytest.fixture
def app(marketers_app):
    """The marketers' app of this module (empty tables, one account)."""
    return marketers_app


@pytest.mark.parametrize("path", ["/admin/", "/admin/export.csv"])
def test_without_signing_in_marketers_pages_redirect_to_login_and_show_no_data(app, client, path):
    with app.app_context():
        signups.add_signup("secret.reader@example.com", CURRENT)
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/login?next={path}"
    assert b"secret.reader" not in response.data and response.headers["Cache-Control"] == "no-store"


def test_signing_in_sets_a_safe_cookie_and_opens_the_dashboard(app, client):
    response = log_in(client)
    assert response.status_code == 303 and response.headers["Location"] == "/admin/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    page = client.get("/admin/")
    assert page.status_code == 200 and "Newsletter" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"


def test_the_cookie_is_secure_over_https(app):
    client = app.test_client()
    token = re.search(
        rb'name="csrf_token" value="([^"]+)"', client.get("/admin/login", base_url="https://localhost").data
    )
    data = {"email": "marketer@example.com", "password": PASSWORD, "csrf_token": token.group(1).decode()}
    response = client.post("/admin/login", data=data, base_url="https://localhost")
    assert response.status_code == 303 and "Secure" in response.headers["Set-Cookie"]


def test_a_wrong_password_or_unknown_address_gets_one_message(app, client):
    wrong = log_in(client, password="not the password")
    unknown = client.post(
        "/admin/login", data={"email": "nobody@example.com", "password": PASSWORD, "csrf_token": csrf(client)}
    )
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "do not match an account" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_forms_without_a_valid_csrf_token_are_refused(app, client):
    response = client.post("/admin/login", data={"email": "marketer@example.com", "password": PASSWORD})
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)
    log_in(client)
    assert client.post("/admin/logout", data={"csrf_token": "forged"}).status_code == 400
    assert client.get("/admin/").status_code == 200  # still signed in


def test_the_next_parameter_never_leads_off_site(app, client):
    for target, expected in [("/admin/export.csv", "/admin/export.csv"), ("https://evil.example/", "/admin/"),
                             ("//evil.example/admin", "/admin/")]:  # fmt: skip
        client.delete_cookie("session", path="/admin")
        page = client.get(f"/admin/login?next={target}")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
        data = {"email": "marketer@example.com", "password": PASSWORD, "csrf_token": token}
        response = client.post(f"/admin/login?next={target}", data=data)
        assert response.headers["Location"] == expected


def test_signing_out_ends_the_session_even_for_a_copied_cookie(app, client):
    log_in(client)
    stolen = client.get_cookie("session", path="/admin").value
    response = client.post("/admin/logout", data={"csrf_token": csrf(client, "/admin/")})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/login"
    assert client.get("/admin/").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", stolen, path="/admin")
    assert thief.get("/admin/").status_code == 302 and thief.get("/admin/export.csv").status_code == 302


def test_sign_in_is_rate_limited(app):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        client = app.test_client()
        statuses = [log_in(client, password="wrong guess").status_code for _ in range(4)]
        assert statuses == [401, 401, 401, 429]
        assert "Too many sign-in attempts" in log_in(client).get_data(as_text=True)
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"


def test_the_dashboard_shows_the_figures_per_article_and_a_chart(app, client):
    with app.app_context():
        slug = next(iter(app.extensions["library"].by_slug))
        title = app.extensions["library"].by_slug[slug].title
        for email in ("r0@example.com", "r1@example.com", "r2@example.com", "gone@example.com", None):
            signups.add_signup(email or "page@example.com", CURRENT, article_slug=slug if email else None)
            confirmed = signups.find(email or "page@example.com")
            signups.confirm(confirmed.confirm_nonce, None, webhook=False)
    log_in(client)
    with app.app_context():
        signups.unsubscribe(signups.find("gone@example.com").unsubscribe_key, None, webhook=False)
    html = client.get("/admin/").get_data(as_text=True)
    figures = dict(re.findall(r'data-figure="([a-z-]+)">(\d+)<', html))
    assert figures["unsubscribed"] == "1" and figures["new-this-week"] == "5"
    assert int(figures["subscribed"]) == 4
    assert re.search(
        rf">{re.escape(title)}</a></th><td>4</td><td>3</td><td>80.0%</td>", html.replace("&#39;", "'")
    )
    assert "No article (the newsletter page)</th><td>1</td>" in html
    svg = html[
        html.index('<svg viewBox="0 0 720') : html.index("</svg>", html.index('<svg viewBox="0 0 720'))
    ]
    assert 'role="img"' in svg and "5 signups in 90 days" in svg and svg.count('class="chart-bar"') == 1
    assert "style=" not in html.split("<main", 1)[1] and "<script" not in html.split("<main", 1)[1]


def test_the_csv_export_is_a_defused_attachment_with_unsubscribe_links(app, client):
    hostile = ["=1+2@example.com", "+33@example.com", "-x@example.com", "plain@example.com"]
    with app.app_context():
        for email in hostile:
            signups.add_signup(email, CURRENT)
    log_in(client)
    response = client.get("/admin/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="signups-')
    assert response.is_streamed
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["email"] for row in rows] == ["'=1+2@example.com", "'+33@example.com", "'-x@example.com",
                                              "plain@example.com"]  # fmt: skip
    assert all(row["consent_text"] == CURRENT.text and row["status"] == "pending" for row in rows)
    link = rows[3]["unsubscribe_url"]
    assert link.startswith("https://healthy.example/newsletter/unsubscribe/")
    anonymous = app.test_client()
    path = link.removeprefix("https://healthy.example")
    assert "Unsubscribe from the newsletter?" in anonymous.get(path).get_data(as_text=True)
    assert anonymous.post(path).status_code == 303
    with app.app_context():
        assert [row.status for row in signups.iter_rows() if row.email == "plain@example.com"] == [
            "unsubscribed"
        ]


def test_the_dashboard_says_when_the_database_is_away(app, client):
    log_in(client)
    url = app.config["DATABASE_URL"]
    app.config["DATABASE_URL"] = url.replace("signups.sqlite3", "gone.sqlite3").replace("%3Dt_", "%3Dgone_")
    try:
        for path in ("/admin/", "/admin/export.csv"):
            response = client.get(path)
            assert response.status_code == 503 and "try again in a minute" in response.get_data(as_text=True)
    finally:
        app.config["DATABASE_URL"] = url
