"""Two-factor sign-in in real Chromium on the production server: the server-drawn QR code shows under
the strict CSP, a code from it turns two-factor on, and the next sign-in asks for one."""

import os
import subprocess
import sys
import time

import pyotp
import pytest
from liveserver import ROOT, start_server, stop_server
from playwright.sync_api import expect
from test_csp import assert_clean_then_enforced, watch

EMAIL, PASSWORD = "marketer@example.com", "a long enough passphrase"


@pytest.fixture(scope="module")
def admin_server(tmp_path_factory):
    """A server over a migrated store holding one marketer account."""
    instance = tmp_path_factory.mktemp("instance-2fa")
    env = {**os.environ, "FLASK_INSTANCE_PATH": str(instance)}
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*flask, "users", "create", EMAIL, "--password", PASSWORD], cwd=ROOT, env=env,
                   check=True, capture_output=True)  # fmt: skip
    process, url = start_server(instance)
    yield url
    stop_server(process)


def sign_in(page, url: str) -> None:
    """Fill and send the sign-in form."""
    page.goto(url + "/admin/login")
    page.fill("#login-email", EMAIL)
    page.fill("#login-password", PASSWORD)
    page.click("main form.admin-form button[type=submit]")


@pytest.mark.browser
def test_enrol_with_the_qr_code_then_sign_in_with_a_code(page, admin_server):
    problems = watch(page)
    sign_in(page, admin_server)
    page.goto(admin_server + "/admin/account")
    qr = page.locator("figure.admin-qr svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] >= 150 and box["width"] == box["height"]  # square, large enough to scan
    assert_clean_then_enforced(page, problems)

    secret = page.locator("[data-secret]").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.fill("#enrol-code", totp.now())
    page.click("text=Turn on two-factor sign-in")
    codes = page.locator("ol.recovery-codes code")
    expect(codes).to_have_count(10)

    page.goto(admin_server + "/admin/")
    page.click("text=Sign out")
    sign_in(page, admin_server)
    expect(page).to_have_url(admin_server + "/admin/login/code")
    page.fill("#login-code", totp.at(time.time() + 30))  # enrolling used up this step's code
    page.click("main form.admin-form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Newsletter")
