"""Signing in, hardened: per-account throttling, TOTP two-factor sign-in with recovery codes, the session
cookie's scope and absolute lifetime, key rotation and the security log."""

import json
import logging
import re
import time

import pyotp
import pytest
from backends import make_app
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from webapp.admin import accounts, throttle
from webapp.db.engine import dispose_engines, reading
from webapp.db.migrate import upgrade
from webapp.db.schema import recovery_codes, users

PASSWORD = "a long enough passphrase"
EMAIL = "marketer@example.com"


@pytest.fixture
def app_config(tmp_path):
    """A migrated SQLite store; the per-client limit out of the way, so only the per-account one acts."""
    url = f"sqlite:///{tmp_path / 'signin.sqlite3'}"
    upgrade(url)
    return {"DATABASE_URL": url, "LOGIN_RATE_LIMIT": "1000 per minute"}


@pytest.fixture
def marketer(app):
    """One marketer account."""
    with app.app_context():
        user = accounts.create_user(EMAIL, PASSWORD)
    yield user
    dispose_engines()


def csrf(client, path: str = "/admin/login") -> str:
    """The CSRF token of the form on a page."""
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def log_in(client, email: str = EMAIL, password: str = PASSWORD, address: str = "203.0.113.1"):
    """Sign in through the form from a client address."""
    data = {"email": email, "password": password, "csrf_token": csrf(client)}
    return client.post("/admin/login", data=data, environ_base={"REMOTE_ADDR": address})


def send_code(client, code: str, path: str = "/admin/login/code"):
    """Post a code to one of the forms that take one."""
    page = "/admin/login/code" if path == "/admin/login/code" else "/admin/account"
    return client.post(path, data={"code": code, "csrf_token": csrf(client, page)})


def security_lines(caplog) -> list[dict]:
    """The security log lines written so far."""
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "webapp.security"]


def test_guessing_at_one_account_from_many_addresses_slows_down_and_then_lets_the_owner_in(
    app_config, tmp_path, static_build_dir, ratelimit_storage
):
    app = make_app(tmp_path / "instance", static_build_dir, **app_config, **ratelimit_storage)
    with app.app_context():
        accounts.create_user(EMAIL, PASSWORD)
    client = app.test_client()
    for email in (EMAIL, "nobody@example.com"):  # a known and an unknown address fare the same
        statuses = [log_in(client, email, "wrong guess", f"198.51.100.{n}").status_code for n in range(5)]
        refused = log_in(client, email, PASSWORD, "192.0.2.99")  # a botnet's next address, right password
        assert statuses == [401] * 5 and refused.status_code == 429, email
        assert "Too many failed sign-ins for this address" in refused.get_data(as_text=True)
        assert refused.headers["Retry-After"] == "2"
    assert log_in(client, "other@example.com", "wrong guess").status_code == 401  # other accounts unaffected
    time.sleep(2.1)  # the wait is over: the owner gets in, and the count starts again
    assert log_in(client, EMAIL, PASSWORD, "192.0.2.99").status_code == 303
    with app.app_context(), app.test_request_context():
        assert throttle.wait_seconds(EMAIL) == 0
    dispose_engines()


def test_each_failure_past_the_free_ones_doubles_the_wait_up_to_15_minutes():
    waits = [throttle.delay_after(n) for n in range(1, 20)]
    assert waits[:4] == [0, 0, 0, 0] and waits[4:8] == [2, 4, 8, 16]
    assert max(waits) == waits[-1] == 900


def test_passwords_and_the_dummy_hash_use_owasp_scrypt_parameters(app, marketer, caplog):
    with app.app_context(), reading() as connection:
        stored = connection.execute(select(users.c.password_hash)).scalar_one()
    assert stored.startswith("scrypt:131072:8:1$")
    assert accounts._dummy_hash().startswith("scrypt:131072:8:1$")
    with app.app_context():  # a hash from before is upgraded at the next sign-in
        from werkzeug.security import generate_password_hash

        old = generate_password_hash(PASSWORD, method="scrypt:32768:8:1")
        from webapp.db.engine import writing

        with writing() as connection:
            connection.execute(users.update().values(password_hash=old))
        assert accounts.authenticate(EMAIL, PASSWORD) is not None
        with reading() as connection:
            assert connection.execute(select(users.c.password_hash)).scalar_one().startswith("scrypt:131072:")


