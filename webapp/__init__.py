"""Healthy Tips: mobile-first health articles, served by Flask and enhanced with htmx."""

import os
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: defaults, then `FLASK_*` environment variables or the test's dict."""
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("FLASK_INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=instance_path or str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=None,
    )
    app.config.from_mapping(
        SITE_NAME="Healthy Tips",
        SITE_URL="http://127.0.0.1:8000",
        CONTENT_DIR=str(ROOT / "content"),
        STATIC_DIR=str(ROOT / "static"),
        DATABASE_URL=f"sqlite:///{Path(app.instance_path) / 'healthytips.sqlite3'}",
        CACHE_TYPE="SimpleCache",
        CACHE_REDIS_URL=None,
        CACHE_KEY_PREFIX="healthytips:",  # one prefix per site when sites share a Redis
        CACHE_DEFAULT_TIMEOUT=3600,
        CACHE_THRESHOLD=2000,
        ARTICLES_PER_PAGE=24,
        PAGE_CACHE_CONTROL="public, max-age=300, stale-while-revalidate=60",
        STATIC_MAX_AGE=3600,
        SECRET_KEY=None,
        # Signups store, newsletter and marketers' side (see webapp/database.py, limits.py, admin.py).
        DATABASE_BUSY_TIMEOUT_MS=5000,
        MAX_FORM_BYTES=16 * 1024,
        SIGNUP_RATE_LIMIT="10 per minute; 60 per hour",
        LOGIN_RATE_LIMIT="5 per minute; 30 per hour",
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_KEY_PREFIX="healthytips",
        RATELIMIT_SWALLOW_ERRORS=True,
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        TRUSTED_PROXIES=0,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=False,
        PERMANENT_SESSION_LIFETIME=12 * 3600,
    )
    if test_config is None:
        app.config.from_prefixed_env()
    else:
        app.config.from_mapping(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config["SECRET_KEY"]:
        from webapp.secret_key import load_or_create

        app.config["SECRET_KEY"] = load_or_create(app.instance_path)

    from webapp import (
        admin,
        assets,
        content_cli,
        content_reload,
        health,
        library,
        limits,
        migrate,
        newsletter,
        page_cache,
        pages,
        pwa,
        request_log,
        security,
        seo,
        signups_cli,
    )

    library.init_app(app)
    content_reload.init_app(app)  # after library: keeps the last good content
    limits.init_app(app)
    newsletter.init_app(app)
    migrate.init_app(app)
    admin.init_app(app)
    signups_cli.init_app(app)
    page_cache.init_app(app)
    pages.init_app(app)
    pwa.init_app(app)
    seo.init_app(app)
    health.init_app(app)
    content_cli.init_app(app)
    security.init_app(app)  # before assets: WhiteNoise takes its static_headers function
    assets.init_app(app)
    security.wrap_wsgi(app)  # after assets: headers on WhiteNoise's own 304s and 405s too
    request_log.init_app(app)  # last: one log line for every request, static files included
    return app
