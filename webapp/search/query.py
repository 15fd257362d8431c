"""Reading the index: what the reader typed, as words, matched, ranked and marked.

Reader text is never run as an FTS5 expression: it is cut into words, and each word is quoted, so
quotes, `AND`/`OR`/`NOT`, `NEAR(`, `*`, `^`, `:` and parentheses are only ever punctuation.
"""

import re
import sqlite3
import unicodedata
from dataclasses import dataclass

from markupsafe import Markup, escape

from webapp.search.index import PART_SLOTS, WEIGHTS

MAX_LENGTH = 200  # characters of a query kept; the box says so too (maxlength)
MAX_WORDS = 12
PREFIX_FROM = 3  # the last word also matches as a prefix ("melat" finds melatonin) from this length
WORD = re.compile(r"[^\W_]+")
UNSEEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ud800-\udfff\ufeff\ufffd]")
OPEN, CLOSE = "\x02", "\x03"  # marks the index puts around matches; control characters never indexed
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


def fold(word: str) -> str:
    """A word as the vocabulary holds it: lower case, without accents."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _term(word: str, prefix: bool) -> str:
    """One word as an FTS5 string (it holds no quote: only letters and digits), maybe as a prefix."""
    return f'"{word}"*' if prefix and len(word) >= PREFIX_FROM else f'"{word}"'


def expression(found: list[str], any_word: bool = False) -> str:
    """An FTS5 expression: every word (or, with `any_word`, any of them), the last also as a prefix."""
    terms = [_term(word, prefix=n == len(found) - 1) for n, word in enumerate(found)]
    return (" OR " if any_word else " ").join(terms)


def marked(text: str) -> Markup:
    """Text from the index with its match marks as <mark>, everything else escaped."""
    out = str(escape(text)).replace(OPEN, "<mark>").replace(CLOSE, "</mark>")
    return Markup(out)


def count(connection: sqlite3.Connection, found: list[str]) -> int:
    """How many articles contain every word."""
    return connection.execute(
        "SELECT count(*) FROM articles WHERE articles MATCH ?", (expression(found),)
    ).fetchone()[0]


def search(connection: sqlite3.Connection, found: list[str], offset: int, limit: int) -> Results:
    """The articles containing every word, best first (bm25, title > description > headings > body)."""
    if not found:
        return Results(0, ())
    match = expression(found)
    total = count(connection, found)
    if total <= offset:
        return Results(total, ())
    rows = connection.execute(
        "SELECT rowid, slug, highlight(articles, 0, ?, ?) FROM articles WHERE articles MATCH ?"
        f" ORDER BY bm25(articles, {', '.join(map(str, WEIGHTS))}) LIMIT ? OFFSET ?",
        (OPEN, CLOSE, match, limit, offset),
    ).fetchall()
    any_word = expression(found, any_word=True)
    return Results(total, tuple(_hit(connection, any_word, *row) for row in rows))


def _hit(connection: sqlite3.Connection, any_word: str, id_: int, slug: str, title: str) -> Hit:
    """A result with the part of the article that matches best, and a snippet of it."""
    part = connection.execute(
        "SELECT anchor, highlight(parts, 0, ?, ?), snippet(parts, 1, ?, ?, '…', ?) FROM parts"
        " WHERE parts MATCH ? AND rowid BETWEEN ? AND ? ORDER BY bm25(parts, 2.0, 1.0) LIMIT 1",
        (OPEN, CLOSE, OPEN, CLOSE, SNIPPET_WORDS, any_word, id_ * PART_SLOTS, (id_ + 1) * PART_SLOTS - 1),
    ).fetchone()
    anchor, heading, snippet = part or ("", "", "")
    return Hit(slug, marked(title), anchor, marked(heading), marked(snippet))


def known(connection: sqlite3.Connection, word: str, prefix: bool) -> bool:
    """True when some article contains the word (by stem, or as a prefix when `prefix`)."""
    match = _term(word, prefix)
    return (
        connection.execute("SELECT 1 FROM articles WHERE articles MATCH ? LIMIT 1", (match,)).fetchone()
        is not None
    )
