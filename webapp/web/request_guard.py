"""Guards for public forms that carry no token: same-origin checks, small bodies, plain UTF-8 fields."""

from collections.abc import Collection
from urllib.parse import unquote_to_bytes, urlsplit

from flask import abort, current_app, request

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def guard_form_size() -> None:
    """Refuse big bodies before they are read (MAX_FORM_BYTES) and bound the number of fields."""
    limit = current_app.config["MAX_FORM_BYTES"]
    request.max_content_length = limit
    request.max_form_memory_size = limit
    request.max_form_parts = 20


def _origin(url: str) -> str:
    """The scheme://host[:port] of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def origins(host_url: str, site_url: str) -> set[str]:
    """Our scheme://host[:port]: the one a request reached (its `host_url`) and the configured SITE_URL's."""
    return {_origin(host_url), _origin(site_url)}


def own_origins() -> set[str]:
    """Our origins (`origins`) for this request."""
    return origins(request.host_url, current_app.config["SITE_URL"])


def is_own_url(url: str, own: Collection[str] | None = None) -> bool:
    """True when a URL (or an Origin header) is on one of our own origins (`own`, else this request's)."""
    return bool(url) and _origin(url) in (own_origins() if own is None else own)


def require_same_origin() -> None:
    """403 when Sec-Fetch-Site or Origin shows the POST came from another site (no header: allowed)."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        abort(403, "This form can only be sent from our own pages.")
    origin = request.headers.get("Origin")
    if origin is not None:
        if origin.lower() not in own_origins():
            abort(403, "This form can only be sent from our own pages.")


def _is_utf8(body: bytes) -> bool:
    """True when a URL-encoded body decodes to UTF-8 text (Werkzeug would drop such fields silently)."""
    try:
        unquote_to_bytes(body.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def read_form(names: tuple[str, ...], required: tuple[str, ...] = ()) -> dict[str, str]:
    """The named fields of a form body (415 for another body type, 400 for missing or non-UTF-8 fields)."""
    if request.mimetype not in FORM_TYPES:
        abort(415, "Send the form as a web form (application/x-www-form-urlencoded).")
    if request.mimetype == FORM_TYPES[0] and not _is_utf8(request.get_data(cache=True)):
        abort(400, "The form was not sent as UTF-8 text.")
    form = request.form
    missing = [name for name in required if name not in form]
    if missing:
        abort(400, f"The form is missing its {', '.join(missing)} field.")
    values = {name: form.get(name, "") for name in names}
    if any("\ufffd" in value for value in values.values()):
        abort(400, "The form was not sent as UTF-8 text.")
    return values
