"""Real Chromium (Debian's) driving the real production server on a free port."""

from pathlib import Path

import pytest
from liveserver import CHROMIUM, CHROMIUM_ARGS, PHONE, start_server, stop_server
from playwright.sync_api import sync_playwright


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The base URL of a real gunicorn server with the shipped content."""
    process, url = start_server(tmp_path_factory.mktemp("instance"))
    yield url
    stop_server(process)


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


@pytest.fixture
def sw_context(browser):
    """A phone-sized context where service workers run (each test gets a fresh profile)."""
    context = browser.new_context(viewport=PHONE, service_workers="allow")
    yield context
    context.close()
