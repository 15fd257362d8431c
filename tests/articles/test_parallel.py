"""A cold start parses in one process per core; the parse cache it leaves is the one a deploy builds
with `flask content build-cache`."""

from pathlib import Path

import pytest

from webapp import create_app
from webapp.articles import parallel
from webapp.articles.library import CACHE_NAME, load_library
from webapp.articles.loader import load_articles

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def every_start_parallel(monkeypatch):
    """Parse in parallel even for the few shipped articles, on a machine of one core too."""
    monkeypatch.setattr(parallel, "MIN_FILES", 1)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)  # other tests' threads linger


def load(content: Path, cache: Path):
    """The library as a start-up loads it, with a parse cache."""
    return load_library(content, ROOT / "static", ROOT / "templates", cache)


def test_a_cold_start_in_parallel_yields_the_articles_of_a_serial_parse(
    content_copy, tmp_path, every_start_parallel
):
    known: dict = {}
    assert parallel.prefill(content_copy, ROOT / "static", known) == len(list(content_copy.glob("*.md")))
    serial, problems = load_articles(content_copy, ROOT / "static")
    assert not problems and sorted(serial, key=lambda a: a.slug) == sorted(
        (article for _, _, article in known.values()), key=lambda a: a.slug
    )
    library = load(content_copy, tmp_path / CACHE_NAME)
    assert library.articles == tuple(sorted(serial, key=lambda a: (a.published, a.slug), reverse=True))
    assert (tmp_path / CACHE_NAME).stat().st_size > 0  # the next start is a warm one


def test_a_bad_file_is_left_to_the_loader_which_names_the_problem(
    content_copy, tmp_path, every_start_parallel
):
    bad = next(content_copy.glob("*.md"))
    bad.write_text(bad.read_text().replace("title:", "titel:", 1))
    known: dict = {}
    parallel.prefill(content_copy, ROOT / "static", known)
    assert bad.name not in known and len(known) == len(list(content_copy.glob("*.md"))) - 1
    with pytest.raises(Exception, match="titel"):
        load(content_copy, tmp_path / CACHE_NAME)


def test_a_warm_start_forks_nothing(content_copy, tmp_path, every_start_parallel, monkeypatch):
    load(content_copy, tmp_path / CACHE_NAME)
    monkeypatch.setattr(parallel, "ProcessPoolExecutor", None)  # would fail if a pool were started
    assert len(load(content_copy, tmp_path / CACHE_NAME).articles) == len(list(content_copy.glob("*.md")))


def test_build_cache_writes_the_parse_cache_for_the_servers(content_copy, tmp_path, static_build_dir):
    instance = tmp_path / "release-instance"
    settings = {"TESTING": True, "SECRET_KEY": "build-cache-test-" + "k" * 32, "INSTANCE_PATH": str(instance)}
    app = create_app(
        {**settings, "CONTENT_DIR": str(content_copy), "STATIC_BUILD_DIR": str(static_build_dir)}
    )
    result = app.test_cli_runner().invoke(args=["content", "build-cache"])
    assert result.exit_code == 0, result.output
    count = len(list(content_copy.glob("*.md")))
    assert f"Parse cache: {count} articles in {instance / CACHE_NAME}" in result.output
    assert (instance / CACHE_NAME).stat().st_size > 0
