"""Articles: the content model, loading and checking `content/`, and the library every page reads."""

from flask import Flask

from webapp.articles import cli, library, reload
from webapp.articles.library import Library, get_library, library_of, on_load
from webapp.articles.reload import serving

__all__ = ["Library", "get_library", "init_app", "library_of", "on_load", "serving"]


def init_app(app: Flask) -> None:
    """Load the library, watch the content folder for edits, and register `flask content`."""
    library.init_app(app)
    reload.init_app(app)  # after the library: it keeps the last good content
    cli.init_app(app)
