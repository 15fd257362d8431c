"""Matching and marking, through the pages a reader sees."""

import pytest
from search_pages import results

from webapp.search import query


def page(client, q: str) -> str:
    """The results page for a query."""
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("q", ["swimming", "swim", "swimmer", "SWIMS"])
def test_words_match_by_stem_and_case(search_client, q):
    assert results(search_client, q) == ["swimming"]


@pytest.mark.parametrize("q", ["cafe", "café", "CAFÉ", "cafe\u0301"])
def test_words_match_without_accents(search_client, q):
    assert results(search_client, q) == ["cafe"]


def test_a_misspelling_gets_did_you_mean_from_the_articles_words(search_client):
    html = page(search_client, "melatonim")
    assert 'Did you mean <a href="/search?q=melatonin">melatonin</a>?' in html
    html = page(search_client, "magnesiun cramps")
    assert 'Did you mean <a href="/search?q=magnesium+cramps">magnesium cramps</a>?' in html


def test_no_suggestion_when_no_word_is_close_or_the_fix_finds_nothing(search_client):
    assert "Did you mean" not in page(search_client, "qqqzzzxx")
    assert "Did you mean" not in page(search_client, "melatonim magnesium")  # both known: no match
    assert "Did you mean" not in page(search_client, "magnesium")


def test_no_results_page_offers_topics_and_the_newest_articles(search_client, search_app):
    html = page(search_client, "qqqzzzxx")
    assert "No articles match “qqqzzzxx”." in html
    assert 'href="/tags/library"' in html  # every test article carries this topic
    newest = search_app.extensions["library"].articles[0]
    assert f'href="/articles/{newest.slug}"' in html


def test_matches_are_marked_in_titles_headings_and_snippets(search_client):
    html = page(search_client, "zinc")
    assert "<mark>Zinc</mark> &amp; &lt;b&gt;copper&lt;/b&gt; in food" in html
    assert '<span class="search-where"><mark>Zinc</mark> in the shop</span>' in html
    assert "<mark>Zinc</mark> tablets are sold everywhere." in html


def test_the_articles_own_markup_is_escaped_in_snippets(search_client):
    html = page(search_client, "script")
    assert "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt; &amp; zinc" in html
    assert "<script>alert" not in html


def test_a_match_in_a_section_links_to_its_anchor(search_client):
    html = page(search_client, "magnesium")
    assert 'href="/articles/magnesium-heading#when-magnesium-helps"' in html
    assert 'href="/articles/magnesium-title"' in html  # the title matched: the top of the article


def test_a_match_in_an_faq_question_opens_that_answer(search_client):
    html = page(search_client, "jetlag")
    assert 'href="/articles/melatonin/faq/1#faq-1"' in html
    assert '<span class="search-where">Can <mark>jetlag</mark> be eased?</span>' in html


def test_every_linked_anchor_exists_on_the_article_page(search_client, search_app):
    from webapp.search import text

    for article in search_app.extensions["library"].articles:
        html = search_client.get(f"/articles/{article.slug}").get_data(as_text=True)
        for part in text.document(article).parts:
            if part.anchor:
                assert f'id="{part.anchor}"' in html, (article.slug, part.anchor)


def test_results_show_description_and_reading_time(search_client, search_app):
    article = search_app.extensions["library"].by_slug["magnesium-description"]
    html = page(search_client, "magnesium")
    assert "Why magnesium matters to muscles." in html
    assert f"{article.reading_minutes} min read" in html


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("  sleep \t\n well  ", "sleep well"),
        ("sle\x00ep", "sle ep"),
        ("a\u200bb", "a b"),
        ("x" * 500, "x" * query.MAX_LENGTH),
        ("cafe\u0301", "café"),
        ("\ud800oops", "oops"),
    ],
)
def test_normalize(raw, expected):
    assert query.normalize(raw) == expected
