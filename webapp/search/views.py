"""The search pages: `/search?q=` (a page, or the results fragment for htmx) and the OpenSearch file."""

import math
import sqlite3

from flask import Blueprint, Flask, abort, current_app, render_template, request, url_for
from werkzeug.exceptions import BadRequest, HTTPException, ServiceUnavailable

from webapp.articles.library import get_library
from webapp.search import query, spelling
from webapp.search.cache import QueryPages
from webapp.search.query import Hit
from webapp.search.store import IndexStore
from webapp.web.htmx import is_htmx
from webapp.web.page_cache import cached_page

bp = Blueprint("search", __name__)
PER_PAGE = 10
MAX_PAGE = 50  # deeper pages are never what a reader wants: a better query is
TOPICS = 12  # topics offered when nothing matches
UNAVAILABLE = "Search is not available right now. Please try again in a minute."


def _store() -> IndexStore:
    """The index this app serves (set by init_app, in this module)."""
    return current_app.extensions["search"][0]


def _pages() -> QueryPages:
    """The cached search pages (set by init_app, in this module)."""
    return current_app.extensions["search"][1]


def page_number() -> int:
    """The `page` argument: a whole number from 1 to MAX_PAGE (400 otherwise)."""
    raw = request.args.get("page", "1")
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise BadRequest(f"The page number must be a whole number from 1 to {MAX_PAGE}.")
    return int(raw)


def hit_url(hit: Hit) -> str:
    """Where a result leads: the article, at the part that matched (an FAQ answer opens)."""
    if hit.anchor.startswith("faq-"):
        number = int(hit.anchor.removeprefix("faq-"))
        return url_for("pages.faq_answer", slug=hit.slug, number=number) + f"#{hit.anchor}"
    return url_for("pages.article", slug=hit.slug) + (f"#{hit.anchor}" if hit.anchor else "")


def _context(text: str, number: int) -> dict:
    """Everything the results templates show for a query and page."""
    found = query.words(text)
    store = _store()
    try:
        connection = store.connection()
        results = query.search(connection, found, (number - 1) * PER_PAGE, PER_PAGE)
        suggestion = spelling.suggest(connection, store.path, found) if found and not results.total else None
    except sqlite3.Error as error:  # a missing or damaged index: say so, never a 500
        current_app.logger.error("search failed for %r: %r", text, error)
        raise ServiceUnavailable(UNAVAILABLE) from error
    if number > 1 and not results.hits:
        abort(404)
    library = get_library()
    hits = [(hit, library.by_slug[hit.slug]) for hit in results.hits if hit.slug in library.by_slug]
    topics = sorted(library.by_tag, key=lambda tag: (-len(library.by_tag[tag]), tag))[:TOPICS]
    return dict(
        q=text,
        searched=bool(found),
        total=results.total,
        hits=hits,
        number=number,
        pages=min(MAX_PAGE, math.ceil(results.total / PER_PAGE)),
        offset=(number - 1) * PER_PAGE,
        suggestion=suggestion,
        topics=topics if not hits else [],
        newest=library.articles[:6] if not hits else [],
    )


def _render(text: str, number: int) -> str:
    """The results page, or only its main content (with the title) for htmx."""
    template = "search/fragment.html" if is_htmx(request) else "search/results.html"
    return render_template(template, search_query=text, **_context(text, number))


@bp.get("/search")
def results():
    """Articles matching the reader's words, best first; the same page with or without JavaScript."""
    text = query.normalize(request.args.get("q", ""))
    number = page_number()
    store = _pages().of(text)
    return cached_page(lambda: _render(text, number), parts=(text, str(number)), store=store)


@bp.get("/opensearch.xml")
def opensearch():
    """The OpenSearch description, so browsers offer the site's search in the address bar."""
    return cached_page(
        lambda: render_template("search/opensearch.xml"), mimetype="application/opensearchdescription+xml"
    )


@bp.errorhandler(BadRequest)
@bp.errorhandler(ServiceUnavailable)
def problem(error: HTTPException):
    """A bad argument, or no index: the search page saying what is wrong (a fragment for htmx)."""
    text = query.normalize(request.args.get("q", ""))
    template = "search/fragment.html" if is_htmx(request) else "search/results.html"
    html = render_template(template, search_query=text, q=text, problem=error.description, hits=[], total=0)
    response = current_app.response_class(html, status=error.code, mimetype="text/html")
    response.vary.add("HX-Request")
    return response


def init_app(app: Flask, store: IndexStore) -> None:
    """Register the search pages for the index `store` serves."""
    app.extensions["search"] = (store, QueryPages(app.config["SEARCH_CACHED_QUERIES"]))
    app.register_blueprint(bp)
    app.jinja_env.globals["search_hit_url"] = hit_url
