"""Counter increments, the one currency of insights: what a batch or a signup adds, what the Redis buffer
holds and what the store applies. A key names one counter of one day; no key ever names a reader."""

import json
from collections import Counter
from datetime import date

from webapp.db.schema import insight_days, insight_faq_days

ARTICLE, FAQ, SOURCE = "article", "faq", "source"
ARTICLE_COLUMNS = tuple(column.name for column in insight_days.columns if not column.primary_key)
FAQ_COLUMNS = tuple(column.name for column in insight_faq_days.columns if not column.primary_key)
SOURCE_KINDS = ("referrer", "utm_source", "utm_medium", "utm_campaign")

# (ARTICLE, day, slug, column) | (FAQ, day, slug, question, column) | (SOURCE, day, kind, value)
Key = tuple
Counts = Counter


def article(day: date, slug: str, column: str) -> Key:
    """The key of one per-article counter."""
    return (ARTICLE, day.isoformat(), slug, column)


def faq(day: date, slug: str, question: int, column: str) -> Key:
    """The key of one per-question counter."""
    return (FAQ, day.isoformat(), slug, question, column)


def source(day: date, kind: str, value: str) -> Key:
    """The key of the page views that came from one referrer host or UTM value."""
    return (SOURCE, day.isoformat(), kind, value)


def encode(key: Key) -> str:
    """A key as text (a Redis hash field)."""
    return json.dumps(key, separators=(",", ":"))


def decode(text: str | bytes) -> Key:
    """A key back from text; ValueError when it is not one of ours."""
    key = tuple(json.loads(text))
    shapes = {
        ARTICLE: (4, lambda k: k[3] in ARTICLE_COLUMNS),
        FAQ: (5, lambda k: isinstance(k[3], int) and k[4] in FAQ_COLUMNS),
        SOURCE: (4, lambda k: k[2] in SOURCE_KINDS),
    }
    length, valid = shapes.get(key[0] if key else None, (0, None))
    if len(key) != length or not valid(key):
        raise ValueError(f"not an insights counter key: {text!r}")
    date.fromisoformat(key[1])
    return key