def test_the_session_cookie_lives_under_admin_only_and_is_not_refreshed_by_browsing(app, client, marketer):
    response = log_in(client)
    cookie = response.headers["Set-Cookie"]
    assert "Path=/admin;" in cookie or cookie.endswith("Path=/admin")
    for path in ("/admin/", "/", "/articles/no-such-article"):
        assert "Set-Cookie" not in client.get(path).headers, path  # not re-issued, not extended
    expires = re.search(r"Expires=([^;]+)", cookie).group(1)
    reissued = client.get("/admin/account").headers["Set-Cookie"]  # the enrolment secret changes it
    assert re.search(r"Expires=([^;]+)", reissued).group(1) == expires  # with the same end
    value = client.get_cookie("session", path="/admin").value
    public = client.get("/", headers={"Cookie": f"session={value}"})
    assert "Set-Cookie" not in public.headers and "Cookie" not in public.headers.get("Vary", "")


def test_a_sign_in_ends_after_its_absolute_lifetime_however_busy(app, client, marketer):
    log_in(client)
    assert client.get("/admin/").status_code == 200
    with client.session_transaction("/admin/") as session:
        session["signed_in_at"] -= app.permanent_session_lifetime.total_seconds() + 1
    assert client.get("/admin/").status_code == 302


def test_a_rotated_key_keeps_marketers_signed_in_and_new_cookies_use_the_new_key(app, client, marketer):
    log_in(client)
    old_key, new_key = app.config["SECRET_KEY"], "the-new-key-after-rotation-" + "n" * 16
    app.config.update(SECRET_KEY=new_key, SECRET_KEY_FALLBACKS=[old_key])
    try:
        assert client.get("/admin/").status_code == 200  # the cookie signed with the old key still opens
        fresh = app.test_client()
        log_in(fresh)
        value = fresh.get_cookie("session", path="/admin").value
        assert URLSafeTimedSerializer(new_key, salt="cookie-session", signer_kwargs={
            "key_derivation": "hmac", "digest_method": __import__("hashlib").sha1}).loads(value)  # fmt: skip
        app.config["SECRET_KEY_FALLBACKS"] = []
        stale = app.test_client()
        stale.set_cookie("session", value, path="/admin")
        assert stale.get("/admin/").status_code == 200
    finally:
        app.config.update(SECRET_KEY=old_key, SECRET_KEY_FALLBACKS=[])


def enrol(client) -> tuple[str, list[str]]:
    """Turn on two-factor sign-in through the account page; the secret and the recovery codes."""
    page = client.get("/admin/account").get_data(as_text=True)
    assert '<svg width="' in page and "<title>QR code for your authenticator app</title>" in page
    secret = re.search(r"<code data-secret>([A-Z2-7 ]+)</code>", page).group(1).replace(" ", "")
    shown = send_code(client, pyotp.TOTP(secret).now(), "/admin/account/authenticator")
    assert shown.status_code == 200
    codes = re.findall(r"<li><code>([A-Z0-9-]{29})</code></li>", shown.get_data(as_text=True))
    return secret, codes


