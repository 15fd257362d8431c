"""Choose related articles: explicit picks first, then weighted tag overlap and recency."""

import math
from collections.abc import Mapping, Sequence

from webapp.articles.model import Article

RECENCY_HALF_LIFE_DAYS = 365


def tag_index(articles: Sequence[Article]) -> dict[str, tuple[str, ...]]:
    """Map each tag to the slugs carrying it, newest first."""
    index: dict[str, list[str]] = {}
    for article in sorted(articles, key=lambda a: (a.published, a.slug), reverse=True):
        for tag in article.tags:
            index.setdefault(tag, []).append(article.slug)
    return {tag: tuple(slugs) for tag, slugs in index.items()}


def tag_weight(tag_count: int, library_size: int) -> float:
    """Rarer tags say more about a topic than common ones (inverse document frequency)."""
    return 1.0 + math.log(library_size / tag_count)


def score(article: Article, candidate: Article, weights: Mapping[str, float]) -> float:
    """How related a candidate is: shared tag weights plus a small bonus for recency."""
    shared = sum(weights[tag] for tag in set(article.tags) & set(candidate.tags))
    age_days = abs((article.published - candidate.published).days)
    return shared + 0.5 * 0.5 ** (age_days / RECENCY_HALF_LIFE_DAYS)


def related(
    article: Article,
    by_slug: Mapping[str, Article],
    index: Mapping[str, Sequence[str]],
    limit: int = 6,
) -> list[Article]:
    """Up to `limit` related articles: explicit `related:` slugs, then best-scored by tags."""
    chosen = [by_slug[s] for s in dict.fromkeys(article.related) if s in by_slug and s != article.slug]
    taken = {article.slug, *(a.slug for a in chosen)}
    weights = {tag: tag_weight(len(index.get(tag, ())) or 1, len(by_slug)) for tag in article.tags}
    candidates = {slug for tag in article.tags for slug in index.get(tag, ()) if slug not in taken}
    ranked = sorted(
        (by_slug[slug] for slug in candidates),
        key=lambda c: (-score(article, c, weights), -c.published.toordinal(), c.slug),
    )
    return (chosen + ranked)[:limit]
