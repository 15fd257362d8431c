"""Search pages are cached like other pages, for a bounded number of distinct queries."""

from pathlib import Path

import pytest
from search_library import article_text, make_app, write_library

from webapp.articles.library import reload_library


@pytest.fixture
def small_cache_app(tmp_path, static_build_dir):
    """An app whose page cache keeps the search pages of at most 3 queries."""
    content = write_library(tmp_path / "content")
    return make_app(tmp_path / "instance", content, static_build_dir, SEARCH_CACHED_QUERIES=3)


def cache_state(client, q, **headers):
    """'hit' or 'miss' for one request of /search?q=."""
    return client.get("/search", query_string={"q": q}, headers=headers).headers["X-App-Cache"]


def test_at_most_the_configured_number_of_queries_is_kept(small_cache_app):
    client = small_cache_app.test_client()
    for q in ("zinc", "magnesium", "melatonin", "cafe", "swim"):
        assert cache_state(client, q) == "miss"
    pages = small_cache_app.extensions["search"][1]
    assert len(pages) == 3
    assert cache_state(client, "swim") == "hit"
    assert cache_state(client, "zinc") == "miss"  # the least recently searched went first


def test_a_query_used_again_is_kept_longest(small_cache_app):
    client = small_cache_app.test_client()
    for q in ("zinc", "magnesium", "melatonin"):
        cache_state(client, q)
    assert cache_state(client, "zinc") == "hit"
    cache_state(client, "cafe")  # pushes out magnesium, not zinc
    assert cache_state(client, "zinc") == "hit"
    assert cache_state(client, "magnesium") == "miss"


def test_variants_and_pages_of_one_query_count_once(small_cache_app):
    client = small_cache_app.test_client()
    for q in ("zinc", "magnesium", "melatonin"):
        cache_state(client, q)
        cache_state(client, q, **{"HX-Request": "true"})
    assert len(small_cache_app.extensions["search"][1]) == 3
    assert cache_state(client, "zinc", **{"HX-Request": "true"}) == "hit"


def test_the_same_words_spelt_with_other_spaces_share_a_page(small_cache_app):
    client = small_cache_app.test_client()
    assert cache_state(client, "  zinc   tablets ") == "miss"
    assert cache_state(client, "zinc tablets") == "hit"


def test_a_content_reload_serves_fresh_results(small_cache_app):
    client = small_cache_app.test_client()
    assert "No articles match" in client.get("/search?q=quokka").get_data(as_text=True)
    content = small_cache_app.config["CONTENT_DIR"]
    (Path(content) / "quokka.md").write_text(article_text(40, "Quokka habits"))
    reload_library(small_cache_app)
    assert "1 article matches" in client.get("/search?q=quokka").get_data(as_text=True)
