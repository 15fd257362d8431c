"""Shared fixtures: an app with a temporary instance folder, its test client and CLI runner."""

import pytest

from webapp import create_app


@pytest.fixture(scope="session")
def static_build_dir(tmp_path_factory):
    """One folder of hashed, compressed static files shared by every app in the run."""
    return tmp_path_factory.mktemp("static-build")


@pytest.fixture
def app(tmp_path, static_build_dir):
    """The app with the real content, a temporary instance folder and an in-process cache."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "INSTANCE_PATH": str(tmp_path),
            "STATIC_BUILD_DIR": str(static_build_dir),
        }
    )
    yield app


@pytest.fixture
def client(app):
    """A Flask test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A runner for the app's `flask` commands."""
    return app.test_cli_runner()
