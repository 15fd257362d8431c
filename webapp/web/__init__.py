"""Web plumbing every request shares: htmx headers, the page cache, static files, security headers,
request guards, rate limits, the request and security logs, the secret key and `/healthz`."""

from collections.abc import Callable
from pathlib import Path

from flask import Flask

from webapp.web import (
    assets,
    canonical,
    fast_path,
    health,
    htmx,
    limits,
    page_cache,
    request_log,
    secret_key,
    security,
    security_log,
)


def prepare(app: Flask) -> None:
    """Make the instance folder; check the configured secret key, or use the one kept in that folder."""
    Path(app.instance_path).mkdir(mode=0o755, parents=True, exist_ok=True)  # never group-writable
    secret_key.init_app(app)


def init_app(app: Flask, library: Callable, loaded: object) -> None:
    """The page cache (keyed by the version of `library()`, `loaded` now) and its fast path, rate
    limits, htmx's Vary rule and canonical paths, before the views that use them."""
    fast_path.init_app(app, page_cache.init_app(app, library, loaded))  # first WSGI layer: around Flask
    limits.init_app(app)
    canonical.init_app(app)  # before any view, so before the page cache
    htmx.init_app(app)
    health.init_app(app)


def wrap(app: Flask) -> None:
    """The WSGI layers around the app, innermost first: proxy fix, static files, security headers, request
    log."""
    limits.trust_proxies(app)  # around the fast path and the areas' layers: all see the client's address
    static_headers = security.init_app(app)
    assets.init_app(app, static_headers)
    security.wrap_wsgi(app)  # outside WhiteNoise: headers on its own 304s and 405s too
    request_log.init_app(app)  # outermost: one log line for every request, static files included
    security_log.init_app(app)  # sign-ins, exports and account changes, with the account
