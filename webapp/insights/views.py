"""The beacon endpoint, POST /insights/events: small JSON batches from our own pages, answered 204.

It works when pages come from nginx's cache or a CDN, because the page's script calls it. Every answer
is `no-store`; bad input gets a 4xx with a JSON message and changes nothing.
"""

import json
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, abort, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from webapp.db.schema import utcnow
from webapp.insights import events, privacy, recorder, store
from webapp.web.limits import limit_posts
from webapp.web.request_guard import is_own_url, own_origins

bp = Blueprint("insights", __name__, url_prefix="/insights")
OWN_PAGES_ONLY = "Events are accepted from our own pages only."


def events_limit() -> str:
    """The per-client limit on event batches (INSIGHTS_RATE_LIMIT)."""
    return current_app.config["INSIGHTS_RATE_LIMIT"]


def _require_own_origin() -> None:
    """403 unless the browser says the request came from one of our pages (Origin is required)."""
    origin = request.headers.get("Origin", "")
    fetch_site = request.headers.get("Sec-Fetch-Site", "same-origin")
    if not is_own_url(origin) or fetch_site != "same-origin":
        abort(403, OWN_PAGES_ONLY)


def _read_json() -> object:
    """The body as JSON: 415 for another type, 413 above INSIGHTS_MAX_BYTES, 400 when it does not parse."""
    if request.mimetype != "application/json":
        abort(415, "Send the events as application/json.")
    request.max_content_length = current_app.config["INSIGHTS_MAX_BYTES"]
    body = request.get_data(cache=False)  # 413 past the limit, before it is all read
    try:
        return json.loads(body)
    except ValueError:  # UnicodeDecodeError included
        abort(400, "The body is not valid JSON.")


@bp.post("/events")
def receive():
    """Validate a batch and add it to today's counters, unless the reader opts out or is a crawler."""
    _require_own_origin()
    data = _read_json()
    own_hosts = {urlsplit(origin).hostname for origin in own_origins()}
    try:
        batch = events.parse(data, recorder.faq_count, own_hosts)
    except events.InvalidBatch as error:
        abort(422, str(error))
    if privacy.counted(request.headers):
        landing = request.referrer or ""  # the article's URL, so its UTM tags, when it is our page
        utm = events.utm_tags(landing) if is_own_url(landing) else ()
        recorder.record(events.batch_counts(batch, utcnow().date(), utm))
    return Response(status=204)


@bp.errorhandler(HTTPException)
def problem(error: HTTPException):
    """A short JSON message and the right status."""
    return jsonify(error=error.description), error.code


@bp.errorhandler(store.StoreUnavailable)
def unavailable(error: store.StoreUnavailable):
    """The database is away (and no buffer took the batch): try again later."""
    current_app.logger.error("insights: batch not stored: %s", error)
    return jsonify(error="The counters cannot be stored just now."), 503, {"Retry-After": "60"}


@bp.after_request
def never_cached(response: Response) -> Response:
    """No cache, browser or proxy, ever keeps an answer of this endpoint."""
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Register the endpoint and its rate limit."""
    app.register_blueprint(bp)
    limit_posts(app, "insights.receive", events_limit)
