"""Whole-response caching for public pages: rendered and compressed once, then served as bytes.

A page's key is the render version, the path and the htmx variant; the page lives in a page store
(`page_store.py`: this process, or a Redis every instance shares). A hit is answered before Flask by
the fast path (`fast_path.py`) and, when a request reaches Flask, by `cached_page`: both answer with
`answer_hit`/`serve`, built from the same `page_headers`, so they send the same bytes.
"""

import gzip
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

import brotli
from flask import Flask, Response, current_app, request
from werkzeug.http import http_date, parse_accept_header
from werkzeug.utils import get_content_type

from webapp.files import digest
from webapp.web import htmx, security
from webapp.web.page_store import CachedPage, MemoryStore, RedisStore, open_store
from webapp.web.render_version import render_version

__all__ = ["CachedPage", "cache", "cached_page", "compress", "init_app"]

RETRY_SECONDS = 5.0  # while the shared cache is down, try it again this often (pages still render)
MISSED = "webapp.page_cache.missed"  # environ key: the fast path looked this key up and found nothing
MAX_PATHS = 200_000  # paths remembered for the fast path (every page of a 10,000-article site fits)


@dataclass(slots=True)
class State:
    """One app's page cache: its store, the content it serves, its render version and store health."""

    app: Flask
    store: MemoryStore | RedisStore
    library: Callable[[], object]
    cache_control: str
    tls: bool
    version: tuple[object, str] | None = None
    down: bool = False
    retry_at: float = 0.0
    paths: set[str] = field(default_factory=set)  # paths `cached_page` answered: the fast path's to try

    def current_version(self) -> str:
        """The render version of the library being served (computed again after a reload)."""
        library = self.library()
        if self.version is None or self.version[0] is not library:
            self.version = (library, render_version(self.app))
        return self.version[1]

    def call(self, operation: str, *args: object) -> CachedPage | None:
        """Call the store, treating an outage as a miss: logged once, retried every few seconds."""
        if self.retry_at and time.monotonic() < self.retry_at:
            return None
        try:
            value = getattr(self.store, operation)(*args)
        except Exception as error:  # any store failure: the page renders instead
            if not self.down:
                self.app.logger.error("Page cache unavailable, rendering every page: %r", error)
            self.down, self.retry_at = True, time.monotonic() + RETRY_SECONDS
            return None
        if self.down:
            self.app.logger.warning("Page cache available again")
            self.down, self.retry_at = False, 0.0
        return value


def _state() -> State:
    """The current app's page cache."""
    return current_app.extensions["page_cache"]


class _CurrentStore:
    """The current app's page store, for tests and tools (`cache.get`, `cache.set`, `cache.clear`)."""

    def __getattr__(self, name: str):
        return getattr(_state().store, name)


cache = _CurrentStore()


def compress(status: int, html: str, mimetype: str = "text/html") -> CachedPage:
    """Encode and compress a rendered page once, so serving it is only a copy."""
    body = html.encode("utf-8")
    return CachedPage(
        status=status,
        body=body,
        gzip=gzip.compress(body, 6, mtime=0),
        br=brotli.compress(body, quality=9, mode=brotli.MODE_TEXT),
        etag=digest(body),
        mimetype=mimetype,
    )


@lru_cache(maxsize=256)
def choose_encoding(accept_encoding: str) -> str:
    """The best encoding the client accepts (its q-values first, then br before gzip), else identity.

    Remembered: browsers send a handful of distinct Accept-Encoding values.
    """
    return parse_accept_header(accept_encoding).best_match(("br", "gzip"), default="identity")


def request_path(environ: dict) -> str:
    """The request's path as Flask's `request.path` reads it (PEP 3333's latin-1 text back to UTF-8)."""
    return "/" + environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace").lstrip("/")


def key_for(version: str, path: str, environ: dict) -> str:
    """The cache key of a page: render version, path and the htmx variant.

    The query string is left out: no cached page reads it, and tracking parameters
    (`?utm_source=...`) must neither miss the cache nor fill it with copies.
    """
    return "|".join(("page", version, path, "fragment" if htmx.wants_fragment(environ) else "page"))


def page_key() -> str:
    """The current request's cache key (its response varies on HX-Request: htmx.is_htmx notes it)."""
    htmx.is_htmx(request)
    return key_for(_state().current_version(), request.path, request.environ)


@lru_cache(maxsize=4096)
def page_headers(
    mimetype: str, etag: str, encoding: str, hit: bool, cache_control: str, security_headers: tuple
) -> tuple[tuple[str, str], ...]:
    """Every header of a cached page's response but Date and Content-Length, security headers included.

    Written out in one list (measured ~3x cheaper than Response(mimetype=), set_etag, vary.update and
    headers.set), and remembered: a popular page's headers are the same on every request.
    """
    headers = [
        ("Content-Type", get_content_type(mimetype, "utf-8")),
        ("X-App-Cache", "hit" if hit else "miss"),
        ("ETag", f'W/"{etag}"'),
        ("Cache-Control", cache_control),
        ("Vary", htmx.vary("Accept-Encoding")),
    ]
    if encoding != "identity":
        headers.append(("Content-Encoding", encoding))
    return (*headers, *security_headers)


