"""The configuration defaults; every one can be set with a `FLASK_*` environment variable (README)."""

from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def defaults(instance_path: str) -> dict:
    """Every setting's default, for an app whose instance folder is `instance_path`."""
    return dict(
        SITE_NAME="Healthy Tips",
        SITE_URL="http://127.0.0.1:8000",
        CONTENT_DIR=str(ROOT / "content"),
        STATIC_DIR=str(ROOT / "static"),
        DATABASE_URL=f"sqlite:///{Path(instance_path) / 'healthytips.sqlite3'}",
        CACHE_TYPE="SimpleCache",
        CACHE_REDIS_URL=None,
        CACHE_KEY_PREFIX="healthytips:",  # one prefix per site when sites share a Redis
        CACHE_DEFAULT_TIMEOUT=3600,
        CACHE_THRESHOLD=2000,
        ARTICLES_PER_PAGE=24,
        SEARCH_CACHED_QUERIES=500,  # distinct search queries whose pages the page cache keeps, per worker
        PAGE_CACHE_CONTROL="public, max-age=300, stale-while-revalidate=60",
        STATIC_MAX_AGE=3600,
        # The installable app (webapp/reader/pwa.py, worker.py): articles a device keeps to read offline
        # (with their pictures and answers; the least recently read go first), and the retiring worker.
        READING_CACHE_ARTICLES=50,
        SW_RETIRE=False,
        SECRET_KEY=None,
        SECRET_KEY_FALLBACKS=[],  # old keys, still verified after a rotation (webapp/web/secret_key.py)
        # Signups store, newsletter and marketers' side (webapp/db, webapp/web/limits.py, webapp/admin).
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
        # Double opt-in, the outbox and its sender (webapp/newsletter: mailer, sender, webhook).
        MAIL_URL=None,  # smtp://, smtp+starttls:// or smtps://; unset: .eml files in instance/mail/
        MAIL_FROM=None,  # unset: "SITE_NAME <newsletter@site host>"
        MAIL_BACKGROUND_SENDER=True,  # a sender thread in each web worker; off when a unit runs send-loop
        SIGNUP_CONFIRM_DAYS=7,
        SIGNUP_PENDING_DAYS=30,
        SIGNUP_WEBHOOK_URL=None,
        SIGNUP_WEBHOOK_SECRET=None,
        # Article insights (webapp/insights): the beacon endpoint and the optional Redis buffer.
        INSIGHTS_RATE_LIMIT="120 per minute; 2000 per hour",
        INSIGHTS_MAX_BYTES=2048,
        INSIGHTS_REDIS_URL=None,
        INSIGHTS_KEY_PREFIX="healthytips:insights:",
        INSIGHTS_FLUSH_SECONDS=5,
    )


def load(app: Flask, test_config: dict | None) -> None:
    """Defaults, then `FLASK_*` environment variables, or the test's dict when one is given."""
    app.config.from_mapping(defaults(app.instance_path))
    if test_config is None:
        app.config.from_prefixed_env()
    else:
        app.config.from_mapping(test_config)
