""" "Did you mean ...?": each word no article contains, replaced by the closest word the articles use."""

import sqlite3
from functools import lru_cache
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

from webapp.search import marks, rank
from webapp.search.index import connect_readonly


@lru_cache(maxsize=2)
def vocabulary(path: Path) -> tuple[list[str], list[int]]:
    """Every word of an index file (accents and case folded) and how many articles use it."""
    connection = connect_readonly(path)
    try:
        rows = connection.execute("SELECT term, doc FROM vocabulary").fetchall()
    finally:
        connection.close()
    return [term for term, _ in rows], [docs for _, docs in rows]


def closest(path: Path, word: str) -> str | None:
    """The most used word within one edit (two for words of six letters or more), if any."""
    terms, docs = vocabulary(path)
    folded = marks.fold(word)
    limit = 2 if len(folded) >= 6 else 1
    found = process.extract(folded, terms, scorer=OSA.distance, score_cutoff=limit, limit=20)
    candidates = [(distance, -docs[index], term) for term, distance, index in found if distance > 0]
    return min(candidates)[2] if candidates else None


def suggest(connection: sqlite3.Connection, path: Path, found: list[str]) -> str | None:
    """A query in which every word is known and which finds articles, or None."""
    fixed, changed = [], False
    for n, word in enumerate(found):
        if rank.known(connection, word, prefix=n == len(found) - 1):
            fixed.append(word)
            continue
        better = closest(path, word)
        if better is None:
            return None
        fixed.append(better)
        changed = True
    if not changed or rank.count(connection, fixed) == 0:
        return None
    return " ".join(fixed)
