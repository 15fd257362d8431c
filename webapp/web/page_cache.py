"""Whole-response caching for public pages: rendered and compressed once, then served as bytes."""

import gzip
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import brotli
from flask import Flask, Response, current_app, request
from flask_caching import Cache
from werkzeug.http import http_date
from werkzeug.utils import get_content_type

from webapp.web.htmx import is_htmx
from webapp.web.render_version import render_version

cache = Cache()
RETRY_SECONDS = 5.0  # while the shared cache is down, try it again this often (pages still render)
REDIS_OPTIONS = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5, "health_check_interval": 30}


@dataclass(slots=True)
class _State:
    """One app's page-cache state: where its content comes from, its render version, cache health."""

    library: Callable[[], object]
    version: tuple[object, str] | None = None
    down: bool = False
    retry_at: float = 0.0


def _state() -> _State:
    """The current app's page-cache state."""
    return current_app.extensions["page_cache"]


@dataclass(frozen=True, slots=True)
class CachedPage:
    """A rendered response body with its compressed forms and validator."""

    status: int
    body: bytes
    gzip: bytes
    br: bytes
    etag: str


def compress(status: int, html: str) -> CachedPage:
    """Encode and compress a rendered page once, so serving it is only a copy."""
    body = html.encode("utf-8")
    return CachedPage(
        status=status,
        body=body,
        gzip=gzip.compress(body, 6, mtime=0),
        br=brotli.compress(body, quality=9, mode=brotli.MODE_TEXT),
        etag=hashlib.sha256(body).hexdigest()[:32],
    )


def choose_encoding(accept_encoding: str) -> str:
    """The best encoding the client accepts: br, then gzip, else identity."""
    offered = {}
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        offered[name.strip()] = q
    for name in ("br", "gzip"):
        if offered.get(name, offered.get("*", 0)) > 0:
            return name
    return "identity"


def current_version() -> str:
    """The render version of the library being served (computed again after a reload)."""
    state = _state()
    library = state.library()
    if state.version is None or state.version[0] is not library:
        state.version = (library, render_version(current_app._get_current_object()))
    return state.version[1]


def page_key(*parts: str) -> str:
    """The cache key of a page: render version, path and the htmx variant.

    The query string is left out: no cached page reads it, and tracking parameters
    (`?utm_source=...`) must neither miss the cache nor fill it with copies.
    """
    variant = "fragment" if is_htmx(request) else "page"
    return "|".join(("page", current_version(), request.path, variant, *parts))


def serve(page: CachedPage, mimetype: str = "text/html", hit: bool = True) -> Response:
    """Build a response from a cached page, honouring Accept-Encoding and If-None-Match."""
    # The hit path of every popular page: the headers are written out in one list (measured ~3x
    # cheaper than Response(mimetype=), set_etag, vary.update and headers.set), and make_conditional
    # runs only for a conditional request; otherwise it would only add Date and Content-Length.
    encoding = _encoding(request.headers.get("Accept-Encoding", ""))
    body = page.br if encoding == "br" else page.gzip if encoding == "gzip" else page.body
    headers = [
        ("Content-Type", get_content_type(mimetype, "utf-8")),
        ("X-App-Cache", "hit" if hit else "miss"),
        ("ETag", f'W/"{page.etag}"'),
        ("Cache-Control", current_app.config["PAGE_CACHE_CONTROL"]),
        ("Vary", "HX-Request, Accept-Encoding"),
    ]
    if encoding != "identity":
        headers.append(("Content-Encoding", encoding))
    environ = request.environ
    if "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ:
        return Response(body, status=page.status, headers=headers).make_conditional(request)
    if environ["REQUEST_METHOD"] in ("GET", "HEAD"):
        headers += (("Date", _http_date_now()), ("Content-Length", str(len(body))))
    return Response(body, status=page.status, headers=headers)


def _http_date_now(_last: list = [0, ""]) -> str:  # noqa: B006 - a one-entry memo, on purpose
    """The Date header for this second (formatting a date costs more than serving a cached page)."""
    now = int(time.time())
    if _last[0] != now:
        _last[:] = [now, http_date(now)]
    return _last[1]


@lru_cache(maxsize=256)
def _encoding(accept_encoding: str) -> str:
    """choose_encoding, remembered: browsers send a handful of distinct Accept-Encoding values."""
    return choose_encoding(accept_encoding)


def cached_page(
    render: Callable[[], tuple[str, int] | str],
    mimetype: str = "text/html",
    parts: tuple[str, ...] = (),
    store: object | None = None,
) -> Response:
    """Serve a public page (or feed) from the cache, rendering and compressing it on a miss.

    `parts` add to the key what else the page depends on (e.g. a normalized search query); such a
    page may be kept in its own `store` (get/set, e.g. a bounded one) instead of the shared one.
    """
    key = "|".join((page_key(), *parts))
    page = shared_cache("get", key) if store is None else store.get(key)
    if isinstance(page, CachedPage):
        return serve(page, mimetype)
    result = render()
    html, status = result if isinstance(result, tuple) else (result, 200)
    page = compress(status, html)
    if store is None:
        shared_cache("set", key, page)
    else:
        store.set(key, page)
    return serve(page, mimetype, hit=False)


def shared_cache(operation: str, *args: object) -> object:
    """Call the cache, treating an outage as a miss: logged once, retried every few seconds."""
    health = _state()
    if time.monotonic() < health.retry_at:
        return None
    try:
        value = getattr(cache, operation)(*args)
    except Exception as error:  # any cache failure: the page renders instead
        if not health.down:
            current_app.logger.error("Page cache unavailable, rendering every page: %r", error)
        health.down, health.retry_at = True, time.monotonic() + RETRY_SECONDS
        return None
    if health.down:
        current_app.logger.warning("Page cache available again")
        health.down = False
    return value


def init_app(app: Flask, library: Callable[[], object]) -> None:
    """Attach the cache configured by CACHE_TYPE (in-process by default, Redis when set).

    `library()` is the content being served: a new one (a reload) means a new render version.
    """
    config = {}
    if app.config["CACHE_TYPE"].rsplit(".", 1)[-1].lower() == "rediscache":
        config["CACHE_OPTIONS"] = {**REDIS_OPTIONS, **(app.config.get("CACHE_OPTIONS") or {})}
    cache.init_app(app, config)
    app.extensions["page_cache"] = _State(library)
