"""Web plumbing every request shares: htmx headers, the page cache, static files, security headers,
request guards, rate limits, the request log, the secret key and `/healthz`."""

from collections.abc import Callable
from pathlib import Path

from flask import Flask

from webapp.web import assets, health, limits, page_cache, request_log, secret_key, security


def prepare(app: Flask) -> None:
    """Make the instance folder and, unless configured, the secret key kept in it."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = secret_key.load_or_create(app.instance_path)


def init_app(app: Flask, library: Callable) -> None:
    """Rate limits and the page cache (keyed by `library()`'s version), before the views that use them."""
    limits.init_app(app)
    page_cache.init_app(app, library)
    health.init_app(app)


def wrap(app: Flask) -> None:
    """The WSGI layers around the app, innermost first: static files, security headers, request log."""
    static_headers = security.init_app(app)
    assets.init_app(app, static_headers)
    security.wrap_wsgi(app)  # outside WhiteNoise: headers on its own 304s and 405s too
    request_log.init_app(app)  # outermost: one log line for every request, static files included
