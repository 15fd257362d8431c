"""Shared fixtures: an app with a temporary instance folder, its test client and CLI runner."""

import pytest

from webapp import create_app


@pytest.fixture
def app(tmp_path):
    """The app with the real content, a temporary instance folder and an in-process cache."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "INSTANCE_PATH": str(tmp_path)})
    yield app


@pytest.fixture
def client(app):
    """A Flask test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A runner for the app's `flask` commands."""
    return app.test_cli_runner()
