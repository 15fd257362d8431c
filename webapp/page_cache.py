"""Whole-response caching for public pages: rendered and compressed once, then served as bytes."""

import gzip
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import brotli
from flask import Flask, Response, current_app, request
from flask_caching import Cache

from webapp.htmx import is_htmx

cache = Cache()


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


def page_key(*parts: str) -> str:
    """The cache key of a page: content version, path, query and the htmx variant."""
    variant = "fragment" if is_htmx(request) else "page"
    version = current_app.extensions["library"].version
    return "|".join(("page", version, request.path, request.query_string.decode("latin-1"), variant, *parts))


def serve(page: CachedPage, mimetype: str = "text/html") -> Response:
    """Build a response from a cached page, honouring Accept-Encoding and If-None-Match."""
    encoding = choose_encoding(request.headers.get("Accept-Encoding", ""))
    body = {"br": page.br, "gzip": page.gzip}.get(encoding, page.body)
    response = Response(body, status=page.status, mimetype=mimetype)
    if encoding != "identity":
        response.headers["Content-Encoding"] = encoding
    response.set_etag(page.etag, weak=True)
    response.headers["Cache-Control"] = current_app.config["PAGE_CACHE_CONTROL"]
    response.vary.update(("HX-Request", "Accept-Encoding"))
    return response.make_conditional(request)


def cached_page(render: Callable[[], tuple[str, int] | str], mimetype: str = "text/html") -> Response:
    """Serve a public page (or feed) from the cache, rendering and compressing it on a miss."""
    key = page_key()
    page = cache.get(key)
    if page is None:
        result = render()
        html, status = result if isinstance(result, tuple) else (result, 200)
        page = compress(status, html)
        cache.set(key, page)
    return serve(page, mimetype)


def init_app(app: Flask) -> None:
    """Attach the cache configured by CACHE_TYPE (in-process by default, Redis when set)."""
    cache.init_app(app)
