"""Marketers' tools for one subscriber and for the mail: erase an address (with CSRF, which every admin
POST checks, and a confirmation step), and the mail state the dashboard shows."""

from flask import current_app, g, redirect, render_template, request, url_for

from webapp.admin.views import bp
from webapp.newsletter import outbox
from webapp.newsletter import store as signups
from webapp.newsletter.emails import InvalidEmail, normalize_email


@bp.app_context_processor
def mail_state() -> dict:
    """Whether email is configured, and how many messages were given up on (for the dashboard)."""

    def state() -> dict:
        return {"configured": bool(current_app.config["MAIL_URL"]), "failed": outbox.counts()["failed"]}

    return {"mail_state": state}


@bp.get("/erase")
def erase_form():
    """Ask which address to erase."""
    return render_template("admin/erase.html", step="ask", email="", error=None)


@bp.post("/erase")
def erase():
    """First POST: show what will be erased and ask to confirm; second POST (`confirm=yes`): erase it."""
    raw = request.form.get("email", "")
    try:
        email = normalize_email(raw)
    except InvalidEmail as error:
        return render_template("admin/erase.html", step="ask", email=raw, error=str(error)), 422
    row = signups.find(email)
    if row is None:
        error = "No signup has that address (it may have been erased already)."
        return render_template("admin/erase.html", step="ask", email=raw, error=error), 404
    if request.form.get("confirm") != "yes":
        return render_template("admin/erase.html", step="confirm", email=email, signup=row, error=None)
    signups.erase(email, webhook=bool(current_app.config["SIGNUP_WEBHOOK_URL"]))
    current_app.logger.info("marketer %s erased signup %s", g.user.id, row.id)
    return redirect(url_for("admin.erased"), code=303)


@bp.get("/erased")
def erased():
    """Say the erasure is done (after the redirect, so a reload repeats nothing)."""
    message = "The address, its consent history and its queued mail are gone; only an anonymous count stays."
    return render_template("admin/message.html", title="Erased", message=message)