def test_two_factor_sign_in_from_enrolment_to_recovery_codes(app, client, marketer, caplog):
    caplog.set_level(logging.INFO, logger="webapp.security")
    log_in(client)
    assert send_code(client, "123456", "/admin/account/authenticator").status_code == 422
    secret, codes = enrol(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    with app.app_context(), reading() as connection:
        stored = connection.execute(select(recovery_codes.c.code_hash)).scalars().all()
    assert len(stored) == 10 and not set(codes) & set(stored)  # only their hashes are kept
    assert 'recovery-codes-left">10<' in client.get("/admin/account").get_data(as_text=True)

    other = app.test_client()
    first = log_in(other)
    assert first.status_code == 303 and first.headers["Location"].startswith("/admin/login/code")
    assert other.get("/admin/").status_code == 302  # the password alone opens nothing
    assert send_code(other, "000000").status_code == 401
    totp = pyotp.TOTP(secret)
    step_code = totp.at(time.time() + 30)  # the next step: enrolment used up the current one
    assert send_code(other, step_code).status_code == 303
    assert other.get("/admin/").status_code == 200

    replay = app.test_client()
    log_in(replay)
    assert send_code(replay, step_code).status_code == 401  # a code works once
    assert send_code(replay, codes[0].lower().replace("-", " ")).status_code == 303  # typed loosely
    again = app.test_client()
    log_in(again)
    assert send_code(again, codes[0]).status_code == 401  # and a recovery code once too
    events = [line["event"] for line in security_lines(caplog)]
    assert "two-factor sign-in turned on" in events and "recovery code used" in events
    assert events.count("sign-in failed") == 3


def test_the_code_step_expires_and_is_throttled_per_account(app, client, marketer):
    log_in(client)
    enrol(client)
    late = app.test_client()
    log_in(late)
    with late.session_transaction("/admin/") as session:
        session["pending_at"] -= 301
    assert late.get("/admin/login/code").status_code == 302
    other = app.test_client()
    log_in(other)
    statuses = [send_code(other, "000000").status_code for _ in range(5)]
    assert statuses == [401] * 5 and send_code(other, "000000").status_code == 429


def test_failed_sign_ins_and_exports_are_logged_with_the_account(app, client, marketer, caplog):
    caplog.set_level(logging.INFO, logger="webapp.security")
    log_in(client, password="wrong guess", address="2001:db8:7:7::1")
    log_in(client, email="Jane.Unknown@example.com", password="wrong guess")
    log_in(client)
    client.get("/admin/export.csv").close()
    failed, unknown, signed_in, export = security_lines(caplog)
    assert failed["event"] == "sign-in failed" and failed["account"] == marketer.id
    assert failed["client"] == "2001:db8:7:7::/64" and failed["reason"] == "password"
    assert unknown["event"] == "sign-in failed" and unknown["email"] == "***@example.com"
    assert "account" not in unknown
    assert signed_in["event"] == "signed in" and signed_in["account"] == marketer.id
    assert export["event"] == "export" and export["account"] == marketer.id and export["email"] == EMAIL


def test_set_password_and_disable_end_the_accounts_sessions(app, client, runner, marketer):
    log_in(client)
    new = "another long passphrase"
    result = runner.invoke(args=["users", "set-password", EMAIL, "--password", new])
    assert result.exit_code == 0 and "sessions have ended" in result.output
    assert client.get("/admin/").status_code == 302
    assert log_in(client).status_code == 401 and log_in(client, password=new).status_code == 303

    result = runner.invoke(args=["users", "disable", EMAIL])
    assert result.exit_code == 0 and "Disabled marketer@example.com" in result.output
    assert client.get("/admin/").status_code == 302
    refused = log_in(client, password=new)
    assert refused.status_code == 401 and "do not match an account" in refused.get_data(as_text=True)
    assert runner.invoke(args=["users", "enable", EMAIL]).exit_code == 0
    assert log_in(client, password=new).status_code == 303

    short = runner.invoke(args=["users", "set-password", EMAIL, "--password", "short"])
    unknown = runner.invoke(args=["users", "disable", "nobody@example.com"])
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    assert unknown.exit_code == 1 and "no account for nobody@example.com" in unknown.output


def test_reset_2fa_removes_the_authenticator_for_a_lost_phone(app, client, runner, marketer):
    log_in(client)
    enrol(client)
    result = runner.invoke(args=["users", "reset-2fa", EMAIL])
    assert result.exit_code == 0 and "password alone" in result.output
    assert client.get("/admin/").status_code == 302
    assert log_in(app.test_client()).headers["Location"] == "/admin/"


def test_an_export_from_the_command_line_is_logged_with_who_ran_it(app, runner, caplog, tmp_path):
    caplog.set_level(logging.INFO, logger="webapp.security")
    result = runner.invoke(args=["signups", "export", "--status", "all", "-o", str(tmp_path / "out.csv")])
    assert result.exit_code == 0, result.output
    [line] = security_lines(caplog)
    assert line["event"] == "export" and line["by"].startswith("command line (") and line["rows"] == 0
