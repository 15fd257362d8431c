"""The reader's newsletter routes: sign up (htmx fragment or post/redirect/get) and "check your inbox".

Confirming and unsubscribing are in `confirm.py`, on the same blueprint.
"""

from flask import Blueprint, Flask, Response, current_app, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from webapp import insights
from webapp.articles.library import get_library
from webapp.newsletter import store as signups
from webapp.newsletter.consent import CURRENT, consent_for
from webapp.newsletter.emails import InvalidEmail, mask_email, normalize_email
from webapp.newsletter.tokens import client_hash
from webapp.reader.pages import article_page
from webapp.web.htmx import is_htmx
from webapp.web.limits import limit_posts, signup_limit
from webapp.web.page_cache import cached_page
from webapp.web.request_guard import FORM_TYPES, guard_form_size, read_form, require_same_origin

bp = Blueprint("newsletter", __name__, url_prefix="/newsletter")
bp.before_request(guard_form_size)
TRY_AGAIN = "We could not save your signup just now. Your address is fine: please try again in a minute."
TOO_MANY = "Too many signups from your connection just now. Please try again in a few minutes."


def _form_response(status: int, slug: str | None, **state) -> Response:
    """The signup form again with a message: the fragment for htmx, else the whole page it came from."""
    article = get_library().by_slug.get(slug or "")
    if is_htmx(request):
        html = render_template("partials/_signup.html", article=article, signup=state)
    elif article is not None:
        html = article_page(article, signup=state)
    else:
        html = render_template("newsletter/signup.html", signup=state)
    response = Response(html, status=status, mimetype="text/html")
    if status in (429, 503):
        response.headers["Retry-After"] = "60"
    return response


def _thanks(slug: str | None) -> Response:
    """The same thank-you whatever happened: in place for htmx, else a redirect to the thank-you page."""
    if is_htmx(request):
        return Response(render_template("partials/_signup_thanks.html"), mimetype="text/html")
    known = slug if slug in get_library().by_slug else None
    return redirect(url_for("newsletter.thanks", article=known), code=303)


@bp.get("")
def page():
    """A page holding only the signup form (the no-article fallback)."""
    return cached_page(lambda: render_template("newsletter/signup.html", signup={}))


@bp.post("/signup")
def signup():
    """Store a pending signup and queue its confirmation email in one transaction; a filled honeypot gets
    the same "check your inbox" and stores nothing. Fields beyond the form's own are ignored."""
    require_same_origin()
    form = read_form(("email", "article", "consent_version", "website", "faq_opened"), required=("email",))
    slug = form["article"] if form["article"] in get_library().by_slug else None
    if form["website"]:
        current_app.logger.info("newsletter honeypot filled; nothing stored")
        return _thanks(slug)
    try:
        email = normalize_email(form["email"])
    except InvalidEmail as error:
        return _form_response(422, slug, email=form["email"], error=str(error))
    secret = current_app.config["SECRET_KEY"]
    try:
        signups.add_signup(
            email,
            consent_for(form["consent_version"]),
            article_slug=slug,
            client_hash=client_hash(secret, request.remote_addr),
        )
    except signups.StoreUnavailable as error:
        current_app.logger.error("newsletter signup for %s not stored: %s", mask_email(email), error)
        return _form_response(503, slug, email=form["email"], notice=TRY_AGAIN)
    insights.record_signup(slug, form["faq_opened"], request.headers)  # counts only, for marketers
    return _thanks(slug)


@bp.get("/thanks")
def thanks():
    """The "check your inbox" page a signup without JavaScript lands on."""
    article = get_library().by_slug.get(request.args.get("article", ""))
    return render_template("newsletter/thanks.html", article=article)


@bp.errorhandler(HTTPException)
def problem(error: HTTPException):
    """Bad requests on these routes: a clear message and the right status, as a page or a fragment."""
    if error.code == 429:
        form = request.form if request.mimetype in FORM_TYPES else {}
        return _form_response(429, form.get("article"), email=form.get("email", ""), notice=TOO_MANY)
    template = "partials/_signup_problem.html" if is_htmx(request) else "newsletter/problem.html"
    return render_template(template, error=error), error.code


@bp.errorhandler(signups.StoreUnavailable)
def unavailable(error: signups.StoreUnavailable):
    """The database is away: say so, and that trying again soon will work."""
    current_app.logger.error("newsletter store unavailable: %s", error)
    html = render_template("newsletter/problem.html", error=None, message=TRY_AGAIN)
    return html, 503, {"Retry-After": "60"}


@bp.after_request
def no_store(response: Response) -> Response:
    """Nothing here is per-page cacheable except the bare form and thank-you pages."""
    if request.endpoint not in ("newsletter.page", "newsletter.thanks"):
        response.headers["Cache-Control"] = "no-store"
    return response  # Vary: HX-Request comes from webapp.web.htmx wherever the answer depended on it


def init_app(app: Flask) -> None:
    """Register the newsletter routes and the consent wording templates show."""
    app.register_blueprint(bp)
    limit_posts(app, "newsletter.signup", signup_limit)
    app.jinja_env.globals["current_consent"] = lambda: CURRENT
