"""Shared fixtures: an app with a temporary instance folder, its test client and CLI runner."""

import shutil
from pathlib import Path

import pytest
from backends import (  # noqa: F401
    database_url,
    migrated_url,
    module_migrated_url,
    postgresql_server,
    ratelimit_storage,
)

from webapp import create_app

ROOT = Path(__file__).resolve().parents[1]
SITE = "https://healthy.example"  # a distinctive public address, to tell configured links from request ones


@pytest.fixture
def app_config():
    """Extra settings for the `app` fixture: a test module overrides this fixture to add its own."""
    return {}


@pytest.fixture
def content_copy(tmp_path) -> Path:
    """A temporary content folder holding a copy of every shipped article."""
    folder = tmp_path / "content"
    folder.mkdir()
    for path in (ROOT / "content").glob("*.md"):
        if path.name != "README.md":
            shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture(scope="session")
def static_build_dir(tmp_path_factory):
    """One folder of hashed, compressed static files shared by every app in the run."""
    return tmp_path_factory.mktemp("static-build")


@pytest.fixture
def app(tmp_path, static_build_dir, app_config):
    """The app with the real content, a temporary instance folder and an in-process cache."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-of-32-bytes-or-more",
            "INSTANCE_PATH": str(tmp_path),
            "STATIC_BUILD_DIR": str(static_build_dir),
            **app_config,
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


@pytest.fixture(scope="module")
def site_app(tmp_path_factory, static_build_dir):
    """One app per test module, with the real content, published at SITE."""
    config = {"TESTING": True, "SECRET_KEY": "test-secret-key-of-32-bytes-or-more", "SITE_URL": SITE + "/"}
    config["INSTANCE_PATH"] = str(tmp_path_factory.mktemp("instance"))
    config["STATIC_BUILD_DIR"] = str(static_build_dir)
    return create_app(config)


@pytest.fixture(scope="module")
def site_client(site_app):
    """A test client for the module's `site_app`."""
    return site_app.test_client()
