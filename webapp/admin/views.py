"""The marketers' side at /admin: who is signed in, the dashboard and the CSV export (signing in and
out: sign_in.py)."""

import time
from datetime import UTC, datetime

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, ValidationError, generate_csrf, validate_csrf

from webapp.admin import accounts, dashboard
from webapp.articles.library import get_library
from webapp.db.schema import utcnow
from webapp.newsletter import export
from webapp.newsletter import store as signups
from webapp.web import security_log
from webapp.web.limits import limit_posts, login_limit
from webapp.web.request_guard import guard_form_size

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(guard_form_size)
PUBLIC = ("admin.login", "admin.login_code")


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, marked Secure on any request that came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure when configured so, or when this request is HTTPS (directly or via a trusted proxy)."""
        return super().get_cookie_secure(app) or request.is_secure

    def get_expiration_time(self, app: Flask, session) -> datetime | None:
        """The cookie ends when the sign-in does (an absolute lifetime), even when re-issued later."""
        if "signed_in_at" not in session:
            return super().get_expiration_time(app, session)
        return datetime.fromtimestamp(session["signed_in_at"], UTC) + app.permanent_session_lifetime


@bp.before_request
def require_login():
    """Load the signed-in marketer; anyone else is sent to the login page, never shown data."""
    g.user = None
    if "user_id" in session:
        # An absolute lifetime: browsing never extends a sign-in (the cookie is not re-issued either).
        age = time.time() - session.get("signed_in_at", 0)
        if age < current_app.permanent_session_lifetime.total_seconds():
            g.user = accounts.load_user(session["user_id"], session.get("session_version", 0))
        if g.user is None:
            session.clear()  # Expired, logged out elsewhere or disabled: this cookie opens nothing.
    if request.method == "POST":
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError as error:
            raise CSRFError(str(error)) from error
    if g.user is None and request.endpoint not in PUBLIC:
        return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))


@bp.get("/")
def home():
    """The dashboard: totals, signups per article and per day."""
    now = utcnow()
    stats = signups.stats(now)
    titles = {slug: article.title for slug, article in get_library().by_slug.items()}
    chart = dashboard.bar_chart(dashboard.daily_series(stats.per_day, now.date()))
    rows = dashboard.article_rows(stats.per_article, titles)
    return render_template("admin/dashboard.html", stats=stats, chart=chart, articles=rows)


@bp.get("/export.csv")
def export_csv():
    """Every signup as CSV, streamed, with proof of consent and each one's unsubscribe URL."""
    records = export.signup_records()
    chunks = export.csv_chunks(records)
    first = next(chunks)  # Opens the database now, so an outage is a 503, not a cut-off file.
    security_log.record("export", g.user, format="csv")
    body = stream_with_context(_chain(first, chunks))
    filename = f"signups-{utcnow():%Y-%m-%d}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(body, mimetype="text/csv", headers=headers)


def _chain(first: str, rest):
    """The first chunk, then the others."""
    yield first
    yield from rest


@bp.errorhandler(CSRFError)
def csrf_failed(error: CSRFError):
    """A form without a valid token (expired page, or sent from elsewhere)."""
    message = "This form expired. Please go back, reload the page and try again."
    return render_template("admin/message.html", title="Form expired", message=message), 400


@bp.errorhandler(429)
def too_many(error):
    """Too many sign-in attempts from one address."""
    message = "Too many sign-in attempts. Please wait a few minutes and try again."
    return render_template("admin/login.html", email="", error=message), 429


@bp.errorhandler(signups.StoreUnavailable)
def unavailable(error: signups.StoreUnavailable):
    """The database is away: say so rather than fail."""
    current_app.logger.error("admin: database unavailable: %s", error)
    message = "The database cannot be reached just now. Please try again in a minute."
    return render_template("admin/message.html", title="Try again soon", message=message), 503


@bp.after_request
def private(response: Response) -> Response:
    """Nothing marketers see may be stored by a browser or proxy, or indexed."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.vary.add("Cookie")
    return response


def init_app(app: Flask) -> None:
    """Register /admin, its CSRF token helper and HTTPS-aware session cookies."""
    app.session_interface = SessionInterface()
    # Only marketers have sessions: the cookie is sent to /admin alone, so public pages never see,
    # vary on or re-issue it, and it is not refreshed by browsing (the lifetime is absolute).
    app.config.update(SESSION_COOKIE_PATH=bp.url_prefix, SESSION_REFRESH_EACH_REQUEST=False)
    app.jinja_env.globals["csrf_token"] = generate_csrf
    app.register_blueprint(bp)
    limit_posts(app, "admin.login", login_limit)
    limit_posts(app, "admin.login_code", login_limit)
