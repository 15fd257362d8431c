"""How we read htmx's request headers (after django-htmx), and the one rule for `Vary` on them.

A response that depends on whether htmx asked must say so, or a cache (nginx's, a CDN's, the browser's)
will one day hand a fragment to someone who asked for the page. It is decided here, once: `is_htmx`
notes that the answer depends on the htmx headers, and `add_vary` (after every request, as
django-htmx's middleware would) adds `Vary: HX-Request, HX-History-Restore-Request` to such answers.
Headers built outside Flask (the page cache's) take their value from `vary`.
"""

from flask import Flask, Request, Response, request

# Both headers decide (a history restore wants the page), so a cache must key on both: otherwise a
# fragment cached for `HX-Request: true` would be handed to a restore, which also sends that header.
HEADERS = ("HX-Request", "HX-History-Restore-Request")
DEPENDS = "webapp.htmx.depends"  # environ key: this request's answer depends on the htmx headers


def wants_fragment(environ: dict) -> bool:
    """True for an htmx request that wants a fragment, not a history restore wanting the page."""
    return (
        environ.get("HTTP_HX_REQUEST") == "true" and environ.get("HTTP_HX_HISTORY_RESTORE_REQUEST") != "true"
    )


def is_htmx(request: Request) -> bool:
    """`wants_fragment` for a Flask request; its response will carry `Vary: HX-Request`."""
    request.environ[DEPENDS] = True
    return wants_fragment(request.environ)


def vary(*others: str) -> str:
    """The Vary value of a response that depends on the htmx headers and on `others`."""
    return ", ".join((*HEADERS, *others))


def add_vary(response: Response) -> Response:
    """After a request whose answer depended on the htmx headers, say so in Vary."""
    if DEPENDS in request.environ:
        response.vary.update(HEADERS)
    return response


def init_app(app: Flask) -> None:
    """Add `Vary: HX-Request` wherever `is_htmx` was asked."""
    app.after_request(add_vary)
