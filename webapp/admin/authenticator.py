"""A marketer's own account page: turning two-factor sign-in on (QR code, then a code to confirm it),
getting new recovery codes and turning it off. Recovery codes are shown once, right after they are made.
"""

import logging

from flask import current_app, g, render_template, request, session

from webapp.admin import accounts, throttle, two_factor
from webapp.admin.views import bp
from webapp.web import security_log

WRONG_CODE = "That code is not right. Type the 6 digits your app shows now."


def _enrolment() -> dict:
    """The QR code and the secret of a pending enrolment (kept in the session until confirmed)."""
    secret = session.setdefault("enrol_secret", two_factor.new_secret())
    uri = two_factor.provisioning_uri(secret, g.user.email, current_app.config["SITE_NAME"])
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))  # easier to type by hand
    return {"qr": two_factor.qr_svg(uri), "secret": grouped}


def _page(status: int = 200, error: str | None = None):
    """The account page, with the enrolment form when two-factor sign-in is off."""
    context = {"error": error, "codes_left": None, "enrolment": None}
    if g.user.two_factor:
        context["codes_left"] = two_factor.recovery_codes_left(g.user.id)
    else:
        context["enrolment"] = _enrolment()
    return render_template("admin/account.html", **context), status


def _codes(codes: list[str], title: str):
    """The one page that ever shows these recovery codes."""
    return render_template("admin/recovery_codes.html", codes=codes, title=title)


@bp.get("/account")
def account():
    """Two-factor sign-in: on (codes left) or off (a QR code to turn it on)."""
    return _page()


@bp.post("/account/authenticator")
def enrol():
    """Turn two-factor sign-in on with the first code from the app; every other session ends."""
    if g.user.two_factor:
        return _page()
    secret = session.get("enrol_secret")
    step = two_factor.check_new(secret, request.form.get("code", "")[:64]) if secret else None
    if step is None:
        return _page(422, WRONG_CODE)
    codes = two_factor.enable(g.user.id, secret, step)
    accounts.end_sessions(g.user.id)  # a session opened by password alone ends; this one goes on
    session.pop("enrol_secret", None)
    session["session_version"] = g.user.session_version + 1
    security_log.record("two-factor sign-in turned on", g.user)
    return _codes(codes, "Two-factor sign-in is on")


def _code_ok() -> bool:
    """Whether the form carries a current authenticator code or an unused recovery code."""
    code = request.form.get("code", "")[:64]
    if two_factor.verify(g.user.id, code) or two_factor.use_recovery_code(g.user.id, code):
        return True
    throttle.failed(g.user.email)
    security_log.record("two-factor check failed", g.user, logging.WARNING)
    return False


@bp.post("/account/recovery-codes")
def renew_codes():
    """New recovery codes (the old ones stop working), after a code from the app."""
    if not g.user.two_factor or not _code_ok():
        return _page(422, WRONG_CODE)
    security_log.record("recovery codes renewed", g.user)
    return _codes(two_factor.new_recovery_codes(g.user.id), "New recovery codes")


@bp.post("/account/authenticator/remove")
def remove():
    """Turn two-factor sign-in off, after a code from the app."""
    if not g.user.two_factor or not _code_ok():
        return _page(422, WRONG_CODE)
    two_factor.disable(g.user.id)
    security_log.record("two-factor sign-in turned off", g.user, logging.WARNING)
    g.user = accounts.load_user(g.user.id, g.user.session_version)
    return _page()
