"""Fixtures of the newsletter tests: a real SMTP server, and an app sending to it."""

import pytest
from backends import clear_tables, make_app
from liveserver import free_port
from mail_settings import MAIL_FROM, SITE
from smtp_server import SmtpServer


@pytest.fixture(scope="module")
def smtp_port() -> int:
    """The port of this module's SMTP server (known before the app is built)."""
    return free_port()


@pytest.fixture
def smtp(smtp_port):
    """A running SMTP server with an empty inbox; a test may stop and start it."""
    server = SmtpServer(smtp_port)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def mail_app(module_migrated_url, smtp_port, tmp_path_factory, static_build_dir):
    """One app per backend for a module, mailing through the SMTP server on `smtp_port`."""
    return make_app(
        tmp_path_factory.mktemp("instance"),
        static_build_dir,
        DATABASE_URL=module_migrated_url,
        RATELIMIT_ENABLED=False,
        SITE_URL=SITE,
        MAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        MAIL_FROM=MAIL_FROM,
    )


@pytest.fixture
def mail(mail_app):
    """The mail app in an application context, on an empty database."""
    clear_tables(mail_app.config["DATABASE_URL"])
    with mail_app.app_context():
        yield mail_app