def _parts(state: State, page: CachedPage, environ: dict, hit: bool) -> tuple[list, bytes, bool]:
    """The headers (no Date or Content-Length yet), the body, and whether the request is conditional."""
    encoding = choose_encoding(environ.get("HTTP_ACCEPT_ENCODING", ""))
    body = page.br if encoding == "br" else page.gzip if encoding == "gzip" else page.body
    secure = state.tls or environ.get("wsgi.url_scheme") in ("https", "wss")  # as request.is_secure
    extra = security.header_list(secure, request_path(environ))
    headers = list(page_headers(page.mimetype, page.etag, encoding, hit, state.cache_control, extra))
    return headers, body, "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ


def serve(page: CachedPage, hit: bool = True) -> Response:
    """A cached page as Flask's response, honouring Accept-Encoding and If-None-Match."""
    headers, body, conditional = _parts(_state(), page, request.environ, hit)
    if conditional:  # Werkzeug decides 304 or 412; it also adds Date and Content-Length
        return Response(body, status=page.status, headers=headers).make_conditional(request)
    if request.method in ("GET", "HEAD"):
        headers += (("Date", http_date_now()), ("Content-Length", str(len(body))))
    return Response(body, status=page.status, headers=headers)


def answer_hit(state: State, page: CachedPage, environ: dict, start_response: Callable) -> list[bytes]:
    """Answer a GET or HEAD from a cached page at the WSGI level: what `serve` answers, byte for byte."""
    headers, body, conditional = _parts(state, page, environ, True)
    if conditional:  # rare: the same Werkzeug code as `serve`
        response = Response(body, status=page.status, headers=headers).make_conditional(environ)
        return response(environ, start_response)
    headers += (("Date", http_date_now()), ("Content-Length", str(len(body))))
    start_response(status_line(page.status), headers)
    return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]


@lru_cache(maxsize=64)
def status_line(status: int) -> str:
    """The status line Werkzeug sends for a status code (e.g. `404 NOT FOUND`)."""
    return Response(status=status).status


def http_date_now(_last: list = [0, ""]) -> str:  # noqa: B006 - a one-entry memo, on purpose
    """The Date header for this second (formatting a date costs more than serving a cached page)."""
    now = int(time.time())
    if _last[0] != now:
        _last[:] = [now, http_date(now)]
    return _last[1]


def cached_page(
    render: Callable[[], tuple[str, int] | str],
    mimetype: str = "text/html",
    parts: tuple[str, ...] = (),
    store: "PageStore | None" = None,
) -> Response:
    """Serve a public page (or feed) from the cache, rendering and compressing it on a miss.

    `parts` add to the key what else the page depends on (e.g. a normalized search query); such a
    page may be kept in its own `store` (e.g. a bounded one) instead of the shared one.
    """
    state, key = _state(), "|".join((page_key(), *parts))
    if store is None:
        if not parts:  # the fast path keys pages by path and variant alone
            if len(state.paths) >= MAX_PATHS:
                state.paths.clear()
            state.paths.add(request.path)
        page = None if request.environ.get(MISSED) == key else state.call("get", key)
    else:
        page = store.get(key)
    if page is not None:
        return serve(page)
    result = render()
    html, status = result if isinstance(result, tuple) else (result, 200)
    page = compress(status, html, mimetype)
    if store is None:
        state.call("set", key, page)
    else:
        store.set(key, page)
    return serve(page, hit=False)


class PageStore(Protocol):
    """Where `cached_page` may keep pages instead of the shared store."""

    def get(self, key: str) -> CachedPage | None: ...

    def set(self, key: str, page: CachedPage) -> None: ...


def init_app(app: Flask, library: Callable[[], object], loaded: object) -> State:
    """Open the store CACHE_TYPE names (in-process by default, Redis when set) and return the state.

    `library()` is the content being served: a new one (a reload) means a new render version. The
    version of `loaded`, the library loaded now, is computed now: workers forked from a server that
    loaded the app (gunicorn --preload), recycled ones included, start with it instead of each hashing
    every file again (10,000 articles: 40 to 180 ms per worker, as often as workers are recycled).
    """
    store, tls = open_store(app.config), security.behind_tls(app)
    state = State(app, store, library, app.config["PAGE_CACHE_CONTROL"], tls)
    state.version = (loaded, render_version(app))
    app.extensions["page_cache"] = state
    return state
