"""The beacon endpoint, POST /insights/events: small JSON batches from our own pages, answered 204.

It works when pages come from nginx's cache or a CDN, because the page's script calls it. Beacons are
the busiest request of the site (one per event, several per page view), so a thin WSGI layer answers
them before Flask builds a request: Flask's dispatch and Flask-Limiter's check cost more than counting.
The layer sits around the page cache's fast path, inside the proxy fix, static files, secure edge and
request log (webapp/web/__init__.py), which apply to it as to Flask: the client's address and scheme
behind a trusted proxy, the HTTPS redirect, the security headers and the log line. Flask keeps the URL
rule (for `url_for`, and to answer other methods: 405, OPTIONS).

A beacon gets, in this order: 429 over INSIGHTS_RATE_LIMIT per client (counted first, whatever the
request holds); 403 unless it comes from one of our pages; 415 unless it is JSON; 413 above
INSIGHTS_MAX_BYTES; 400 when it does not parse; 422 for an invalid batch; 503 with Retry-After when the
store is down and no buffer took the counts; else 204, counted unless the reader opts out or is a
crawler. Every answer is `no-store`, and errors say why in JSON: `{"error": "..."}`.
"""

import json
from collections.abc import Callable, Iterable
from functools import lru_cache, partial
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response
from werkzeug.datastructures import Headers
from werkzeug.exceptions import (
    BadRequest,
    Forbidden,
    HTTPException,
    InternalServerError,
    ServiceUnavailable,
    TooManyRequests,
    UnprocessableEntity,
    UnsupportedMediaType,
)
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Request

from webapp.db.schema import utcnow
from webapp.insights import events, privacy, recorder, store
from webapp.insights.rate_limit import RateLimit
from webapp.web.limits import address_key
from webapp.web.request_guard import is_own_url, origins

bp = Blueprint("insights", __name__)  # Flask's side: the hook below, for the endpoint added by init_app
PATH, ENDPOINT = "/insights/events", "insights.receive"  # url_for("insights.receive") in the article page
OWN_PAGES_ONLY = "Events are accepted from our own pages only."
NOT_STORED = "The counters cannot be stored just now."
NO_STORE = ("Cache-Control", "no-store")
COUNTED = (f"204 {HTTP_STATUS_CODES[204].upper()}", [NO_STORE])  # the status line as Flask spells it


@lru_cache(maxsize=64)
def ours(host_url: str, site_url: str) -> tuple[frozenset[str], frozenset[str]]:
    """Our origins for a request that reached `host_url`, and their host names (no referrer source)."""
    own = frozenset(origins(host_url, site_url))
    return own, frozenset(urlsplit(origin).hostname for origin in own)


def from_our_page(headers: Headers, own: frozenset[str]) -> bool:
    """True when the browser says the request came from one of our pages (Origin is required)."""
    same_site = headers.get("Sec-Fetch-Site", "same-origin") == "same-origin"
    return same_site and is_own_url(headers.get("Origin", ""), own)


class Beacons:
    """WSGI middleware answering POST /insights/events; everything else goes to `wsgi_app`."""

    def __init__(self, wsgi_app: Callable, app: Flask, path: str):
        self.wsgi_app, self.app, self.path = wsgi_app, app, path
        self.state: recorder.State = app.extensions["insights"]
        self.limit = RateLimit(app, "INSIGHTS_RATE_LIMIT", ENDPOINT)
        self.remembered = events.Remembered()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Answer a beacon, or pass the request on."""
        if environ.get("PATH_INFO") != self.path or environ.get("REQUEST_METHOD") != "POST":
            return self.wsgi_app(environ, start_response)
        return self.answer(environ, start_response)

    def answer(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """204 for a batch taken, or the JSON problem."""
        try:
            self.receive(Request(environ))
        except HTTPException as error:
            return self.problem(error, environ, start_response)
        except store.StoreUnavailable as error:
            self.app.logger.error("insights: batch not stored: %s", error)
            return self.problem(ServiceUnavailable(NOT_STORED), environ, start_response, retry_after="60")
        except Exception:  # a bug: logged, and answered as Flask would (raised when testing or debugging)
            propagate = self.app.config["PROPAGATE_EXCEPTIONS"]
            if propagate or (propagate is None and (self.app.testing or self.app.debug)):
                raise
            self.app.logger.exception("Exception on %s [POST]", self.path)
            return self.problem(InternalServerError(), environ, start_response)
        start_response(*COUNTED)
        return []

    def receive(self, request: Request) -> None:
        """Check the request, then count its batch unless the reader opts out (HTTPException if refused)."""
        broken = self.limit.exceeded(address_key(request.remote_addr))
        if broken is not None:
            raise TooManyRequests(str(broken))
        own, own_hosts = ours(f"{request.scheme}://{request.host}", self.app.config["SITE_URL"])
        if not from_our_page(request.headers, own):
            raise Forbidden(OWN_PAGES_ONLY)
        if request.mimetype != "application/json":
            raise UnsupportedMediaType("Send the events as application/json.")
        request.max_content_length = self.app.config["INSIGHTS_MAX_BYTES"]
        batch = self.batch(request.get_data(cache=False), own_hosts)  # 413 past the limit, unread
        if privacy.counted(request.headers):
            landing = request.referrer or ""  # the article's URL, so its UTM tags, when it is our page
            utm = events.utm_tags(landing) if is_own_url(landing, own) else ()
            recorder.record_in(self.app, events.batch_counts(batch, utcnow().date(), utm))

    def batch(self, body: bytes, own_hosts: frozenset[str]) -> events.Batch:
        """The body's batch (400 when it is not JSON, 422 when it is not a valid batch), parsed once for
        each library: the same bytes come again and again."""
        library = self.state.library()
        batch = self.remembered.get(library, (body, own_hosts))
        if batch is None:
            try:
                data = json.loads(body)
            except ValueError:  # UnicodeDecodeError included
                raise BadRequest("The body is not valid JSON.") from None
            try:
                batch = events.parse(data, partial(recorder.questions_in, library), own_hosts)
            except events.InvalidBatch as error:
                raise UnprocessableEntity(str(error)) from None
            self.remembered.put(library, (body, own_hosts), batch)
        return batch

    def problem(
        self, error: HTTPException, environ: dict, start_response: Callable, retry_after: str | None = None
    ) -> Iterable[bytes]:
        """The error's status with `{"error": description}`, as Flask's jsonify writes it."""
        response = self.app.json.response(error=error.description)
        response.status_code = error.code
        response.headers.set(*NO_STORE)
        if retry_after:
            response.headers["Retry-After"] = retry_after
        return response(environ, start_response)


@bp.after_request
def never_cached(response: Response) -> Response:
    """What Flask answers at this URL (OPTIONS, say) is never kept by a cache either."""
    response.headers.set(*NO_STORE)
    return response


def init_app(app: Flask) -> None:
    """Put the beacon layer around the app's WSGI layers so far, and give Flask the URL rule (under the
    blueprint's name, so `never_cached` applies): its view answers as the layer does, should a POST
    ever reach Flask (Flask runs a WSGI app that a view returns)."""
    beacons = Beacons(app.wsgi_app, app, PATH)
    app.register_blueprint(bp)
    app.add_url_rule(PATH, ENDPOINT, lambda: beacons.answer, methods=["POST"])
    app.wsgi_app = beacons
