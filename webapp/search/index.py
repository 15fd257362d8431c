"""The search index: one SQLite FTS5 file per content version, in the instance folder.

A new version is built in a temporary file from a copy of the newest earlier index, re-indexing only
the articles whose fingerprint changed, then renamed into place: readers see a whole index or the
previous one, never half of one. A published file is never written again, so readers open it
`immutable` (no locks), and several workers or servers each read their own copy.
"""

import fcntl
import os
import re
import shutil
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from webapp import files
from webapp.articles.library import Library
from webapp.articles.model import Article
from webapp.search import text

TOKENIZE = "porter unicode61 remove_diacritics 2"
WEIGHTS = (10.0, 5.0, 3.0, 1.0)  # bm25 weights of title, description, headings, body
PART_SLOTS = 1024  # a part's id is its article's id * PART_SLOTS + its position
SCHEMA = (
    "CREATE TABLE docs(id INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE, fingerprint BLOB NOT NULL,"
    " title TEXT NOT NULL, description TEXT NOT NULL, headings TEXT NOT NULL)",
    # Matching and ranking only: contentless (the text lives once, in `parts`); an article's row is
    # deleted with the values it was indexed with, rebuilt from `docs` and `parts` (see _delete).
    "CREATE VIRTUAL TABLE articles USING fts5("
    f"title, description, headings, body, content='', tokenize='{TOKENIZE}')",
    # Each linkable part of an article, in order: where a result links to, and its snippet.
    "CREATE TABLE parts(id INTEGER PRIMARY KEY, anchor TEXT NOT NULL, heading TEXT NOT NULL,"
    " text TEXT NOT NULL)",
    # Each article's words as written (accents and case folded, not stemmed), counted per article: the
    # vocabulary that "Did you mean" draws on, so it suggests real words, not stems.
    "CREATE VIRTUAL TABLE words USING fts5("
    "list, content='', tokenize='unicode61 remove_diacritics 2', detail='none')",
    "CREATE VIRTUAL TABLE vocabulary USING fts5vocab(words, 'row')",
    # Each term of `articles` (a stem, as FTS5 made it) and how many articles hold it: what a query
    # weighs before asking (see rank.plan).
    "CREATE TABLE terms(term TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)
IDS = "oldest first"  # the order new articles get their ids in: the higher an id, the newer (see rank)
CODE = files.digest(repr(SCHEMA), repr(WEIGHTS), IDS, Path(text.__file__).read_bytes(), size=6)
NAME = re.compile(r"^search-[0-9a-f]+\.sqlite3$")
KEEP = 2  # index files kept: the current one and the one before (a worker may still read it)


def file_name(library: Library) -> str:
    """The index file of a library: named by the content version and the indexing code."""
    version = library.version or files.digest(
        *(a.slug for a in library.articles), *map(_fp, library.articles)
    )
    return f"search-{files.digest(CODE, version, size=8)}.sqlite3"


def _fp(article: Article) -> bytes:
    return text.fingerprint(article)


def connect_readonly(path: Path) -> sqlite3.Connection:
    """A connection that only reads a published (never again written) index file."""
    connection = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False)
    return connection


def code_of(path: Path) -> str | None:
    """The indexing code an index file was built by, or None if it is not a readable index."""
    try:
        connection = connect_readonly(path)
        try:
            row = connection.execute("SELECT value FROM meta WHERE key = 'code'").fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One builder at a time per instance folder (the others wait, then find the file built)."""
    with open(folder / ".search.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure(folder: Path, library: Library) -> Path:
    """The index file of this library, built (from the newest earlier one, if any) when missing."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name(library)
    if code_of(path) == CODE:
        return path
    with _locked(folder):
        if code_of(path) == CODE:  # another process built it while we waited
            return path
        temporary = folder / f".{path.name}.{os.getpid()}.tmp"
        base = next((p for p in _published(folder) if p != path and code_of(p) == CODE), None)
        try:
            if base is not None:
                shutil.copyfile(base, temporary)
            else:
                temporary.unlink(missing_ok=True)
            _update(temporary, library, fresh=base is None)
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
        _prune(folder, path)
    return path


def _published(folder: Path) -> list[Path]:
    """The index files in a folder, newest first."""
    found = [p for p in folder.iterdir() if NAME.match(p.name)]
    return sorted(found, key=lambda p: p.stat().st_mtime_ns, reverse=True)


def _prune(folder: Path, current: Path) -> None:
    """Delete all but the newest index files, and temporary files a crashed build left behind."""
    with suppress(OSError):
        for old in [p for p in _published(folder) if p != current][KEEP - 1 :]:
            old.unlink(missing_ok=True)
        for stale in folder.glob(".search-*.tmp"):
            if time.time() - stale.stat().st_mtime > 3600:
                stale.unlink(missing_ok=True)


