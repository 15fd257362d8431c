"""The reader's pages: home, tag lists, articles and their FAQ answers."""

from flask import Blueprint, Flask, abort, current_app, redirect, render_template, request, url_for
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from webapp.articles import markdown as rendering
from webapp.articles.library import get_library
from webapp.articles.model import Article, tag_label
from webapp.reader.pagination import paginate
from webapp.web.htmx import is_htmx
from webapp.web.page_cache import cached_page

bp = Blueprint("pages", __name__)


def _page_or_404(articles, number: int):
    """One page of a list of articles, or a 404 past the last page."""
    page = paginate(articles, number, current_app.config["ARTICLES_PER_PAGE"])
    if page is None:
        abort(404)
    return page


@bp.get("/")
@bp.get("/page/<int:number>")
def index(number: int = 1):
    """The articles as cards, newest first, a page at a time."""
    if request.path == "/page/1":
        return redirect(url_for("pages.index"), 308)
    page = _page_or_404(get_library().articles, number)
    return cached_page(lambda: render_template("pages/index.html", page=page, base="/"))


@bp.get("/tags/<tag>")
@bp.get("/tags/<tag>/page/<int:number>")
def tag(tag: str, number: int = 1):
    """The articles carrying one tag, a page at a time."""
    articles = get_library().tagged(tag)
    if not articles:
        abort(404)
    if request.path.endswith("/page/1"):
        return redirect(url_for("pages.tag", tag=tag), 308)
    page = _page_or_404(articles, number)
    return cached_page(
        lambda: render_template(
            "pages/tag.html", tag=tag, page=page, base=url_for("pages.tag", tag=tag) + "/"
        )
    )


def _article_or_404(slug: str) -> Article:
    """The article with this slug, or a 404."""
    article = get_library().by_slug.get(slug)
    if article is None:
        abort(404)
    return article


def article_page(article: Article, open_faq: int | None = None, signup: dict | None = None) -> str:
    """Render the full article page, optionally with one FAQ answer open or the signup form's state."""
    return render_template(
        "articles/article.html",
        article=article,
        related=get_library().related(article),
        open_faq=open_faq,
        signup=signup,
    )


@bp.get("/articles/<slug>")
def article(slug: str):
    """One article, every part of it on one page."""
    found = _article_or_404(slug)
    return cached_page(lambda: article_page(found))


@bp.get("/articles/<slug>/faq/<int:number>")
def faq_answer(slug: str, number: int):
    """One FAQ answer: the fragment for htmx, else the article page with that answer open."""
    found = _article_or_404(slug)
    if not 1 <= number <= len(found.faq):
        abort(404)
    if is_htmx(request):
        return cached_page(
            lambda: render_template(
                "partials/_faq_answer.html", article=found, item=found.faq[number - 1], number=number
            )
        )
    return cached_page(lambda: article_page(found, open_faq=number))


def not_found(error: HTTPException):
    """A friendly 404 that offers articles instead of a dead end (a fragment for htmx)."""
    if is_htmx(request):
        html = render_template("partials/_not_found.html")
    else:
        html = render_template("errors/404.html", articles=get_library().articles[:6])
    return Flask.response_class(html, status=404, mimetype="text/html")  # htmx.add_vary: Vary


def markdown_block(text: str, article: Article) -> Markup:
    """Render an article's Markdown field, numbering its citations."""
    return rendering.render_block(text, article.citation_numbers)


def markdown_inline(text: str, article: Article) -> Markup:
    """Render an article's one-line Markdown field without a paragraph."""
    return rendering.render_inline(text, article.citation_numbers)


def body_sections(article: Article) -> list[rendering.Section]:
    """The article body split into the intro and its sections."""
    return rendering.render_sections(article.body, article.citation_numbers)


def long_date(value) -> str:
    """A date the way readers write it: November 2, 2026."""
    return f"{value:%B} {value.day}, {value.year}"


def init_app(app: Flask) -> None:
    """Register the pages, the 404 page and the template helpers."""
    app.register_blueprint(bp)
    app.register_error_handler(404, not_found)
    app.jinja_env.filters["tag_label"] = tag_label
    app.jinja_env.globals.update(
        markdown_block=markdown_block, markdown_inline=markdown_inline, body_sections=body_sections
    )
    app.jinja_env.filters["long_date"] = long_date
