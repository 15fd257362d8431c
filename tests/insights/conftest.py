"""Fixtures of the insights tests: one app per backend for a module, emptied before each test."""

import pytest
from backends import clear_tables, make_app

from webapp.articles.library import get_library


@pytest.fixture(scope="module")
def insights_app(module_migrated_url, tmp_path_factory, static_build_dir):
    """An app on a migrated database of each backend, with a small event limit to flood."""
    return make_app(
        tmp_path_factory.mktemp("instance"),
        static_build_dir,
        DATABASE_URL=module_migrated_url,
        SIGNUP_RATE_LIMIT="1000 per minute",
        INSIGHTS_RATE_LIMIT="1000 per minute",
    )


@pytest.fixture
def app(insights_app):
    """The module's app with empty tables."""
    clear_tables(insights_app.config["DATABASE_URL"])
    return insights_app


@pytest.fixture
def article(app):
    """A real article with at least two questions."""
    with app.app_context():
        return next(a for a in get_library().articles if len(a.faq) >= 2)
