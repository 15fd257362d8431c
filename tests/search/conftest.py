"""Fixtures of the search tests: one app per module serving the library of tests/search_library.py."""

import pytest
from search_library import make_app, write_library


@pytest.fixture(scope="module")
def search_app(tmp_path_factory, static_build_dir):
    """One app per module serving the test library."""
    content = write_library(tmp_path_factory.mktemp("content"))
    return make_app(tmp_path_factory.mktemp("instance"), content, static_build_dir)


@pytest.fixture(scope="module")
def search_client(search_app):
    """A test client of `search_app`."""
    return search_app.test_client()
