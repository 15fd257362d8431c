"""Search: an SQLite FTS5 index of the library in the instance folder, and the pages that read it."""

from collections.abc import Callable
from pathlib import Path

from flask import Flask

from webapp.articles.library import Library
from webapp.search import views
from webapp.search.store import IndexStore


def init_app(
    app: Flask, library: Callable[[], Library], on_load: Callable[[Flask, Callable[[Library], None]], None]
) -> None:
    """Index `library()` now, and each new library `on_load` announces before it is served."""
    store = IndexStore(Path(app.instance_path) / "search", library)
    on_load(app, store.update)
    views.init_app(app, store)
