"""Related articles: explicit picks first, then shared tags; the work grows with the tag, not the library."""

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from generated import generate_articles

from webapp.articles import related
from webapp.articles.library import Library
from webapp.articles.loader import load_articles

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def articles(tmp_path_factory):
    """300 generated articles with Zipf-distributed tags."""
    folder = tmp_path_factory.mktemp("articles")
    generate_articles.generate(300, folder, ROOT / "static", seed=2)
    loaded, problems = load_articles(folder, ROOT / "static")
    assert problems == []
    return loaded


def scored(monkeypatch) -> list[tuple[str, str]]:
    """Record every (article, candidate) pair the scorer is asked about."""
    calls: list[tuple[str, str]] = []
    real = related.score
    monkeypatch.setattr(related, "score", lambda a, c, w: calls.append((a.slug, c.slug)) or real(a, c, w))
    return calls


def test_scoring_touches_only_candidates_sharing_a_tag(articles, monkeypatch):
    library = Library.build(articles)
    calls = scored(monkeypatch)
    for article in articles:
        related.related(article, library.by_slug, library.by_tag)
    assert calls
    for slug, candidate in calls:
        assert set(library.by_slug[slug].tags) & set(library.by_slug[candidate].tags), (slug, candidate)
    sharing = sum(len({s for t in a.tags for s in library.by_tag[t]} - {a.slug}) for a in articles)
    assert len(calls) <= sharing < len(articles) * (len(articles) - 1) / 2


def test_an_article_with_only_rare_tags_scores_a_handful_not_the_library(articles, monkeypatch):
    library = Library.build(articles)
    rare = min(articles, key=lambda a: max(len(library.by_tag[t]) for t in a.tags))
    calls = scored(monkeypatch)
    related.related(rare, library.by_slug, library.by_tag)
    assert len(calls) < len(articles) / 10


def test_explicit_picks_come_first_then_the_best_shared_tags(articles):
    library = Library.build(articles)
    base = articles[0]
    pick = next(a for a in articles if not set(a.tags) & set(base.tags))
    article = dataclasses.replace(base, related=(pick.slug, base.slug, "no-such-article"))
    chosen = related.related(article, library.by_slug, library.by_tag)
    assert chosen[0] == pick
    assert base not in chosen and len(chosen) == 6
    assert all(set(a.tags) & set(base.tags) for a in chosen[1:])
    weights = {t: related.tag_weight(len(library.by_tag[t]), len(articles)) for t in base.tags}
    scores = [related.score(article, c, weights) for c in chosen[1:]]
    assert scores == sorted(scores, reverse=True)


def test_rarer_shared_tags_outrank_common_ones_and_recency_breaks_ties(articles):
    library = Library.build(articles)
    article = articles[0]
    by_count = sorted(article.tags, key=lambda t: len(library.by_tag[t]))
    weights = {t: related.tag_weight(len(library.by_tag[t]), len(articles)) for t in article.tags}
    assert weights[by_count[0]] >= weights[by_count[-1]]
    same = dataclasses.replace(article, slug="twin", related=())
    older = dataclasses.replace(same, published=article.published - dt.timedelta(days=3650))
    assert related.score(article, same, weights) > related.score(article, older, weights)


def test_library_computes_related_once_per_article(articles, monkeypatch):
    library = Library.build(articles)
    calls = scored(monkeypatch)
    first = library.related(articles[5])
    count = len(calls)
    assert library.related(articles[5]) == first
    assert len(calls) == count