def _update(path: Path, library: Library, fresh: bool) -> None:
    """Bring the index file at `path` up to date with the library, touching only what changed."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode = OFF")  # a temporary file: a failed build is thrown away
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute("BEGIN")
        if fresh:
            for statement in SCHEMA:
                connection.execute(statement)
            connection.execute("INSERT INTO meta VALUES ('code', ?)", (CODE,))
        changed = _apply(connection, library)
        # One b-tree per table reads fastest (~10% faster queries than 10,000 articles added to a small
        # index); after a few edits, FTS5's own merging is enough.
        if fresh or changed * 10 > len(library.articles):
            for table in ("articles", "words"):
                connection.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
        _list_terms(connection)
        connection.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (library.version,))
        connection.execute("COMMIT")
    finally:
        connection.close()
    with open(path, "rb") as handle:  # on disk before the rename publishes it
        os.fsync(handle.fileno())


def _list_terms(connection: sqlite3.Connection) -> None:
    """Fill `terms` again from the articles index itself, and note in `meta` how many articles there
    are: the two numbers bm25 weighs a word by."""
    connection.execute("CREATE VIRTUAL TABLE temp.indexed USING fts5vocab(main, articles, 'row')")
    connection.execute("DELETE FROM terms")
    connection.execute("INSERT INTO terms SELECT term, doc FROM temp.indexed WHERE doc > 0")
    connection.execute("DROP TABLE temp.indexed")
    connection.execute("INSERT OR REPLACE INTO meta SELECT 'articles', count(*) FROM docs")


def _apply(connection: sqlite3.Connection, library: Library) -> int:
    """Delete the articles gone or changed and index the new or changed ones, the oldest first (see
    IDS); return how many."""
    known = {
        slug: (id_, fp) for id_, slug, fp in connection.execute("SELECT id, slug, fingerprint FROM docs")
    }
    changed = 0
    for slug in known.keys() - library.by_slug.keys():
        _delete(connection, known[slug][0])
        connection.execute("DELETE FROM docs WHERE id = ?", (known[slug][0],))
        changed += 1
    for article in reversed(library.articles):  # the library lists the newest first
        fingerprint = text.fingerprint(article)
        id_, old = known.get(article.slug, (None, None))
        if old == fingerprint:
            continue
        if id_ is None:
            id_ = connection.execute(
                "INSERT INTO docs(slug, fingerprint, title, description, headings) VALUES (?, ?, '', '', '')",
                (article.slug, fingerprint),
            ).lastrowid
        else:
            _delete(connection, id_)
            connection.execute("UPDATE docs SET fingerprint = ? WHERE id = ?", (fingerprint, id_))
        _insert(connection, id_, article)
        changed += 1
    return changed


def _parts_of(connection: sqlite3.Connection, id_: int) -> list[tuple[str, str]]:
    """The (heading, text) of an article's parts as indexed, in order."""
    return connection.execute(
        "SELECT heading, text FROM parts WHERE id BETWEEN ? AND ? ORDER BY id",
        (id_ * PART_SLOTS, (id_ + 1) * PART_SLOTS - 1),
    ).fetchall()


def _body(parts: list[tuple[str, str]]) -> str:
    """The body column of an article: every part's heading and text, in order."""
    return " ".join(f"{heading} {text}".strip() for heading, text in parts)


def _words(title: str, description: str, body: str) -> str:
    """The words column of an article (its vocabulary): the same text when indexed and when deleted."""
    return f"{title} {description} {body}"


def _delete(connection: sqlite3.Connection, id_: int) -> None:
    """Remove one article's rows from every full-text table (the contentless one with its old values)."""
    title, description, headings = connection.execute(
        "SELECT title, description, headings FROM docs WHERE id = ?", (id_,)
    ).fetchone()
    body = _body(_parts_of(connection, id_))
    connection.execute(
        "INSERT INTO articles(articles, rowid, title, description, headings, body)"
        " VALUES ('delete', ?, ?, ?, ?, ?)",
        (id_, title, description, headings, body),
    )
    connection.execute(
        "INSERT INTO words(words, rowid, list) VALUES ('delete', ?, ?)",
        (id_, _words(title, description, body)),
    )
    connection.execute(
        "DELETE FROM parts WHERE id BETWEEN ? AND ?", (id_ * PART_SLOTS, (id_ + 1) * PART_SLOTS - 1)
    )


def _insert(connection: sqlite3.Connection, id_: int, article: Article) -> None:
    """Index one article: its columns, its linkable parts, and its distinct words."""
    doc = text.document(article)
    parts = doc.parts[:PART_SLOTS]
    body = _body([(part.heading, part.text) for part in parts])
    connection.execute(
        "UPDATE docs SET title = ?, description = ?, headings = ? WHERE id = ?",
        (doc.title, doc.description, doc.headings, id_),
    )
    connection.execute(
        "INSERT INTO articles(rowid, title, description, headings, body) VALUES (?, ?, ?, ?, ?)",
        (id_, doc.title, doc.description, doc.headings, body),
    )
    connection.executemany(
        "INSERT INTO parts(id, anchor, heading, text) VALUES (?, ?, ?, ?)",
        [(id_ * PART_SLOTS + n, part.anchor, part.heading, part.text) for n, part in enumerate(parts)],
    )
    connection.execute(
        "INSERT INTO words(rowid, list) VALUES (?, ?)", (id_, _words(doc.title, doc.description, body))
    )
