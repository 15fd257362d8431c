"""Being found and shared: canonical URLs, JSON-LD, the sitemap, robots.txt and the Atom feed."""

import datetime as dt

from flask import Blueprint, Flask, current_app, render_template, request
from markupsafe import Markup

from webapp.articles.library import Library, get_library
from webapp.articles.model import Article
from webapp.reader import structured_data
from webapp.web.page_cache import cached_page

bp = Blueprint("seo", __name__)
ARTICLE_ENDPOINTS = {"pages.article", "pages.faq_answer"}
FEED_ENTRIES = 50  # newest articles in the feed; readers poll it, so it stays small at any library size


def site_url() -> str:
    """The configured public origin of the site, without a trailing slash."""
    return current_app.config["SITE_URL"].rstrip("/")


def absolute_url(path: str) -> str:
    """An absolute URL on the configured site for a path."""
    return structured_data.absolute(site_url(), path)


def page_article() -> Article | None:
    """The article this request's page is about: on article and FAQ answer pages only."""
    if request.endpoint not in ARTICLE_ENDPOINTS or not request.view_args:
        return None
    return get_library().by_slug.get(request.view_args.get("slug", ""))


def canonical_url() -> str:
    """This page's absolute URL without its query; an article's FAQ pages point at the article."""
    article = page_article()
    return absolute_url(structured_data.article_path(article) if article else request.path)


def article_json_ld(article: Article) -> Markup:
    """The article's JSON-LD graph, safe to place inside a <script> element."""
    graph = structured_data.article_graph(article, site_url(), current_app.config["SITE_NAME"])
    return Markup(structured_data.to_json_ld(graph))


def site_json_ld() -> Markup:
    """The home page's JSON-LD: the WebSite and its publisher."""
    graph = structured_data.site_graph(site_url(), current_app.config["SITE_NAME"])
    return Markup(structured_data.to_json_ld(graph))


def sitemap_entries(library: Library) -> list[tuple[str, dt.date]]:
    """Every indexable page as (path, last modified): home, each topic, each article."""
    if not library.articles:
        return [("/", dt.date.today())]
    entries = [("/", max(a.updated for a in library.articles))]
    for tag in sorted(library.by_tag):
        entries.append((structured_data.tag_path(tag), max(a.updated for a in library.tagged(tag))))
    entries += [(structured_data.article_path(a), a.updated) for a in library.articles]
    return entries


def atom_time(day: dt.date) -> str:
    """A date as an RFC 3339 timestamp, as Atom requires."""
    return f"{day.isoformat()}T00:00:00Z"


@bp.get("/sitemap.xml")
def sitemap():
    """The sitemap: every article and topic page and the home page, with lastmod."""
    return cached_page(
        lambda: render_template("feeds/sitemap.xml", entries=sitemap_entries(get_library())),
        mimetype="application/xml",
    )


@bp.get("/robots.txt")
def robots():
    """Crawlers may read everything but the admin area; the sitemap says where the pages are."""
    return cached_page(lambda: render_template("feeds/robots.txt"), mimetype="text/plain")


@bp.get("/feed.xml")
def feed():
    """The Atom feed: the newest articles (every one, up to FEED_ENTRIES), each with its full summary."""
    articles = get_library().articles[:FEED_ENTRIES]
    updated = max((a.updated for a in articles), default=dt.date.today())
    return cached_page(
        lambda: render_template("feeds/feed.xml", articles=articles, updated=updated),
        mimetype="application/atom+xml",
    )


def init_app(app: Flask) -> None:
    """Register the feeds and the helpers the head templates use."""
    app.register_blueprint(bp)
    app.jinja_env.globals.update(
        absolute_url=absolute_url,
        canonical_url=canonical_url,
        page_article=page_article,
        article_json_ld=article_json_ld,
        site_json_ld=site_json_ld,
        card_path=structured_data.card_path,
        default_card=structured_data.DEFAULT_CARD,
    )
    app.jinja_env.filters["atom_time"] = atom_time
