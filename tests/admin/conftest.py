"""The marketers' fixtures: one app per backend and module, a marketer's account and a signed-in client."""

import pytest
from backends import clear_tables, make_app
from marketers import EMAIL, PASSWORD, log_in

from webapp.admin import accounts


@pytest.fixture(scope="module")
def shared_app(module_migrated_url, tmp_path_factory, static_build_dir):
    """One app per backend for the module (no FLASK_MAIL_URL: mail is written to files)."""
    return make_app(
        tmp_path_factory.mktemp("instance"),
        static_build_dir,
        DATABASE_URL=module_migrated_url,
        SITE_URL="https://healthy.example",
        LOGIN_RATE_LIMIT="1000 per minute",
        SIGNUP_RATE_LIMIT="1000 per minute",
        INSIGHTS_RATE_LIMIT="1000 per minute",
    )


@pytest.fixture
def marketers_app(shared_app):
    """The module's app with empty tables and one marketer account."""
    clear_tables(shared_app.config["DATABASE_URL"])
    with shared_app.app_context():
        accounts.create_user(EMAIL, PASSWORD)
    return shared_app


@pytest.fixture
def marketer(marketers_app):
    """A client signed in through the login form."""
    client = marketers_app.test_client()
    assert log_in(client).status_code in (302, 303)
    return client
