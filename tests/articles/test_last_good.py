"""A server started while an article is bad serves the last good library from the parse cache."""

import logging
import uuid

import pytest

from webapp import create_app
from webapp.articles.library import LAST_GOOD, library_of
from webapp.articles.model import ContentError

SLUG = "circadian-rhythm-light"


@pytest.fixture
def start(content_copy, tmp_path, static_build_dir):
    """A function starting the app on the content copy, in one instance folder unless told otherwise."""

    def started(instance=tmp_path / "instance"):
        settings = {
            "TESTING": True,
            "SECRET_KEY": "last-good-tests-" + "k" * 32,
            "INSTANCE_PATH": str(instance),
        }
        settings |= {"CONTENT_DIR": str(content_copy), "STATIC_BUILD_DIR": str(static_build_dir)}
        return create_app(settings)

    return started


def break_article(content, name: str) -> None:
    """Leave an editor's half-written article: its front matter is not valid YAML."""
    (content / name).write_text("---\ntitle: [unfinished\n---\n")


def test_a_restart_with_a_bad_article_serves_the_last_good_library(start, content_copy, caplog):
    good = start()
    count = len(library_of(good).articles)
    break_article(content_copy, f"{SLUG}.md")
    with caplog.at_level(logging.ERROR):
        restarted = start()
    library = library_of(restarted)
    assert library.version == LAST_GOOD and len(library.articles) == count
    assert restarted.test_client().get(f"/articles/{SLUG}").status_code == 200  # as it was before
    message = next(r.getMessage() for r in caplog.records if "last good library" in r.getMessage())
    assert f"{SLUG}.md" in message and "front matter" in message


def test_without_a_last_good_library_start_up_stops(start, content_copy, tmp_path):
    break_article(content_copy, f"{SLUG}.md")
    with pytest.raises(ContentError, match=SLUG):
        start(tmp_path / f"fresh-{uuid.uuid4().hex[:6]}")


def test_the_last_good_library_is_exactly_the_last_good_load(start, content_copy):
    extra = content_copy / "extra-copy.md"
    extra.write_text((content_copy / f"{SLUG}.md").read_text())  # the same article under another slug
    assert "extra-copy" in {a.slug for a in library_of(start()).articles}
    extra.unlink()
    served = {a.slug for a in library_of(start()).articles}  # a good load without it
    break_article(content_copy, f"{SLUG}.md")
    restarted = start()
    assert {a.slug for a in library_of(restarted).articles} == served and "extra-copy" not in served
    assert restarted.test_client().get("/articles/extra-copy").status_code == 404
