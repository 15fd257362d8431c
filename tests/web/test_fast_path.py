"""The fast path answers page-cache hits before Flask, with exactly the bytes Flask answers.

Each case makes the same request twice at the WSGI level (the app's whole stack, request log included):
once answered by the fast path, once by Flask (the fast path told nothing of the path, so it stands
aside), and compares the status line, every header in order and the body. Both backends: the
in-process store and a real Redis (TEST_REDIS_URL; skipped without one, a failure under CI).
"""

import json
import logging
import shutil
import time
import uuid
from pathlib import Path

import pytest
import redis
from backends import REDIS_URL, missing
from flask import request_started
from werkzeug.test import EnvironBuilder

from webapp import create_app
from webapp.web.fast_path import FastPath

SLUG = "circadian-rhythm-light"
ROOT = Path(__file__).resolve().parents[2]
SECRET = "fast-path-tests-secret-key-of-32-bytes-or-more"
ID = {"X-Request-ID": "same-id-for-both"}  # the log's request id, sent so both answers carry the same


@pytest.fixture(params=["SimpleCache", "RedisCache"])
def cache_config(request):
    """Page-store settings of each backend; on Redis a key prefix of the test's own, deleted after."""
    prefix = f"test-fast-path-{uuid.uuid4().hex[:12]}:"
    if request.param == "SimpleCache":
        yield {"CACHE_TYPE": "SimpleCache"}
        return
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        missing("Redis", error)
    yield {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": prefix}
    for key in client.scan_iter(match=prefix + "*"):
        client.delete(key)
    client.close()


def make_app(tmp_path, static_build_dir, **config):
    """An app on the shipped content (unless told otherwise) with its own instance folder."""
    settings = {"TESTING": True, "SECRET_KEY": SECRET, "STATIC_BUILD_DIR": str(static_build_dir)}
    settings["ARTICLES_PER_PAGE"] = 3  # the shipped articles fill three home pages
    instance = tmp_path / f"instance-{uuid.uuid4().hex[:6]}"
    return create_app({**settings, "INSTANCE_PATH": str(instance), **config})


@pytest.fixture
def app(tmp_path, static_build_dir, cache_config):
    return make_app(tmp_path, static_build_dir, **cache_config)


def flask_calls(app) -> list:
    """A list that grows by one for every request that reaches Flask."""
    calls = []
    request_started.connect(lambda sender, **extra: calls.append(1), app, weak=False)
    return calls


def fast_path_of(app) -> FastPath:
    """The fast path in the app's WSGI stack."""
    layer = app.wsgi_app
    while not isinstance(layer, FastPath):
        layer = getattr(layer, "wsgi_app", None) or getattr(layer, "application", None) or layer.app
    return layer


def call(app, path: str, method: str = "GET", headers: dict | None = None, **environ) -> tuple:
    """One request through the app's whole WSGI stack: (status line, header list, body bytes)."""
    builder = EnvironBuilder(path=path, method=method, headers={**ID, **(headers or {})})
    env = {**builder.get_environ(), **environ}
    answer = {}

    def start_response(status, header_list, exc_info=None):
        answer["status"], answer["headers"] = status, list(header_list)

    body = app.wsgi_app(env, start_response)
    try:
        data = b"".join(body)
    finally:
        getattr(body, "close", lambda: None)()
    return answer["status"], answer["headers"], data


def by_flask(app, path: str, **kwargs) -> tuple:
    """The same request answered by Flask: the fast path is told nothing of the path, so it stands aside."""
    fast_path_of(app).state.paths.discard(path.partition("?")[0])
    return call(app, path, **kwargs)


def both(app, path: str, **kwargs) -> tuple[tuple, tuple]:
    """(fast path's answer, Flask's answer) to the same request, made within one second (one Date)."""
    calls = flask_calls(app)
    call(app, path, **kwargs)  # fill the cache
    for _ in range(5):
        flask = by_flask(app, path, **kwargs)
        before = len(calls)
        fast = call(app, path, **kwargs)
        assert len(calls) == before, "the fast path passed a cached page on to Flask"
        if dict(fast[1]).get("Date") == dict(flask[1]).get("Date"):
            return fast, flask
    raise AssertionError("could not make two requests within one second")


CASES = {
    "home": ("/", {"Accept-Encoding": "br"}),
    "home page 2 (gzip)": ("/page/2", {"Accept-Encoding": "gzip"}),
    "topic": ("/tags/sleep", {"Accept-Encoding": "gzip, deflate, br"}),
    "article (br)": (f"/articles/{SLUG}", {"Accept-Encoding": "br"}),
    "article (gzip preferred by q)": (f"/articles/{SLUG}", {"Accept-Encoding": "gzip;q=1, br;q=0.5"}),
    "article (identity)": (f"/articles/{SLUG}", {}),
    "article with a tracking query": (f"/articles/{SLUG}?utm_source=news", {"Accept-Encoding": "br"}),
    "article, htmx": (f"/articles/{SLUG}", {"HX-Request": "true"}),
    "FAQ answer as a page": (f"/articles/{SLUG}/faq/1", {"Accept-Encoding": "br"}),
    "FAQ answer fragment": (f"/articles/{SLUG}/faq/1", {"HX-Request": "true", "Accept-Encoding": "br"}),
    "FAQ history restore": (
        f"/articles/{SLUG}/faq/1",
        {"HX-Request": "true", "HX-History-Restore-Request": "true"},
    ),
    "offline page": ("/offline", {"Accept-Encoding": "gzip"}),
    "newsletter page": ("/newsletter", {}),
    "sitemap": ("/sitemap.xml", {"Accept-Encoding": "gzip"}),
    "feed": ("/feed.xml", {}),
    "robots": ("/robots.txt", {}),
    "signed-in cookie sent": (f"/articles/{SLUG}", {"Cookie": "session=abc"}),
}


@pytest.mark.parametrize("case", CASES)
def test_a_hit_is_flasks_answer_byte_for_byte(app, case):
    path, headers = CASES[case]
    fast, flask = both(app, path, headers=headers)
    assert fast == flask
    status, header_list, body = fast
    assert status == "200 OK" and ("X-App-Cache", "hit") in header_list and body


def test_head_sends_the_headers_of_get_and_no_body(app):
    fast, flask = both(app, f"/articles/{SLUG}", method="HEAD", headers={"Accept-Encoding": "br"})
    assert fast == flask and fast[2] == b""
    _, get_headers, get_body = call(app, f"/articles/{SLUG}", headers={"Accept-Encoding": "br"})
    assert dict(fast[1])["Content-Length"] == str(len(get_body)) == dict(get_headers)["Content-Length"]


@pytest.mark.parametrize(
    "conditions, status",
    [
        ({"If-None-Match": "MATCH"}, "304 NOT MODIFIED"),
        ({"If-None-Match": '"other", MATCH'}, "304 NOT MODIFIED"),
        ({"If-None-Match": '"other"'}, "200 OK"),
        ({"If-None-Match": "*"}, "304 NOT MODIFIED"),
        ({"If-Modified-Since": "Wed, 02 Dec 2026 10:00:00 GMT"}, "200 OK"),
        ({"If-None-Match": "MATCH", "If-Match": '"other"'}, "412 PRECONDITION FAILED"),
    ],
)
def test_conditional_requests_are_answered_as_flask_does(app, conditions, status):
    path = f"/articles/{SLUG}"
    etag = dict(call(app, path, headers={"Accept-Encoding": "br"})[1])["ETag"]
    headers = {"Accept-Encoding": "br", **{k: v.replace("MATCH", etag) for k, v in conditions.items()}}
    fast, flask = both(app, path, headers=headers)
    assert fast == flask and fast[0] == status
    if status.startswith("304"):
        assert fast[2] == b"" and "Content-Encoding" not in dict(fast[1])


def test_https_requests_get_hsts_from_the_fast_path_too(app):
    fast, flask = both(
        app, f"/articles/{SLUG}", headers={"Accept-Encoding": "br"}, **{"wsgi.url_scheme": "https"}
    )
    assert fast == flask and "Strict-Transport-Security" in dict(fast[1])


def test_behind_tls_plain_http_is_still_redirected(tmp_path, static_build_dir, cache_config):
    app = make_app(tmp_path, static_build_dir, BEHIND_TLS=True, TRUSTED_PROXIES=1, **cache_config)
    path = f"/articles/{SLUG}"
    call(app, path, headers={"X-Forwarded-Proto": "https"})
    status, headers, _ = call(app, path, headers={"X-Forwarded-Proto": "http"})
    assert status.startswith("301") and dict(headers)["Location"].startswith("https://")
    fast, flask = both(app, path, headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
    assert fast == flask and "Strict-Transport-Security" in dict(fast[1])


def test_a_path_spelt_with_escapes_is_left_to_flask(app):
    path = f"/articles/{SLUG}"
    call(app, path)
    call(app, path)
    calls = flask_calls(app)
    escaped = "/articles/%63" + SLUG[1:]
    status, headers, _ = call(app, escaped, RAW_URI=escaped, REQUEST_URI=escaped)
    assert calls and status.startswith("308") and dict(headers)["Location"].endswith(path)


def test_never_a_fragment_for_a_page_nor_a_page_for_htmx(app):
    path = f"/articles/{SLUG}/faq/1"
    fragment = call(app, path, headers={"HX-Request": "true"})[2].decode()
    page = call(app, path)[2].decode()
    for _ in range(2):  # both now come from the cache, through the fast path
        again_page = call(app, path)
        again_fragment = call(app, path, headers={"HX-Request": "true"})
        assert ("X-App-Cache", "hit") in again_page[1] and ("X-App-Cache", "hit") in again_fragment[1]
        assert again_page[2].decode() == page and again_fragment[2].decode() == fragment
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert "<!doctype" not in fragment.lower() and len(fragment) < len(page) / 3
    restore = call(app, path, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert restore[2].decode() == page


def test_the_request_log_line_is_the_same(app, caplog):
    path = f"/articles/{SLUG}?utm_source=x"
    caplog.set_level(logging.INFO, logger="webapp.requests")
    both(app, path, headers={"Accept-Encoding": "br"})
    fast, flask = (json.loads(r.getMessage()) for r in caplog.records[-1:-3:-1])
    del fast["ms"], flask["ms"]
    assert fast == flask and fast["status"] == 200 and fast["bytes"] > 1000


def test_an_edited_article_is_served_at_the_next_request_after_the_watcher_sees_it(
    tmp_path, static_build_dir, cache_config
):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    app = make_app(
        tmp_path, static_build_dir, CONTENT_DIR=str(content), CONTENT_RELOAD_SECONDS=0.05, **cache_config
    )
    path = f"/articles/{SLUG}"
    call(app, path)
    assert ("X-App-Cache", "hit") in call(app, path)[1]
    marker = f"Edited sentence {uuid.uuid4().hex[:8]}."
    with (content / f"{SLUG}.md").open("a", encoding="utf-8") as handle:
        handle.write(f"\n{marker}\n")
    watcher = app.extensions["content_watcher"]
    deadline = time.monotonic() + 10
    while watcher.seen == app.extensions["library"].version and time.monotonic() < deadline:
        time.sleep(0.02)
    calls = flask_calls(app)
    status, headers, body = call(app, path)  # the first request after the change: no stale copy
    assert status == "200 OK" and ("X-App-Cache", "miss") in headers and marker.encode() in body
    assert calls == [1]
    assert ("X-App-Cache", "hit") in call(app, path)[1] and calls == [1]


def test_a_new_release_never_reads_the_old_ones_pages(tmp_path, static_build_dir, cache_config):
    old = make_app(tmp_path, static_build_dir, **cache_config)
    new = make_app(
        tmp_path, static_build_dir, SITE_NAME="Healthy Tips Two", **cache_config
    )  # another version
    path = f"/articles/{SLUG}"
    for _ in range(2):
        call(old, path)
    status, headers, body = call(new, path)
    assert ("X-App-Cache", "miss") in headers and b"Healthy Tips Two" in body
    assert b"Healthy Tips Two" not in call(old, path)[2]
