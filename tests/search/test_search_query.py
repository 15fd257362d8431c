"""Matching, ranking and marking, through the pages a reader sees."""

import re

import pytest
from search_library import make_app, write_library

from webapp.search import query

EVERYWHERE = "Pantry notes."  # a word in every article of RANKING: bm25 gives it next to no weight
RANKING = {
    # "quinoa": once in a title; many times in a body; a few times; once, under "pantry" in the title.
    "quinoa-title": dict(title="Quinoa, plainly", intro=EVERYWHERE),
    "quinoa-body": dict(title="Grains at dinner", intro="Quinoa. " * 20 + EVERYWHERE),
    "quinoa-thrice": dict(title="Seeds at lunch", intro=f"Quinoa, quinoa and more quinoa. {EVERYWHERE}"),
    "quinoa-once": dict(title="Pantry basics", intro=f"Some quinoa. {EVERYWHERE}"),
    **{f"pantry-{n}": dict(title=f"Pantry shelves {n}", intro=EVERYWHERE) for n in range(3)},
    # "lentil": 4 titles and 9 bodies, more than a page of results.
    **{f"lentil-title-{n}": dict(title=f"Lentil soup {n}", intro=EVERYWHERE) for n in range(4)},
    **{f"lentil-body-{n}": dict(title=f"Winter dish {n}", intro=f"Lentils. {EVERYWHERE}") for n in range(9)},
}


def results(client, q: str, number: int = 1) -> list[str]:
    """The slugs of the results for a query (on one page of them), in order."""
    html = client.get("/search", query_string={"q": q, "page": number}).get_data(as_text=True)
    return re.findall(r'<li class="search-hit">\s*<h2><a href="/articles/([a-z0-9-]+)', html)


@pytest.fixture(scope="module")
def ranking_client(tmp_path_factory, static_build_dir):
    """A client of an app serving the RANKING library."""
    content = write_library(tmp_path_factory.mktemp("ranking"), RANKING)
    return make_app(tmp_path_factory.mktemp("instance"), content, static_build_dir).test_client()


def page(client, q: str) -> str:
    """The results page for a query."""
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_title_ranks_above_description_above_heading_above_body(search_client):
    assert results(search_client, "magnesium") == [
        "magnesium-title",
        "magnesium-description",
        "magnesium-heading",
        "magnesium-body",
    ]


def test_a_title_with_the_word_comes_first_then_bm25_orders_the_rest(ranking_client):
    # bm25 alone would put the body saying "quinoa" twenty times first, above the title.
    expected = ["quinoa-title", "quinoa-body", "quinoa-thrice", "quinoa-once"]
    assert results(ranking_client, "quinoa") == expected


def test_a_word_in_most_articles_does_not_lift_a_title(ranking_client):
    # "pantry" is in every article, so bm25 weighs it next to nothing: "Pantry basics" stays last.
    assert results(ranking_client, "quinoa pantry") == results(ranking_client, "quinoa")


def test_pages_list_every_match_once_titles_first(ranking_client):
    first, second = results(ranking_client, "lentil"), results(ranking_client, "lentil", 2)
    assert len(first) == 10 and len(second) == 3
    assert set(first[:4]) == {f"lentil-title-{n}" for n in range(4)}
    assert sorted(first + second) == sorted(slug for slug in RANKING if slug.startswith("lentil"))


def test_when_every_word_is_in_most_articles_the_newest_titles_with_it_come_first(
    ranking_client, monkeypatch
):
    monkeypatch.setattr(query, "NEWEST", 2)  # of 300: our library is small
    library = ranking_client.application.extensions["library"]
    titled = [article.slug for article in library.articles if "Pantry" in article.title]  # newest first
    pages = [results(ranking_client, "pantry", number) for number in (1, 2, 3)]
    assert set(pages[0][:2]) == set(titled[:2]) and len(titled) == 4
    assert sorted(sum(pages, [])) == sorted(RANKING)  # each article once


@pytest.mark.parametrize("q", ["swimming", "swim", "swimmer", "SWIMS"])
def test_words_match_by_stem_and_case(search_client, q):
    assert results(search_client, q) == ["swimming"]


@pytest.mark.parametrize("q", ["cafe", "café", "CAFÉ", "cafe\u0301"])
def test_words_match_without_accents(search_client, q):
    assert results(search_client, q) == ["cafe"]


def test_the_last_word_matches_as_a_prefix_while_typing(search_client):
    assert results(search_client, "melat") == ["melatonin"]
    assert results(search_client, "night melat") == ["melatonin"]


def test_only_the_last_word_is_a_prefix_and_only_from_three_letters(search_client):
    assert results(search_client, "melat night") == []
    assert results(search_client, "me") == []


def test_every_word_must_match(search_client):
    assert results(search_client, "melatonin magnesium") == []
    assert results(search_client, "magnesium cramps") == ["magnesium-heading"]


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


def test_expression_quotes_every_word():
    assert query.expression(query.words('zinc OR "x" NEAR(a b) title:melat*')) == (
        '"zinc" "OR" "x" "NEAR" "a" "b" "title" "melat"*'
    )
    assert query.expression(query.words("zinc me")) == '"zinc" "me"'  # a prefix from 3 letters
