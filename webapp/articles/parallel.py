"""A cold start's parsing spread over every core: a new instance folder has no parse cache, and parsing
10,000 articles in one process takes about 9 s (YAML, then the field checks).

`prefill` parses the files the parse cache does not know in one forked process per core and adds the
good ones to it, as if an earlier start had parsed them; the loader then takes them from the cache and
still checks what spans files (slugs, related articles, pictures). A file with a problem is left out,
so the loader parses it again itself and reports the problem as always.
"""

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from webapp.articles import parse_cache
from webapp.articles.loader import parse_article
from webapp.articles.model import Article

MIN_FILES = 400  # below this, starting processes costs more than it saves


def _parse(paths: list[str], static_dir: str) -> bytes:
    """In a worker: (name, size, mtime_ns, article) for each file that parses without problems, encoded."""
    parsed = []
    for name in paths:
        path = Path(name)
        try:
            stat = path.stat()
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        problems: list = []
        article = parse_article(path, source, Path(static_dir), problems)
        if article is not None and not problems:
            parsed.append((path.name, stat.st_size, stat.st_mtime_ns, article))
    return parse_cache.encode_articles(parsed)


def prefill(content_dir: Path, static_dir: Path, known: dict[str, tuple[int, int, Article]]) -> int:
    """Parse the files `known` lacks or has another version of, in parallel; return how many were added."""
    todo = []
    for entry in os.scandir(content_dir):
        if not entry.name.endswith(".md") or entry.name == "README.md" or not entry.is_file():
            continue
        hit = known.get(entry.name)
        stat = entry.stat()
        if hit is None or hit[:2] != (stat.st_size, stat.st_mtime_ns):
            todo.append(entry.path)
    workers = min(os.cpu_count() or 1, 8)
    # Forking a process that runs other threads (a worker reloading content while it serves) could
    # copy a lock some thread holds: only a single-threaded process (a start-up) forks.
    if len(todo) < MIN_FILES or workers < 2 or threading.active_count() > 1:
        return 0
    chunks = [todo[i::workers] for i in range(workers)]
    context = multiprocessing.get_context("fork")  # the workers share the imported code: no start-up
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        results = pool.map(_parse, chunks, [str(static_dir)] * workers)
        added = 0
        for parsed in results:
            for name, size, mtime, article in parse_cache.decode_articles(parsed):
                known[name] = (size, mtime, article)
                added += 1
    return added
