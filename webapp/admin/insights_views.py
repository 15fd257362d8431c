"""The marketers' "Articles" view, behind the admin sign-in (routes on admin's blueprint): each article's
views, read and signup-form rates, signups and conversion, sortable by links, with a 90-day sparkline;
and one article's questions and the signups after opening them. Dates from a plain GET form."""

from flask import abort, render_template, request, url_for

from webapp.admin import dashboard
from webapp.admin.views import bp
from webapp.articles.library import get_library
from webapp.db.schema import utcnow
from webapp.insights import report, store
from webapp.reader.pagination import paginate

PER_PAGE = 50
SOURCE_KINDS = (
    ("referrer", "Linked from"),
    ("utm_source", "utm_source"),
    ("utm_medium", "utm_medium"),
    ("utm_campaign", "utm_campaign"),
)


class BadArguments(ValueError):
    """A page argument that is not one of the allowed values."""


ARGUMENTS = ("start", "end", "sort", "order", "page")  # the only query arguments these pages read


def _link(**changes) -> str:
    """This page's URL with some of its query arguments changed (any other argument is dropped)."""
    args = {name: value for name, value in request.args.items() if name in ARGUMENTS}
    args.update((name, str(value)) for name, value in changes.items())
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def _range_context(keep: dict[str, str]) -> dict:
    """The range asked for (or the default, with the problem to show), and what _range.html needs."""
    today = utcnow().date()
    try:
        span, problem = report.date_range(request.args.get("start"), request.args.get("end"), today), None
    except report.BadRange as error:
        span, problem = report.last_days(report.DEFAULT_DAYS, today), str(error)
    presets = []
    for days in report.PRESETS:
        preset = report.last_days(days, today)
        href = _link(start=preset.start.isoformat(), end=preset.end.isoformat(), page=1)
        presets.append((days, href, preset == span))
    return {"span": span, "problem": problem, "presets": presets, "keep": keep, "link": _link}


def _sorting() -> tuple[str, bool, int]:
    """The sort column, its direction and the page number asked for (BadArguments when unknown)."""
    column = request.args.get("sort", "views")
    if column not in report.COLUMNS:
        raise BadArguments(f"Sort by one of: {', '.join(report.COLUMNS)}.")
    order = request.args.get("order", "desc" if report.COLUMNS[column][1] else "asc")
    if order not in ("asc", "desc"):
        raise BadArguments("The order is asc or desc.")
    number = request.args.get("page", "1")
    if not number.isdecimal():
        raise BadArguments("The page is a number.")
    return column, order == "desc", int(number)


@bp.get("/articles")
def articles():
    """Every article's funnel over the chosen days, one sortable row each."""
    try:
        column, descending, number = _sorting()
        problem = None
    except BadArguments as error:
        (column, descending, number), problem = ("views", True, 1), str(error)
    context = _range_context({"sort": column, "order": "desc" if descending else "asc"})
    span = context["span"]
    titles = {article.slug: article.title for article in get_library().articles}
    rows = report.article_figures(store.totals(span.start, span.end), titles)
    page = paginate(report.sort_figures(rows, column, descending), number, PER_PAGE)
    if page is None:
        abort(404)
    today = utcnow().date()
    spark = report.last_days(report.SPARK_DAYS, today)
    per_day = store.daily("views", spark.start, spark.end, [row.slug for row in page.items])
    sparks = {
        row.slug: dashboard.bar_chart(
            dashboard.daily_series(per_day.get(row.slug, {}), today, report.SPARK_DAYS), 120, 24, axes=False
        )
        for row in page.items
    }
    columns = []
    for name, (heading, down_first) in report.COLUMNS.items():
        current = name == column
        flip = ("asc" if descending else "desc") if current else ("desc" if down_first else "asc")
        state = ("descending" if descending else "ascending") if current else None
        columns.append((name, heading, _link(sort=name, order=flip, page=1), state))
    site_views = store.site_daily("views", span.start, span.end)
    html = render_template(
        "admin/articles.html",
        page=page,
        site=report.site_figures(rows),
        chart=dashboard.bar_chart(dashboard.daily_series(site_views, span.end, span.days)),
        sparks=sparks,
        columns=columns,
        sources=store.sources(span.start, span.end),
        source_kinds=SOURCE_KINDS,
        **{**context, "problem": problem or context["problem"]},
    )
    return html, 400 if problem or context["problem"] else 200


@bp.get("/articles/<slug>")
def article_insights(slug: str):
    """One article over the chosen days: its figures, views per day, questions by opens, and signups
    of readers who opened a question against those who opened none."""
    context = _range_context({})
    span = context["span"]
    article = get_library().by_slug.get(slug)
    counted = store.totals(span.start, span.end).get(slug)
    if article is None and counted is None:
        abort(404)
    figures = report.ArticleFigures(slug, article.title if article else slug, **(counted or {}))
    per_day = store.daily("views", span.start, span.end, [slug]).get(slug, {})
    chart = dashboard.bar_chart(dashboard.daily_series(per_day, span.end, span.days))
    questions = report.question_figures(
        [item.question for item in article.faq] if article else [],
        store.questions(slug, span.start, span.end),
        figures.views,
    )
    html = render_template(
        "admin/article_insights.html",
        article=article,
        figures=figures,
        chart=chart,
        questions=questions,
        **context,
    )
    return html, 400 if context["problem"] else 200


@bp.app_template_filter("percent")
def percent(value: float | None) -> str:
    """A rate as `42.5%`, or a dash when there were no views."""
    return "–" if value is None else f"{value:g}%"


@bp.app_template_filter("per_hundred")
def per_hundred(value: float | None) -> str:
    """Signups per 100 views as `1.5`, or a dash when there were no views."""
    return "–" if value is None else f"{value:g}"
