"""Real Chromium (Debian's) driving the real production server on a free port."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}


def free_port() -> int:
    """A TCP port nobody is listening on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(instance: Path, env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """Start gunicorn serving app:app on a free port and wait until it answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    environment = {
        **os.environ,
        "FLASK_INSTANCE_PATH": str(instance),
        "FLASK_SITE_URL": url,
        **(env or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2", "app:app"],
        cwd=ROOT,
        env=environment,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        try:
            urllib.request.urlopen(url + "/", timeout=1).read()
            return process, url
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("the server did not answer within 30 seconds")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The base URL of a real gunicorn server with the shipped content."""
    process, url = start_server(tmp_path_factory.mktemp("instance"))
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium; a missing browser fails the run, it never skips."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test`, which installs it", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A phone-sized page with JavaScript on."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page_nojs(browser):
    """A phone-sized page with JavaScript off."""
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()
