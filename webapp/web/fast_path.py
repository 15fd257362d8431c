"""The fast path: page-cache hits answered in a thin WSGI layer, before a Flask request is built.

A GET or HEAD of a page the cache holds costs its key, one store look-up and a list of precomputed
headers; everything else, and every miss, goes on to Flask unchanged. The layer sits right around
Flask's own WSGI app: inside the proxy fix, the static files, the secure edge and the request log,
which therefore apply to it exactly as to Flask (the same HTTPS redirect, client address and log
line). What it answers is what Flask answers, byte for byte (tests/web/test_fast_path.py):
- the key is `cached_page`'s: render version (a content reload or a deploy makes new keys, and the
  reload check runs here as before every Flask request), `request.path` and the htmx variant;
- the response comes from `page_cache.answer_hit`, built from the same headers as Flask's `serve`;
- it only looks up paths that `cached_page` has answered in this process, so `/healthz` or `/admin`
  never cost a look-up, and it leaves to Flask any path sent with escapes or non-ASCII characters,
  which Flask may redirect to their canonical spelling (webapp/web/canonical.py).
"""

from collections.abc import Callable, Iterable

from flask import Flask

from webapp.web import page_cache


def plainly_spelt(environ: dict) -> bool:
    """True unless the path was sent with percent-escapes or non-ASCII bytes (as the server saw it)."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI") or ""
    path = raw.partition("?")[0]
    return "%" not in path and path.isascii()


class FastPath:
    """WSGI middleware answering page-cache hits; the rest goes to `wsgi_app` (Flask)."""

    def __init__(self, wsgi_app: Callable, state: page_cache.State):
        self.wsgi_app, self.state = wsgi_app, state

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Answer a cached page, or pass the request on (noting a miss, so Flask does not look again)."""
        if environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            state = self.state
            try:
                path = page_cache.request_path(environ)
            except UnicodeError:  # not PEP 3333 latin-1 text: Flask says what is wrong
                return self.wsgi_app(environ, start_response)
            if path in state.paths and plainly_spelt(environ):
                key = page_cache.key_for(state.current_version(), path, environ)
                page = state.call("get", key)
                if page is not None:
                    return page_cache.answer_hit(state, page, environ, start_response)
                environ[page_cache.MISSED] = key
        return self.wsgi_app(environ, start_response)


def init_app(app: Flask, state: page_cache.State) -> None:
    """Put the fast path right around Flask's own WSGI app (before any other layer wraps it)."""
    app.wsgi_app = FastPath(app.wsgi_app, state)
