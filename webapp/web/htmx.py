"""How we read htmx's request headers (after django-htmx)."""

from flask import Request


def is_htmx(request: Request) -> bool:
    """True for an htmx request that wants a fragment, not a history restore wanting the page."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )
