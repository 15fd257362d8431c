"""The loaded article library: one immutable snapshot per load, swapped atomically."""

import gc
import hashlib
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from stat import S_ISREG

import click
from flask import Flask, current_app
from flask.cli import ScriptInfo

from webapp.articles import parallel
from webapp.articles import parse_cache as content_cache
from webapp.articles import related as related_mod
from webapp.articles.loader import load_articles, load_or_fail
from webapp.articles.model import Article, ContentError

CACHE_NAME = "content-cache.msgpack"  # the parse cache, in the instance folder
LAST_GOOD = "last-good"  # the version of a library started from the parse cache (the disk has problems)


@dataclass(frozen=True, eq=False)
class Library:
    """All articles, newest first, with look-ups by slug and by tag."""

    articles: tuple[Article, ...]
    version: str = ""
    by_slug: dict[str, Article] = field(default_factory=dict)
    by_tag: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def build(cls, articles: list[Article], version: str = "") -> "Library":
        """Index a list of validated articles."""
        ordered = tuple(sorted(articles, key=lambda a: (a.published, a.slug), reverse=True))
        return cls(ordered, version, {a.slug: a for a in ordered}, related_mod.tag_index(ordered))

    def tagged(self, tag: str) -> list[Article]:
        """The articles carrying a tag, newest first."""
        return [self.by_slug[slug] for slug in self.by_tag.get(tag, ())]

    def related(self, article: Article) -> list[Article]:
        """The articles to suggest after this one (computed once per article)."""
        return _related(self, article.slug)


@lru_cache(maxsize=4096)
def _related(library: Library, slug: str) -> list[Article]:
    return related_mod.related(library.by_slug[slug], library.by_slug, library.by_tag)


def content_version(content_dir: Path, templates_dir: Path) -> str:
    """A short digest of the content and templates, so cached pages change when either does."""
    digest = hashlib.blake2b(digest_size=8)
    for folder in (content_dir, templates_dir):
        for path in sorted(folder.rglob("*"), key=lambda p: p.parts):  # cheaper than comparing Paths
            stat = path.stat()  # one stat per file, not two (is_file, then stat): 10,000 files notice
            if S_ISREG(stat.st_mode):
                digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()


def load_library(
    content_dir: Path, static_dir: Path, templates_dir: Path, cache_file: Path | None = None
) -> Library:
    """Load and index the content folder; raises ContentError naming every problem.

    With `cache_file`, files unchanged since the last good load are not parsed again, and many new
    ones are parsed in parallel.
    """
    version = content_version(content_dir, templates_dir)
    if cache_file is None:
        return Library.build(load_or_fail(content_dir, static_dir), version)
    collecting = gc.isenabled()
    gc.disable()  # loading makes ~20 objects per article and no garbage: a full collection midway
    try:  # would walk them all for nothing (0.4 s at 10,000 articles)
        known = content_cache.read(cache_file)
        before = {name: entry[:2] for name, entry in known.items()}
        parallel.prefill(content_dir, static_dir, known)  # a cold start: every core parses
        articles, problems = load_articles(content_dir, static_dir, known)
        if problems:
            raise ContentError(problems)
        for gone in set(known) - {article.path for article in articles}:
            del known[gone]  # the cache holds exactly this good library: a worker may start from it
        if {name: entry[:2] for name, entry in known.items()} != before:
            content_cache.write(cache_file, known)
        return Library.build(articles, version)
    finally:
        if collecting:
            gc.enable()


def library_of(app: Flask) -> Library:
    """The library an app serves."""
    return app.extensions["library"]


def get_library() -> Library:
    """The library the current app serves."""
    return library_of(current_app)


def last_good_library(app: Flask) -> Library | None:
    """The library of the last load that had no problem, from the parse cache (None without one)."""
    known = content_cache.read(Path(app.instance_path) / CACHE_NAME)
    return Library.build([article for _, _, article in known.values()], LAST_GOOD) if known else None


def load_failed(app: Flask) -> bool:
    """True when the app started (under the `flask` command) without its content."""
    return "content_error" in app.extensions


_listeners: "weakref.WeakKeyDictionary[Flask, list[Callable[[Library], None]]]" = weakref.WeakKeyDictionary()


def on_load(app: Flask, listener: Callable[[Library], None]) -> None:
    """Call `listener(library)` with the library being served now, then with each new one before
    it is swapped in (e.g. to build what is derived from it, such as the search index)."""
    _listeners.setdefault(app, []).append(listener)
    listener(library_of(app))


def reload_library(app: Flask) -> Library:
    """Load the content folder again and swap it in only if every file is good."""
    library = load_library(
        Path(app.config["CONTENT_DIR"]),
        Path(app.config["STATIC_DIR"]),
        Path(app.template_folder),
        Path(app.instance_path) / CACHE_NAME,
    )
    for listener in _listeners.get(app, ()):
        listener(library)
    app.extensions["library"] = library
    _related.cache_clear()  # let the previous library go
    return library


def _content_unavailable():
    """Answer every request of a CLI-started app whose content failed to load."""
    problems = current_app.extensions["content_error"]
    return (
        f"The content folder has problems; fix them and restart:\n{problems}\n",
        503,
        {"Content-Type": "text/plain; charset=utf-8"},
    )


def under_flask_command() -> bool:
    """True inside a `flask` command: Flask's CLI puts its ScriptInfo in the click context. (A server
    with a click command line of its own, such as granian, has a click context too, but not this.)"""
    context = click.get_current_context(silent=True)
    return context is not None and context.find_object(ScriptInfo) is not None


def init_app(app: Flask) -> None:
    """Load the content once at start-up; a bad file is reported with its problems.

    A server then starts with the last good library (the parse cache's), logging the problems: a
    worker restarted, or a server restarted, while an editor's half-written article sits in content/
    keeps serving. Without a last good library (a fresh instance folder), start-up stops. Under the
    `flask` command (e.g. `flask content check`) the app still loads, so that the command can report
    every problem; a dev server started that way answers 503 with them.
    """
    try:
        reload_library(app)
    except ContentError as error:
        if not under_flask_command():
            library = last_good_library(app)
            if library is None:
                raise
            app.extensions["library"] = library
            app.logger.error(
                "content has problems; serving the last good library (%d articles) until they are fixed:\n%s",
                len(library.articles),
                error,
            )
            return
        app.extensions["library"] = Library.build([], "unavailable")
        app.extensions["content_error"] = error
        app.before_request(_content_unavailable)
