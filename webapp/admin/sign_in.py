"""Signing in and out at /admin: the password, then the authenticator's code when the marketer has one.

Every failure counts against the address typed in (webapp/admin/throttle.py) as well as the client
(the per-address limit), and is written to the security log with the account it aimed at.
"""

import logging
import time
from urllib.parse import urlsplit

from flask import current_app, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import generate_csrf

from webapp.admin import accounts, throttle, two_factor
from webapp.admin.views import bp
from webapp.web import security_log

PENDING_SECONDS = 5 * 60  # between a right password and the code
NO_MATCH = "That email address and password do not match an account."
WRONG_CODE = "That code is not right, or was already used. Codes change every 30 seconds."


def _safe_next(target: str | None) -> str:
    """A local path to return to after login (never another site)."""
    parts = urlsplit(target or "")
    if target and not parts.scheme and not parts.netloc and target.startswith("/admin"):
        return target
    return url_for("admin.home")


def _throttled(address: str, template: str, wait: int, **context):
    """The form again with a 429 saying how long to wait (the same for every address, known or not)."""
    target = accounts.find_user(address) or address
    security_log.record("sign-in throttled", target, logging.WARNING, wait_seconds=wait)
    when = f"{wait} second{'s' * (wait != 1)}" if wait < 120 else f"{-(-wait // 60)} minutes"
    message = f"Too many failed sign-ins for this address. Please wait {when} and try again."
    response = current_app.make_response((render_template(template, error=message, **context), 429))
    response.headers["Retry-After"] = str(wait)
    return response


def _complete(user: accounts.User, how: str):
    """Start the marketer's session: a fresh cookie, its absolute start time, then where they were going."""
    throttle.succeeded(user.email)
    session.clear()
    session.permanent = True
    session.update(user_id=user.id, session_version=user.session_version, signed_in_at=int(time.time()))
    generate_csrf()  # now, so the forms of later pages do not change (and so re-issue) the cookie
    security_log.record("signed in", user, method=how)
    return redirect(_safe_next(request.args.get("next")), code=303)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form; a wrong address or password gets one message for both."""
    if request.method == "GET":
        if g.user is not None:
            return redirect(url_for("admin.home"))
        return render_template("admin/login.html", email="", error=None)
    email = request.form.get("email", "")[:254]
    wait = throttle.wait_seconds(email)
    if wait:
        return _throttled(email, "admin/login.html", wait, email=email)
    user = accounts.authenticate(email, request.form.get("password", ""))
    if user is None:
        throttle.failed(email)
        target = accounts.find_user(email) or email
        security_log.record("sign-in failed", target, logging.WARNING, reason="password")
        return render_template("admin/login.html", email=email, error=NO_MATCH), 401
    if not user.two_factor:
        return _complete(user, "password")
    session.clear()
    session.update(pending_user=user.id, pending_version=user.session_version, pending_at=int(time.time()))
    return redirect(url_for("admin.login_code", next=request.args.get("next")), code=303)


def _pending_user() -> accounts.User | None:
    """The marketer who gave the right password in the last five minutes and still owes a code."""
    if time.time() - session.get("pending_at", 0) > PENDING_SECONDS:
        return None
    return accounts.load_user(session.get("pending_user", 0), session.get("pending_version", 0))


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    """The second step: a code from the authenticator app, or one of the recovery codes."""
    user = _pending_user()
    if user is None:
        session.clear()
        return redirect(url_for("admin.login", next=request.args.get("next")))
    if request.method == "GET":
        return render_template("admin/login_code.html", error=None)
    wait = throttle.wait_seconds(user.email)
    if wait:
        return _throttled(user.email, "admin/login_code.html", wait)
    code = request.form.get("code", "")[:64]
    if two_factor.verify(user.id, code):
        return _complete(user, "password and authenticator")
    if two_factor.use_recovery_code(user.id, code):
        left = two_factor.recovery_codes_left(user.id)
        security_log.record("recovery code used", user, codes_left=left)
        return _complete(user, "password and recovery code")
    throttle.failed(user.email)
    security_log.record("sign-in failed", user, logging.WARNING, reason="code")
    return render_template("admin/login_code.html", error=WRONG_CODE), 401


@bp.post("/logout")
def logout():
    """End every session of this marketer (a copied cookie stops working too)."""
    accounts.end_sessions(g.user.id)
    security_log.record("signed out", g.user)
    session.clear()
    return redirect(url_for("admin.login"), code=303)
