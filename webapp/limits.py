"""Rate limits (Flask-Limiter) and where the client address comes from (a trusted proxy only if told)."""

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

# No default limits: only the routes that write (signup, login) are limited, each by its own config key.
limiter = Limiter(key_func=get_remote_address)


def signup_limit() -> str:
    """The per-client limit on newsletter signups (SIGNUP_RATE_LIMIT)."""
    return current_app.config["SIGNUP_RATE_LIMIT"]


def login_limit() -> str:
    """The per-client limit on marketers' login attempts (LOGIN_RATE_LIMIT)."""
    return current_app.config["LOGIN_RATE_LIMIT"]


def init_app(app: Flask) -> None:
    """Trust TRUSTED_PROXIES hops of X-Forwarded-For/-Proto (none by default), then attach the limiter."""
    hops = int(app.config["TRUSTED_PROXIES"])
    if hops > 0:
        # Without this, a reader could pick their own rate-limit key by sending X-Forwarded-For.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    limiter.init_app(app)
