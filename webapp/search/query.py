"""Reading the index: what the reader typed, as words, and a page of results with their matches marked.

Reader text is cut into words here and quoted as FTS5 strings in `rank`: it is never run as an
expression.
"""

import json
import re
import sqlite3
import unicodedata
from dataclasses import dataclass

from markupsafe import Markup

from webapp.search import rank
from webapp.search.index import PART_SLOTS
from webapp.search.marks import Matcher

MAX_LENGTH = 200  # characters of a query kept; the box says so too (maxlength)
MAX_WORDS = 12
WORD = re.compile(r"[^\W_]+")
UNSEEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ud800-\udfff\ufeff\ufffd]")
SNIPPET_WORDS = 24


@dataclass(frozen=True, slots=True)
class Hit:
    """One matching article: its slug, title with matches marked, and the best part to link to."""

    slug: str
    title: Markup
    anchor: str
    heading: Markup
    snippet: Markup


@dataclass(frozen=True, slots=True)
class Results:
    """One page of results for a query."""

    total: int
    hits: tuple[Hit, ...]


def normalize(raw: str) -> str:
    """The query as we answer it: invisible and control characters gone, spaces single, length capped."""
    text = unicodedata.normalize("NFC", UNSEEN.sub(" ", raw))
    return " ".join(text.split())[:MAX_LENGTH].strip()


def words(query: str) -> list[str]:
    """The words of a query, as the tokenizer sees them (letters and digits; all else separates)."""
    return WORD.findall(query)[:MAX_WORDS]


def search(connection: sqlite3.Connection, found: list[str], offset: int, limit: int) -> Results:
    """The articles containing every word, best first (see `rank.ranked`), each linked to its best part."""
    if not found:
        return Results(0, ())
    asked = rank.plan(connection, found)
    total = rank.total(connection, asked)
    if total <= offset:
        return Results(total, ())
    rows = rank.ranked(connection, asked, offset, limit)
    matcher = Matcher.of(found, rank.PREFIX_FROM)
    parts = _parts(connection, [id_ for id_, _, _ in rows])
    return Results(total, tuple(_hit(matcher, parts.get(id_, []), slug, title) for id_, slug, title in rows))


def _parts(connection: sqlite3.Connection, ids: list[int]) -> dict[int, list[tuple[str, str, str]]]:
    """The (anchor, heading, text) of the parts of some articles, in order, by article id: one query."""
    found: dict[int, list[tuple[str, str, str]]] = {}
    rows = connection.execute(
        "SELECT parts.id, anchor, heading, text FROM json_each(?1) AS article JOIN parts"
        " ON parts.id BETWEEN article.value * ?2 AND article.value * ?2 + ?2 - 1 ORDER BY parts.id",
        (json.dumps(ids), PART_SLOTS),
    )
    for id_, anchor, heading, text in rows:
        found.setdefault(id_ // PART_SLOTS, []).append((anchor, heading, text))
    return found


def _hit(matcher: Matcher, parts: list[tuple[str, str, str]], slug: str, title: str) -> Hit:
    """A result, linked to its best part: the first whose heading has every word, else the first part
    with the most of them (every word, if one has them all; the title alone may have matched)."""
    headings = matcher.words_each([heading for _, heading, _ in parts])
    every = set(range(len(matcher.stems)))
    best = next((part for part, found in zip(parts, headings, strict=True) if found == every), None)
    if best is None:
        texts = matcher.words_each([text for _, _, text in parts])
        counts = [len(in_heading | in_text) for in_heading, in_text in zip(headings, texts, strict=True)]
        if counts and max(counts):
            best = parts[counts.index(max(counts))]
    if best is None:
        return Hit(slug, matcher.mark(title), "", Markup(""), Markup(""))
    anchor, heading, text = best
    return Hit(slug, matcher.mark(title), anchor, matcher.mark(heading), matcher.snippet(text, SNIPPET_WORDS))
