"""The beacon endpoint through the test client, on SQLite and PostgreSQL: what it counts, and every bad
input refused with the right status and no counter changed."""

import json
import re
from datetime import UTC, datetime
from functools import partial

import pytest
from backends import make_app
from flask import Flask
from insights_helpers import BROWSER, HEADERS, beacon, counters
from liveserver import wait_for
from werkzeug.test import EnvironBuilder, run_wsgi_app

TODAY = lambda: datetime.now(UTC).date().isoformat()  # noqa: E731 - read when the test runs


def test_a_view_is_counted_once_with_its_referrer_host_and_landing_utm_tags(app, client, article):
    landing = f"http://localhost/articles/{article.slug}?utm_source=news&utm_medium=email&utm_campaign=Spring%202027"
    response = beacon(
        client, {"a": article.slug, "e": [{"t": "view", "r": "News.Example:8443"}]}, Referer=landing
    )
    assert response.status_code == 204 and response.data == b""
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    day = TODAY()
    assert counters(app.config["DATABASE_URL"]) == {
        ("insight_days", day, article.slug, "views"): 1,
        ("insight_source_days", day, "referrer", "news.example", "views"): 1,
        ("insight_source_days", day, "utm_source", "news", "views"): 1,
        ("insight_source_days", day, "utm_medium", "email", "views"): 1,
        ("insight_source_days", day, "utm_campaign", "Spring 2027", "views"): 1,
    }


def test_reads_ctas_and_questions_add_up_per_article_and_question(app, client, article):
    for body in (
        {"t": "view"},
        {"t": "read"},
        {"t": "cta"},
        {"t": "faq", "q": 2, "first": True},
        {"t": "faq", "q": 1, "first": False},
    ):
        assert beacon(client, {"a": article.slug, "e": [body]}).status_code == 204
    assert (
        beacon(
            client, {"a": article.slug, "e": [{"t": "view"}, {"t": "faq", "q": 2, "first": True}]}
        ).status_code
        == 204
    )
    day, slug = TODAY(), article.slug
    assert counters(app.config["DATABASE_URL"]) == {
        ("insight_days", day, slug, "views"): 2,
        ("insight_days", day, slug, "reads"): 1,
        ("insight_days", day, slug, "cta_views"): 1,
        ("insight_days", day, slug, "faq_readers"): 2,
        ("insight_faq_days", day, slug, "1", "opens"): 1,
        ("insight_faq_days", day, slug, "2", "opens"): 2,
    }


def test_our_own_pages_are_not_counted_as_a_referrer(app, client, article):
    beacon(client, {"a": article.slug, "e": [{"t": "view", "r": "localhost"}]})
    assert ("insight_source_days", TODAY(), "referrer", "localhost", "views") not in counters(
        app.config["DATABASE_URL"]
    )


