"""Security headers on every response: pages, fragments, errors, redirects and static files."""

from collections.abc import Callable, Iterable
from functools import lru_cache

from flask import Flask, Response, request
from werkzeug.datastructures import Headers
from werkzeug.utils import redirect
from werkzeug.wsgi import get_current_url

ONE_YEAR = 31536000
# Exactly what the site uses: our own scripts, styles, images, fetches (htmx, the service worker),
# the manifest and the worker; nothing else, no inline code, no eval.
CSP = "; ".join((
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "worker-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
))  # fmt: skip
# Powerful features a health-article site never needs, each switched off for every frame.
PERMISSIONS = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "camera", "display-capture", "geolocation", "gyroscope", "hid", "idle-detection",
    "magnetometer", "microphone", "midi", "payment", "publickey-credentials-get", "serial", "usb",
    "xr-spatial-tracking", "browsing-topics",
))  # fmt: skip
PUBLIC_FILE_TYPES = (".png", ".jpg", ".jpeg", ".webp", ".avif", ".gif", ".svg", ".ico")


def header_list(secure: bool, path: str = "") -> tuple[tuple[str, str], ...]:
    """The security headers for one response; HSTS only when the reader reached us over HTTPS."""
    # Pictures may be embedded elsewhere (newsletters, shares); everything else stays ours alone.
    return _headers(secure, path.lower().endswith(PUBLIC_FILE_TYPES))


@lru_cache(maxsize=4)
def _headers(secure: bool, public_file: bool) -> tuple[tuple[str, str], ...]:
    """The headers of each kind of response, built once (every request sends them)."""
    headers = (
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Permissions-Policy", PERMISSIONS),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cross-Origin-Resource-Policy", "cross-origin" if public_file else "same-origin"),
        ("X-Frame-Options", "DENY"),
    )
    return (*headers, ("Strict-Transport-Security", f"max-age={ONE_YEAR}")) if secure else headers


def behind_tls(app: Flask) -> bool:
    """True when config says a proxy in front of us serves the site over HTTPS."""
    flag = app.config.get("BEHIND_TLS")
    if isinstance(flag, str):
        flag = flag.strip().lower() in {"1", "true", "yes", "on"}
    return bool(flag) or app.config.get("PREFERRED_URL_SCHEME") == "https"


def forwarded_plain_http(environ: dict) -> bool:
    """True when the TLS proxy says this request reached it over plain HTTP."""
    # Trusting the header here is safe: a forged value only earns its sender a redirect to HTTPS.
    proto = environ.get("HTTP_X_FORWARDED_PROTO", "")
    return proto.split(",")[0].strip().lower() == "http"


class SecureEdge:
    """Outermost WSGI layer: sends plain HTTP to HTTPS behind a TLS proxy, and fills in the headers
    of responses made outside Flask (WhiteNoise's files, its 304s and 405s)."""

    def __init__(self, wsgi_app: Callable, tls: bool):
        self.wsgi_app, self.tls = wsgi_app, tls

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Redirect or pass the request on, adding any security header the response lacks."""
        secure = self.tls or environ.get("wsgi.url_scheme") == "https"
        path = environ.get("PATH_INFO", "")

        def start(status: str, headers: list, exc_info=None):
            names = {name for name, _ in headers}  # exact names first: Flask's responses have them all
            extra = [pair for pair in header_list(secure, path) if pair[0] not in names]
            if extra:  # a header may be there under another case
                present = {name.lower() for name in names}
                extra = [pair for pair in extra if pair[0].lower() not in present]
            return start_response(status, headers + extra if extra else headers, exc_info)

        if self.tls and forwarded_plain_http(environ):
            url = "https://" + get_current_url(environ).split("://", 1)[1]
            code = 301 if environ.get("REQUEST_METHOD") in ("GET", "HEAD") else 308
            return redirect(url, code)(environ, start)
        return self.wsgi_app(environ, start)


def init_app(app: Flask) -> Callable[[Headers, str, str], None]:
    """Add the headers to Flask's responses and (through WhiteNoise) to static files."""
    tls = behind_tls(app)

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        """Every response Flask makes, 304s and errors included, gets the headers it lacks."""
        secure = tls or request.is_secure
        present = {name.lower() for name in response.headers.keys()}  # one scan, not one per header
        response.headers.extend(
            (name, value) for name, value in header_list(secure, request.path) if name.lower() not in present
        )
        return response

    def static_headers(headers: Headers, path: str, url: str) -> None:
        """WhiteNoise's add_headers_function: the same headers on every static file."""
        for name, value in header_list(tls, url):
            headers[name] = value

    return static_headers


def wrap_wsgi(app: Flask) -> None:
    """Put the secure edge outside WhiteNoise; call after `assets.init_app`."""
    app.wsgi_app = SecureEdge(app.wsgi_app, behind_tls(app))
