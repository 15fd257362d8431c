"""Rate limits (Flask-Limiter) and where the client address comes from (a trusted proxy only if told)."""

import ipaddress
from collections.abc import Callable
from functools import wraps

from flask import Flask, current_app, request
from flask_limiter import Limiter
from werkzeug.middleware.proxy_fix import ProxyFix


def client_key() -> str:
    """Who a limit counts: the key of this request's client address (`address_key`)."""
    return address_key(request.remote_addr)


def address_key(address: str | None) -> str:
    """The IPv4 address, or the IPv6 /64 (one subscriber's network, which holds 18 quintillion
    addresses: counted one by one, a single line could make unlimited attempts). No address at all
    counts as 127.0.0.1, as in Flask-Limiter's get_remote_address."""
    address = address or "127.0.0.1"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if ip.version == 4:
        return address
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.IPv6Network((ip, 64), strict=False))


def signup_limit() -> str:
    """The per-client limit on newsletter signups (SIGNUP_RATE_LIMIT)."""
    return current_app.config["SIGNUP_RATE_LIMIT"]


def login_limit() -> str:
    """The per-client limit on marketers' login attempts (LOGIN_RATE_LIMIT)."""
    return current_app.config["LOGIN_RATE_LIMIT"]


def limit_posts(app: Flask, endpoint: str, limit: Callable[[], str]) -> None:
    """Limit POSTs to one of this app's views, per client address."""
    limiter = app.extensions["limiter"]
    view = limiter.limit(limit, methods=["POST"])(app.view_functions[endpoint])

    @wraps(view)
    def checked(*args, **kwargs):
        limiter.check()  # auto_check is off: only the views that write pay for a limit check
        return view(*args, **kwargs)

    app.view_functions[endpoint] = checked


def trust_proxies(app: Flask) -> None:
    """Trust TRUSTED_PROXIES hops of X-Forwarded-For/-Proto (none by default), around the WSGI layers
    installed so far (the page cache's fast path, the insights beacons) and Flask."""
    hops = int(app.config["TRUSTED_PROXIES"])
    if hops > 0:
        # Without a proxy in front, a reader could choose their own rate-limit key with X-Forwarded-For.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def init_app(app: Flask) -> None:
    """Give the app a limiter.

    Each app gets its own Limiter, because Flask-Limiter keeps some settings from the first app it
    serves. No default limits: only the views that write are limited, through `limit_posts`.
    """
    # auto_check=False: Flask-Limiter would otherwise evaluate (empty) limits before every request,
    # a third of what a cached article costs; the limited views check for themselves.
    app.extensions["limiter"] = Limiter(key_func=client_key, app=app, auto_check=False)
