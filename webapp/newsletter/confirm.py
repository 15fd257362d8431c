"""The links in our emails: confirm a subscription, and unsubscribe (with RFC 8058's one-click POST).

Opening a link changes nothing (mail scanners open links); only a POST does. The confirmation page POSTs
by itself with our script `static/js/confirm.js`, so readers with JavaScript see "Confirmed" at once while
scanners, which run none, confirm nothing; the button stays for everyone else.
"""

from flask import abort, current_app, redirect, render_template, request, url_for

from webapp import insights
from webapp.newsletter import store as signups
from webapp.newsletter.tokens import client_hash, read_confirm_token, read_unsubscribe_token, signing_keys
from webapp.newsletter.views import bp
from webapp.web.htmx import is_htmx
from webapp.web.request_guard import FORM_TYPES, read_form, require_same_origin

UNKNOWN_UNSUBSCRIBE = "This unsubscribe link is not one of ours, or it was replaced by a newer one."
ONE_CLICK = ("List-Unsubscribe",)  # RFC 8058's one field
# What a confirmation link's page says, by state, and with which status.
STATES = {"ask": 200, "confirmed": 200, "expired": 410, "used": 410, "replaced": 410}


def _link(token: str):
    """The confirmation link a token is, or a 404 when we did not sign it."""
    max_age = current_app.config["SIGNUP_CONFIRM_DAYS"] * 86400
    link = read_confirm_token(signing_keys(current_app.config), token, max_age)
    if link is None:
        abort(404, "This confirmation link is not one of ours. Please copy the whole link from the email.")
    return link


def _state(status: str | None, expired: bool) -> str:
    """Where a link stands, from its signup's status (None: no signup holds it any more)."""
    if status is None:
        return "replaced"
    if status == "confirmed":
        return "confirmed"  # also when opened again later: it says so, and stays true
    if status != "pending":
        return "used"
    return "expired" if expired else "ask"


def _show(token: str, state: str):
    """The confirmation page, or just its box for htmx and confirm.js."""
    template = "partials/_confirm.html" if is_htmx(request) else "newsletter/confirm.html"
    return render_template(template, token=token, state=state), STATES[state]


@bp.get("/confirm/<token>")
def confirm_page(token: str):
    """Show the Confirm button (pressed by confirm.js at once), or where the link stands."""
    link = _link(token)
    row = signups.by_confirm_nonce(link.nonce)
    return _show(token, _state(row.status if row else None, link.expired))


@bp.post("/confirm/<token>")
def confirm(token: str):
    """Confirm the signup, record the time and the consent it confirms, and queue the welcome email."""
    require_same_origin()
    link = _link(token)
    if link.expired:
        row = signups.by_confirm_nonce(link.nonce)
        status = row.status if row else None
    else:
        client = client_hash(current_app.config["SECRET_KEY"], request.remote_addr)
        before = signups.by_confirm_nonce(link.nonce)  # pending now: this POST is the one that confirms
        status = signups.confirm(link.nonce, client, webhook=bool(current_app.config["SIGNUP_WEBHOOK_URL"]))
        if before is not None and before.status == "pending" and status == "confirmed":
            insights.record_confirmed(before.article_slug, request.headers)  # counts only, for marketers
    state = _state(status, link.expired)
    if is_htmx(request) or state != "confirmed":
        return _show(token, state)
    return redirect(url_for("newsletter.confirm_page", token=token), code=303)


def _key(token: str) -> str:
    """The unsubscribe key a token carries, or a 404."""
    key = read_unsubscribe_token(signing_keys(current_app.config), token)
    if key is None:
        abort(404, UNKNOWN_UNSUBSCRIBE)
    return key


@bp.get("/unsubscribe/<token>")
def unsubscribe_page(token: str):
    """Ask to confirm (mail scanners open links, so only the POST unsubscribes), or say it is done."""
    row = signups.by_unsubscribe_key(_key(token))
    if row is None:
        abort(404, UNKNOWN_UNSUBSCRIBE)
    return render_template("newsletter/unsubscribe.html", token=token, status=row.status)


@bp.post("/unsubscribe/<token>")
def unsubscribe(token: str):
    """Unsubscribe (the record and its history are kept). A mail provider's one-click POST (RFC 8058:
    `List-Unsubscribe=One-Click`, no Origin, no token) is answered at once; our page's form is redirected
    back to the page, which then says it is done."""
    one_click = request.mimetype in FORM_TYPES and read_form(ONE_CLICK)[ONE_CLICK[0]] == "One-Click"
    if not one_click:
        require_same_origin()  # The link's token is the secret; this only keeps other sites' forms out.
    key = _key(token)
    client = client_hash(current_app.config["SECRET_KEY"], request.remote_addr)
    status = signups.unsubscribe(key, client, webhook=bool(current_app.config["SIGNUP_WEBHOOK_URL"]))
    if status is None:
        abort(404, UNKNOWN_UNSUBSCRIBE)
    if one_click:
        return render_template("newsletter/unsubscribe.html", token=token, status=status)
    return redirect(url_for("newsletter.unsubscribe_page", token=token), code=303)
