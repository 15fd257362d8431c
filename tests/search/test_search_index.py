"""The index file: built at start-up, reused, rebuilt incrementally and atomically on a content reload."""

import sqlite3

import pytest
from search_library import ARTICLES, article_text, make_app, write_library

from webapp.articles.library import reload_library
from webapp.articles.model import ContentError
from webapp.search import index, text


def index_files(instance):
    """The published index files of an instance folder."""
    return sorted((instance / "search").glob("search-*.sqlite3"))


def hits(client, q):
    """How many articles the results page says match."""
    html = client.get("/search", query_string={"q": q}).get_data(as_text=True)
    return html.count('class="search-hit"')


@pytest.fixture
def site(tmp_path, static_build_dir):
    """A content folder and an app serving it, each test its own."""
    content = write_library(tmp_path / "content")
    app = make_app(tmp_path / "instance", content, static_build_dir)
    return app, content, tmp_path / "instance"


def test_start_up_builds_the_index_in_the_instance_folder(site):
    app, _, instance = site
    files = index_files(instance)
    assert len(files) == 1
    connection = sqlite3.connect(files[0])
    slugs = {slug for (slug,) in connection.execute("SELECT slug FROM docs")}
    assert slugs == set(ARTICLES)


def test_a_second_start_reuses_the_index_without_indexing(site, static_build_dir, monkeypatch):
    _, content, instance = site
    before = index_files(instance)
    calls = []
    monkeypatch.setattr(text, "document", lambda article: calls.append(article) or pytest.fail("indexed"))
    again = make_app(instance, content, static_build_dir)
    assert index_files(instance) == before and calls == []
    assert hits(again.test_client(), "magnesium") == 4


def test_reload_reindexes_only_what_changed_into_a_new_file(site, monkeypatch):
    app, content, instance = site
    client = app.test_client()
    old = index_files(instance)[0]
    old_bytes = old.read_bytes()
    (content / "quokka.md").write_text(article_text(40, "Quokka habits", intro="The quokka smiles."))
    (content / "swimming.md").unlink()
    indexed = []
    real = text.document
    monkeypatch.setattr(text, "document", lambda article: indexed.append(article.slug) or real(article))
    reload_library(app)
    assert indexed == ["quokka"]
    assert hits(client, "quokka") == 1 and hits(client, "swimmers") == 0
    new = [p for p in index_files(instance) if p != old]
    assert len(new) == 1
    assert old.read_bytes() == old_bytes  # the published file is never written again


def test_an_edited_article_is_found_by_its_new_words_only(site):
    app, content, _ = site
    client = app.test_client()
    (content / "cafe.md").write_text(article_text(5, "Coffee breaks", intro="Tea has theanine."))
    reload_library(app)
    assert hits(client, "theanine") == 1 and hits(client, "café") == 0


def test_a_word_typed_in_full_still_finds_longer_words_added_later(tmp_path, static_build_dir):
    content = write_library(tmp_path / "content")
    (content / "grain.md").write_text(article_text(41, "Grain bowls", intro="Quinoa cooks fast."))
    app = make_app(tmp_path / "instance", content, static_build_dir)
    client = app.test_client()
    assert hits(client, "quinoa") == 1  # the index holds "quinoa" and no longer word beginning so
    (content / "flakes.md").write_text(article_text(42, "Breakfast", intro="Quinoaflakes cook faster."))
    reload_library(app)  # built from the file before, its list of words read again
    assert hits(client, "quinoa") == 2


def test_a_bad_content_change_keeps_the_index_of_what_is_served(site):
    app, content, instance = site
    (content / "broken.md").write_text("---\ntitle: [\n---\n")
    with pytest.raises(ContentError):
        reload_library(app)
    assert hits(app.test_client(), "magnesium") == 4
    assert len(index_files(instance)) == 1


def test_old_index_files_are_pruned(site):
    app, content, instance = site
    for n in range(5):
        (content / f"extra-{n}.md").write_text(article_text(50 + n, f"Extra {n}"))
        reload_library(app)
    assert len(index_files(instance)) == index.KEEP
    assert hits(app.test_client(), "extra") == 5


def test_a_pruned_index_is_rebuilt_by_a_reader(site):
    app, _, instance = site
    for path in index_files(instance):
        path.unlink()
    client = app.test_client()
    client.application.extensions["search"][0].local.__dict__.clear()  # as a new thread would
    assert hits(client, "magnesium") == 4
    assert len(index_files(instance)) == 1


def test_a_torn_or_foreign_index_file_is_rebuilt(site, static_build_dir):
    _, content, instance = site
    path = index_files(instance)[0]
    path.write_bytes(b"not an index")
    app = make_app(instance, content, static_build_dir)
    assert hits(app.test_client(), "magnesium") == 4


def test_a_damaged_index_is_a_503_with_a_message_never_a_500(site, caplog):
    app, _, instance = site
    client = app.test_client()
    store = app.extensions["search"][0]
    store.path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4096)  # a torn file under a reader
    store.local.__dict__.clear()
    response = client.get("/search?q=magnesium")
    assert response.status_code == 503
    assert "Search is not available right now." in response.get_data(as_text=True)
