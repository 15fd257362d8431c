"""Reading the index: what the reader typed, as words, matched, ranked and marked.

Reader text is never run as an FTS5 expression: it is cut into words, and each word is quoted, so
quotes, `AND`/`OR`/`NOT`, `NEAR(`, `*`, `^`, `:` and parentheses are only ever punctuation.
"""

import re
import sqlite3
import unicodedata
from dataclasses import dataclass

from markupsafe import Markup

from webapp.search.index import PART_SLOTS, WEIGHTS
from webapp.search.marks import Matcher

MAX_LENGTH = 200  # characters of a query kept; the box says so too (maxlength)
MAX_WORDS = 12
PREFIX_FROM = 3  # the last word also matches as a prefix ("melat" finds melatonin) from this length
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


def _term(word: str, prefix: bool) -> str:
    """One word as an FTS5 string (it holds no quote: only letters and digits), maybe as a prefix."""
    return f'"{word}"*' if prefix and len(word) >= PREFIX_FROM else f'"{word}"'


def expression(found: list[str]) -> str:
    """An FTS5 expression: every word, the last also as a prefix."""
    return " ".join(_term(word, prefix=n == len(found) - 1) for n, word in enumerate(found))


def count(connection: sqlite3.Connection, found: list[str]) -> int:
    """How many articles contain every word."""
    sql = "SELECT count(*) FROM articles WHERE articles MATCH ?"
    return connection.execute(sql, (expression(found),)).fetchone()[0]


def search(connection: sqlite3.Connection, found: list[str], offset: int, limit: int) -> Results:
    """The articles containing every word, best first (bm25, title > description > headings > body)."""
    if not found:
        return Results(0, ())
    total = count(connection, found)
    if total <= offset:
        return Results(total, ())
    rows = connection.execute(
        "SELECT docs.id, docs.slug, docs.title FROM (SELECT rowid AS id,"
        f" bm25(articles, {', '.join(map(str, WEIGHTS))}) AS score FROM articles WHERE articles MATCH ?"
        " ORDER BY score LIMIT ? OFFSET ?) AS ranked JOIN docs ON docs.id = ranked.id ORDER BY ranked.score",
        (expression(found), limit, offset),
    ).fetchall()
    matcher = Matcher.of(found, PREFIX_FROM)
    return Results(total, tuple(_hit(connection, matcher, *row) for row in rows))


def _hit(connection: sqlite3.Connection, matcher: Matcher, id_: int, slug: str, title: str) -> Hit:
    """A result, linked to its best part: the first whose heading has every word, else the first part
    with every word, else the one with the most of them (the title alone may have matched)."""
    parts = connection.execute(
        "SELECT anchor, heading, text FROM parts WHERE id BETWEEN ? AND ? ORDER BY id",
        (id_ * PART_SLOTS, (id_ + 1) * PART_SLOTS - 1),
    ).fetchall()
    every = set(range(len(matcher.stems)))
    best, best_found = None, set()
    for part in parts:
        if matcher.words_in(part[1]) == every:
            best = part
            break
    else:
        for part in parts:
            found = matcher.words_in(part[2]) | matcher.words_in(part[1])
            if len(found) > len(best_found):
                best, best_found = part, found
                if found == every:
                    break
    if best is None:
        return Hit(slug, matcher.mark(title), "", Markup(""), Markup(""))
    anchor, heading, text = best
    return Hit(slug, matcher.mark(title), anchor, matcher.mark(heading), matcher.snippet(text, SNIPPET_WORDS))


def known(connection: sqlite3.Connection, word: str, prefix: bool) -> bool:
    """True when some article contains the word (by stem, or as a prefix when `prefix`)."""
    sql = "SELECT 1 FROM articles WHERE articles MATCH ? LIMIT 1"
    return connection.execute(sql, (_term(word, prefix),)).fetchone() is not None
