"""Fast start-up must not change what loading yields: the parse cache and the section scan."""

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import pytest
from generated import generate_articles

from webapp.articles import loader
from webapp.articles import parse_cache as content_cache
from webapp.articles.library import load_library
from webapp.articles.loader import load_articles

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def site(tmp_path):
    """A folder of 12 generated articles, a copy of the static files and a cache file path."""
    static = tmp_path / "static"
    shutil.copytree(ROOT / "static" / "images", static / "images")
    content = tmp_path / "content"
    generate_articles.generate(12, content, static, seed=5)
    return content, static, tmp_path / "instance" / "content-cache.msgpack"


def first_heading(text: str) -> str:
    """The first `## ` line of a file."""
    return re.search(r"^## .*$", text, re.MULTILINE).group()


def counting_parses(monkeypatch) -> list[str]:
    """Record the name of every file the loader parses."""
    parsed: list[str] = []
    real = loader.parse_article
    monkeypatch.setattr(loader, "parse_article", lambda path, *a: parsed.append(path.name) or real(path, *a))
    return parsed


def test_a_cached_start_yields_the_same_articles_without_parsing(site, monkeypatch):
    content, static, cache = site
    fresh = load_library(content, static, ROOT / "templates")
    load_library(content, static, ROOT / "templates", cache)
    assert cache.is_file()
    parsed = counting_parses(monkeypatch)
    cached = load_library(content, static, ROOT / "templates", cache)
    assert parsed == []
    assert cached.articles == fresh.articles
    assert cached.version == fresh.version


def test_only_a_changed_file_is_parsed_again(site, monkeypatch):
    content, static, cache = site
    load_library(content, static, ROOT / "templates", cache)
    changed = content / "synthetic-00003.md"
    changed.write_text(changed.read_text().replace("title: ", 'title: "Edited" #', 1))
    parsed = counting_parses(monkeypatch)
    library = load_library(content, static, ROOT / "templates", cache)
    assert parsed == ["synthetic-00003.md"]
    assert library.by_slug["synthetic-00003"].title == "Edited"


def test_a_missing_picture_is_reported_as_without_the_cache(site):
    content, static, cache = site
    load_library(content, static, ROOT / "templates", cache)
    hero = load_articles(content, static)[0][0].hero.src
    (static / hero).unlink()
    known = content_cache.read(cache)
    with_cache = load_articles(content, static, known)[1]
    without = load_articles(content, static)[1]
    assert with_cache == without
    assert any(p.field == "hero.src" and p.message == f"no file static/{hero}" for p in without)


def test_a_cache_from_other_code_or_corrupt_is_ignored(site, monkeypatch):
    content, static, cache = site
    load_library(content, static, ROOT / "templates", cache)
    monkeypatch.setattr(content_cache, "fingerprint", lambda: "other code")
    assert content_cache.read(cache) == {}
    cache.write_bytes(b"\x00garbage")
    assert content_cache.read(cache) == {}
    assert len(load_library(content, static, ROOT / "templates", cache).articles) == 12


# (folder mode, file mode, file owner): writable by everyone, or by the group (another user's file:
# tests/web/test_render_version.py, as a service user).
CASES = [(0o777, 0o644, os.getuid()), (0o755, 0o666, os.getuid())]


def test_a_cache_others_could_have_written_is_never_read(site, monkeypatch):
    """A cache planted by another local user would put their articles on the site: refused."""
    content, static, cache = site
    load_library(content, static, ROOT / "templates", cache)
    for folder_mode, file_mode, owner in CASES:
        cache.parent.chmod(folder_mode)
        cache.chmod(file_mode)
        os.chown(cache, owner, -1)
        assert content_cache.read(cache) == {}, (oct(folder_mode), oct(file_mode), owner)
        parsed = counting_parses(monkeypatch)
        assert len(load_library(content, static, ROOT / "templates", cache).articles) == 12
        assert len(parsed) == 12
        cache.parent.chmod(0o755)
        load_library(content, static, ROOT / "templates", cache)  # written afresh, ours again
        os.chown(cache, os.getuid(), -1)


def test_a_section_heading_inside_a_code_block_does_not_count(site):
    content, static, _ = site
    path = content / "synthetic-00001.md"
    text = path.read_text()
    heading = first_heading(text)
    path.write_text(text.replace(heading, f"```\n{heading}\n```", 1))
    (problem,) = [p for p in load_articles(content, static)[1] if p.path == "synthetic-00001.md"]
    assert problem.field == "body"
    assert problem.message.startswith("has 3 '## ' sections; it needs exactly 4")


def test_closing_hashes_and_setext_headings_count_as_the_parser_says(site):
    content, static, _ = site
    path = content / "synthetic-00002.md"
    text = path.read_text()
    headings = re.findall(r"^## .*$", text, re.MULTILINE)
    text = text.replace(headings[2], headings[2] + " ##", 1)
    path.write_text(text.replace(headings[0], headings[0][3:] + "\n---", 1))
    assert load_articles(content, static)[1] == []


def test_a_heading_the_line_scan_cannot_see_still_counts(site):
    content, static, _ = site
    path = content / "synthetic-00004.md"
    text = path.read_text()
    path.write_text(text.replace("\n\n## ", "\n\n> ## A quoted heading\n\n## ", 1))
    (problem,) = [p for p in load_articles(content, static)[1] if p.path == "synthetic-00004.md"]
    assert problem.message.startswith("has 5 '## ' sections")


def test_a_logged_change_survives_the_cache(site):
    content, static, cache = site
    fresh = {a.slug: a for a in load_library(content, static, ROOT / "templates").articles}
    assert any(len(a.changes) > 1 for a in fresh.values())  # some history has two entries
    load_library(content, static, ROOT / "templates", cache)
    cached = load_library(content, static, ROOT / "templates", cache)
    for article in cached.articles:
        assert article.changes == fresh[article.slug].changes
        assert all(isinstance(c.date, dt.date) for c in article.changes)