BAD = {
    "another origin": ({"Origin": "https://evil.example"}, None, "application/json", 403),
    "no Origin header": ({"Origin": None}, None, "application/json", 403),
    "a cross-site fetch": ({"Sec-Fetch-Site": "cross-site"}, None, "application/json", 403),
    "plain text": ({}, None, "text/plain", 415),
    "a form": ({}, None, "application/x-www-form-urlencoded", 415),
    "too big": ({}, {"a": "SLUG", "e": [{"t": "view"}], "pad": "x" * 4000}, "application/json", 413),
    "not JSON": ({}, b"{not json", "application/json", 400),
    "not UTF-8": ({}, b'{"a": "\xff"}', "application/json", 400),
    "not an object": ({}, [1, 2], "application/json", 422),
    "an unknown article": ({}, {"a": "no-such-article", "e": [{"t": "view"}]}, "application/json", 422),
    "an unknown event": ({}, {"a": "SLUG", "e": [{"t": "view"}, {"t": "purchase"}]}, "application/json", 422),
    "a question past the last": ({}, {"a": "SLUG", "e": [{"t": "faq", "q": 99}]}, "application/json", 422),
    "a question zero": ({}, {"a": "SLUG", "e": [{"t": "faq", "q": 0}]}, "application/json", 422),
    "a question as text": ({}, {"a": "SLUG", "e": [{"t": "faq", "q": "1"}]}, "application/json", 422),
    "a view twice": ({}, {"a": "SLUG", "e": [{"t": "view"}, {"t": "view"}]}, "application/json", 422),
    "two first questions": (
        {},
        {"a": "SLUG", "e": [{"t": "faq", "q": 1, "first": True}, {"t": "faq", "q": 2, "first": True}]},
        "application/json",
        422,
    ),
    "an unknown field": ({}, {"a": "SLUG", "e": [{"t": "view", "ip": "1.2.3.4"}]}, "application/json", 422),
    "a referrer on a read": (
        {},
        {"a": "SLUG", "e": [{"t": "read", "r": "x.example"}]},
        "application/json",
        422,
    ),
    "a referrer path": (
        {},
        {"a": "SLUG", "e": [{"t": "view", "r": "x.example/secret"}]},
        "application/json",
        422,
    ),
    "no events": ({}, {"a": "SLUG", "e": []}, "application/json", 422),
    "too many events": ({}, {"a": "SLUG", "e": [{"t": "faq", "q": 1}] * 21}, "application/json", 422),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_input_gets_a_4xx_with_a_message_and_changes_nothing(app, client, article, case):
    headers, body, content_type, status = BAD[case]
    beacon(client, {"a": article.slug, "e": [{"t": "view"}]})
    before = counters(app.config["DATABASE_URL"])
    if body is None:
        body = {"a": article.slug, "e": [{"t": "view"}]}
    if isinstance(body, dict):
        body = json.loads(json.dumps(body).replace('"SLUG"', json.dumps(article.slug)))
    response = beacon(client, body, content_type, **headers)
    assert response.status_code == status
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json()["error"]
    assert counters(app.config["DATABASE_URL"]) == before


@pytest.mark.parametrize(
    "headers",
    [{"Sec-GPC": "1"}, {"DNT": "1"}, {"User-Agent": "Googlebot/2.1 (+http://www.google.com/bot.html)"},
     {"User-Agent": "python-requests/2.32"}, {"User-Agent": ""}],
    ids=["gpc", "dnt", "googlebot", "a script", "no user agent"],
)  # fmt: skip
def test_readers_who_opt_out_and_crawlers_get_a_204_and_are_not_counted(app, client, article, headers):
    response = beacon(client, {"a": article.slug, "e": [{"t": "view"}]}, **headers)
    assert response.status_code == 204
    assert counters(app.config["DATABASE_URL"]) == {}


def test_the_endpoint_is_post_only(client):
    assert client.get("/insights/events", headers={"User-Agent": BROWSER}).status_code == 405


def test_the_article_page_loads_the_script_with_its_endpoint_and_slug(client, article):
    html = client.get(f"/articles/{article.slug}").get_data(as_text=True)
    assert 'data-endpoint="/insights/events"' in html and f'data-article="{article.slug}"' in html
    assert '<input type="hidden" name="faq_opened">' in html


@pytest.mark.parametrize("limit", ["5 per minute"])
def test_a_flood_from_one_address_gets_429_and_is_not_counted(app, article, limit):
    app.config["INSIGHTS_RATE_LIMIT"] = limit
    try:
        client = app.test_client()
        address = {"REMOTE_ADDR": "203.0.113.9"}
        statuses = [
            client.post(
                "/insights/events",
                json={"a": article.slug, "e": [{"t": "view"}]},
                headers={"Origin": "http://localhost", "User-Agent": BROWSER},
                environ_base=address,
            ).status_code
            for _ in range(8)
        ]
    finally:
        app.config["INSIGHTS_RATE_LIMIT"] = "1000 per minute"
    assert statuses == [204] * 5 + [429] * 3
    assert counters(app.config["DATABASE_URL"]) == {("insight_days", TODAY(), article.slug, "views"): 5}


def test_other_methods_are_flasks_to_answer_and_never_cached(client):
    options = client.options("/insights/events", headers=HEADERS)
    assert options.status_code == 200 and "POST" in options.headers["Allow"]
    assert options.headers["Cache-Control"] == "no-store"


def test_a_post_that_reaches_flask_itself_gets_the_same_answer_as_from_the_layer(app, article):
    """The beacon layer answers before Flask; Flask's own view for the URL answers alike."""
    flask_only = partial(Flask.wsgi_app, app)  # none of the WSGI layers
    for events, status in (([{"t": "read"}], "204 NO CONTENT"), ([{"t": "buy"}], "422 UNPROCESSABLE ENTITY")):
        body = json.dumps({"a": article.slug, "e": events})
        environ = EnvironBuilder("/insights/events", method="POST", data=body, headers=HEADERS).get_environ()
        environ["CONTENT_TYPE"] = "application/json"
        answer, sent, headers = run_wsgi_app(flask_only, environ, buffered=True)
        assert sent == status and headers["Cache-Control"] == "no-store"
    assert counters(app.config["DATABASE_URL"]) == {("insight_days", TODAY(), article.slug, "reads"): 1}


def test_behind_a_tls_proxy_beacons_get_the_https_redirect_and_the_security_headers(
    app, article, tmp_path, static_build_dir
):
    proxied = make_app(
        tmp_path,
        static_build_dir,
        DATABASE_URL=app.config["DATABASE_URL"],
        TRUSTED_PROXIES=1,
        BEHIND_TLS=True,
    )
    client, body = proxied.test_client(), {"a": article.slug, "e": [{"t": "view"}]}
    plain = beacon(client, body, X_Forwarded_Proto="http")
    assert plain.status_code == 308 and plain.headers["Location"] == "https://localhost/insights/events"
    assert beacon(client, body, X_Forwarded_Proto="https").status_code == 403  # Origin http://localhost
    secure = beacon(client, body, X_Forwarded_Proto="https", Origin="https://localhost")
    assert secure.status_code == 204 and secure.headers["Strict-Transport-Security"]
    assert secure.headers["Content-Security-Policy"] and secure.headers["X-Frame-Options"] == "DENY"
    assert counters(app.config["DATABASE_URL"]) == {("insight_days", TODAY(), article.slug, "views"): 1}


def test_an_unexpected_error_is_logged_and_answered_in_json(app, article, tmp_path, static_build_dir, caplog):
    broken = make_app(
        tmp_path,
        static_build_dir,
        DATABASE_URL=app.config["DATABASE_URL"],
        INSIGHTS_MAX_BYTES="2 KB",  # not a number: reading the body fails
        PROPAGATE_EXCEPTIONS=False,
    )
    response = beacon(broken.test_client(), {"a": article.slug, "e": [{"t": "view"}]})
    assert response.status_code == 500 and response.get_json()["error"]
    assert response.headers["Cache-Control"] == "no-store"
    assert "Exception on /insights/events [POST]" in caplog.text


def test_a_batch_taken_before_a_content_change_is_checked_against_the_new_content(
    app, tmp_path, static_build_dir, content_copy
):
    source = next(path for path in sorted(content_copy.glob("*.md")) if path.name != "README.md")
    text = re.sub(r"(?m)^title:.*$", 'title: "An article here for a moment"', source.read_text(), count=1)
    edited = make_app(
        tmp_path,
        static_build_dir,
        DATABASE_URL=app.config["DATABASE_URL"],
        CONTENT_DIR=str(content_copy),
        CONTENT_RELOAD_SECONDS=0.05,
    )
    client, body = edited.test_client(), {"a": "here-for-a-moment", "e": [{"t": "read"}]}
    (content_copy / "here-for-a-moment.md").write_text(text)
    wait_for(lambda: beacon(client, body).status_code == 204)
    (content_copy / "here-for-a-moment.md").unlink()
    wait_for(lambda: beacon(client, body).status_code == 422)
