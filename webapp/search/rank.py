"""Which articles a query's words find, and in what order: the FTS5 expressions and ranking queries.

Reader text is never run as an FTS5 expression: `query.words` cuts it into words, and each word is
quoted here, so quotes, `AND`/`OR`/`NOT`, `NEAR(`, `*`, `^`, `:` and parentheses are only punctuation.
"""

import json
import sqlite3
from dataclasses import dataclass

from webapp.search import marks
from webapp.search.index import WEIGHTS

PREFIX_FROM = 3  # the last word also matches as a prefix ("melat" finds melatonin) from this length
NEWEST = 300  # articles ranked first at most when no word of a query is telling (see plan)


def _term(word: str, prefix: bool) -> str:
    """One word as an FTS5 string (it holds no quote: only letters and digits), maybe as a prefix."""
    return f'"{word}"*' if prefix and len(word) >= PREFIX_FROM else f'"{word}"'


def _terms(found: list[str], prefix: bool) -> list[str]:
    """Every word as an FTS5 string, the last also as a prefix when `prefix`."""
    return [_term(word, prefix=prefix and n == len(found) - 1) for n, word in enumerate(found)]


def expression(found: list[str], prefix: bool = True) -> str:
    """An FTS5 expression: every word, the last also as a prefix (when `prefix`)."""
    return " ".join(_terms(found, prefix))


@dataclass(frozen=True, slots=True)
class Plan:
    """How a query is asked: FTS5 expressions for its articles and for the titles of those ranked
    first, and how many of the newest such titles count, at most (-1: all)."""

    words: str
    first: str
    bound: int


def plan(connection: sqlite3.Connection, found: list[str]) -> Plan:
    """The query's words (one or more), the last as a prefix only when that matches more than the
    word itself (a prefix costs FTS5 a merge of the entries of every term that begins so); ranked
    first, the articles with one of its telling words in their title (see `ranked`). Telling words
    are those bm25 weighs: words in fewer than half the articles. When none is, bm25 weighs every word
    next to nothing, and hundreds of titles may hold them: of the articles with the rarest word in
    their title, only the NEWEST most recently added are ranked first."""
    last = len(found) - 1
    held = [_held(connection, word, n == last and len(word) >= PREFIX_FROM) for n, word in enumerate(found)]
    prefix = held[-1][1]
    docs = [docs for docs, _ in held]
    terms, words = _terms(found, prefix), expression(found, prefix)
    row = connection.execute("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'articles'").fetchone()
    telling = [term for term, n in zip(terms, docs, strict=True) if 2 * n < row[0]]
    if telling:
        return Plan(words, "{title} : (" + " OR ".join(telling) + ")", -1)
    return Plan(words, "{title} : " + terms[docs.index(min(docs))], NEWEST)


def _held(connection: sqlite3.Connection, word: str, prefix: bool) -> tuple[int, bool]:
    """How many articles hold a word (as a prefix, at most so many: the sum over its terms), and
    whether asking it as a prefix matches more than the word: unless the index holds its stem and no
    longer term beginning with it."""
    stem = marks.stem(word)
    if not prefix:
        row = connection.execute("SELECT docs FROM terms WHERE term = ?", (stem,)).fetchone()
        return (row[0] if row else 0), False
    sql = (
        "SELECT count(*), coalesce(sum(docs), 0), coalesce(max(term = ?1), 0) FROM terms"
        " WHERE term >= ?1 AND term < ?1 || char(1114111)"
    )
    terms, docs, itself = connection.execute(sql, (stem,)).fetchone()
    return docs, not (terms == 1 and itself)


def count(connection: sqlite3.Connection, found: list[str]) -> int:
    """How many articles contain every word."""
    return total(connection, plan(connection, found)) if found else 0


def total(connection: sqlite3.Connection, asked: Plan) -> int:
    """How many articles a planned query finds."""
    sql = "SELECT count(*) FROM articles WHERE articles MATCH ?"
    return connection.execute(sql, (asked.words,)).fetchone()[0]


# The titles whose articles are ranked first: the newest (highest ids, see index.IDS) `bound` at most.
FIRST = "SELECT rowid FROM articles WHERE articles MATCH :first ORDER BY rowid DESC LIMIT :bound"
# Articles of one group, by bm25 over the reader's words alone, the newest first among equals (so that
# pages split it the same way each time): those ranked first (IN the list of ids), or the others (NOT
# IN). FTS5 reads the words from the lowest of the ids on (`rowid >= :low`); the unary plus keeps
# SQLite from handing it the list as rowid look-ups, each of which would start the query again (and
# count every word's articles again).
GROUP = (
    "FROM articles WHERE articles MATCH :words AND rowid >= :low"
    " AND +rowid {group} (SELECT value FROM json_each(:ids))"
)
RANKED = (
    "SELECT docs.id, docs.slug, docs.title FROM (SELECT rowid AS id,"
    f" bm25(articles, {', '.join(map(str, WEIGHTS))}) AS score {GROUP}"
    " ORDER BY score, id DESC LIMIT :limit OFFSET :offset) AS ranked"
    " JOIN docs ON docs.id = ranked.id ORDER BY ranked.score, ranked.id DESC"
)
FIRST_COUNT = "SELECT count(*) " + GROUP.format(group="IN")


def ranked(connection: sqlite3.Connection, asked: Plan, offset: int, limit: int) -> list[tuple]:
    """The (id, slug, title) of one page of matching articles, best first: those ranked first (see
    `plan`), then the others, each group by bm25 (title > description > headings > body). Under bm25
    alone a title with a telling word comes first nearly always anyway; ranking the first group alone,
    when it fills the page, spares bm25 (the costly part, once per article) for the others."""
    first = [id_ for (id_,) in connection.execute(FIRST, {"first": asked.first, "bound": asked.bound})]
    args = {"words": asked.words, "ids": json.dumps(first), "low": min(first, default=0)}
    page = {**args, "limit": limit, "offset": offset}
    rows = connection.execute(RANKED.format(group="IN"), page).fetchall() if first else []
    if len(rows) < limit:  # the page goes past the first group: the others follow
        before = 0 if rows or not first else connection.execute(FIRST_COUNT, args).fetchone()[0]
        rest = {**page, "low": 0, "limit": limit - len(rows), "offset": 0 if rows else offset - before}
        rows += connection.execute(RANKED.format(group="NOT IN"), rest).fetchall()
    return rows


def known(connection: sqlite3.Connection, word: str, prefix: bool) -> bool:
    """True when some article contains the word (by stem, or as a prefix when `prefix`)."""
    sql = "SELECT 1 FROM articles WHERE articles MATCH ? LIMIT 1"
    return connection.execute(sql, (_term(word, prefix),)).fetchone() is not None
