"""One URL per page: a path that is not the canonical form of its endpoint is redirected (308) to it,
before any view runs, so `/page/0002` or `/articles/x/faq/001` never becomes a cache entry of its own
(in the page cache, in Redis or in nginx) and never costs a render."""

from urllib.parse import quote

from flask import Flask, redirect, request, url_for


def canonical_path() -> str | None:
    """The canonical path of this request when the one asked for differs, else None."""
    values = request.view_args
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or ""
    raw_path = raw.partition("?")[0]
    # Only numbers (`int` converters take 007 and Unicode digits) and escaped or non-ASCII paths can be
    # spelt another way; every other request skips building its URL (the hot path stays cheap).
    escaped = "%" in raw_path or not raw_path.isascii()
    if not values or not (escaped or any(type(value) is not str for value in values.values())):
        return None
    built = url_for(request.endpoint, **values)
    if escaped and raw_path.startswith("/"):
        asked = raw_path  # as sent: `/articles/%73leep` is another nginx cache key than `/articles/sleep`
    else:
        asked = quote(request.path, safe="/!$&'()*+,:;=@~")
    return None if asked == built else built


def init_app(app: Flask) -> None:
    """Check every routed request before its view (and so before the page cache) runs."""

    @app.before_request
    def redirect_to_canonical():
        """308 (method and body kept) to the canonical path, with the query string."""
        if request.url_rule is None:
            return None
        path = canonical_path()
        if path is None:
            return None
        query = request.query_string.decode("latin-1")
        return redirect(path + ("?" + query if query else ""), 308)
