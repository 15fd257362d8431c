"""Which articles a query finds and in what order, through the pages a reader sees."""

import pytest
from search_library import make_app, write_library
from search_pages import results

from webapp.search import query, rank

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


@pytest.fixture(scope="module")
def ranking_client(tmp_path_factory, static_build_dir):
    """A client of an app serving the RANKING library."""
    content = write_library(tmp_path_factory.mktemp("ranking"), RANKING)
    return make_app(tmp_path_factory.mktemp("instance"), content, static_build_dir).test_client()


def test_title_ranks_above_description_above_heading_above_body(search_client):
    assert results(search_client, "magnesium") == [
        "magnesium-title",
        "magnesium-description",
        "magnesium-heading",
        "magnesium-body",
    ]


def test_the_last_word_matches_as_a_prefix_while_typing(search_client):
    assert results(search_client, "melat") == ["melatonin"]
    assert results(search_client, "night melat") == ["melatonin"]


def test_only_the_last_word_is_a_prefix_and_only_from_three_letters(search_client):
    assert results(search_client, "melat night") == []
    assert results(search_client, "me") == []


def test_every_word_must_match(search_client):
    assert results(search_client, "melatonin magnesium") == []
    assert results(search_client, "magnesium cramps") == ["magnesium-heading"]


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
    monkeypatch.setattr(rank, "NEWEST", 2)  # of 300: our library is small
    library = ranking_client.application.extensions["library"]
    titled = [article.slug for article in library.articles if "Pantry" in article.title]  # newest first
    pages = [results(ranking_client, "pantry", number) for number in (1, 2, 3)]
    assert set(pages[0][:2]) == set(titled[:2]) and len(titled) == 4
    assert sorted(sum(pages, [])) == sorted(RANKING)  # each article once


def test_expression_quotes_every_word():
    assert rank.expression(query.words('zinc OR "x" NEAR(a b) title:melat*')) == (
        '"zinc" "OR" "x" "NEAR" "a" "b" "title" "melat"*'
    )
    assert rank.expression(query.words("zinc me")) == '"zinc" "me"'  # a prefix from 3 letters
