"""Healthy Tips: mobile-first health articles, served by Flask and enhanced with htmx.

`create_app` reads the configuration (`config.py`) and wires the areas, each a package with its own
`init_app`: articles (the content), db (the signups database), web (plumbing every request shares),
newsletter (the reader's signup), admin (the marketers' side) and reader (the pages people read).
"""

import os

from flask import Flask

from webapp import admin, articles, config, db, insights, newsletter, reader, search, web
from webapp.config import ROOT


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: defaults, then `FLASK_*` environment variables or the test's dict."""
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("FLASK_INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=instance_path or str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=None,
    )
    config.load(app, test_config)
    web.prepare(app)  # the instance folder and the secret key, before anything signs or writes
    articles.init_app(app)  # first: every page needs the library
    db.init_app(app)
    # the page cache (its render version computed now, before a server forks workers) and rate limits
    web.init_app(app, library=articles.serving(app), loaded=articles.library_of(app))
    newsletter.init_app(app)
    insights.init_app(app, library=articles.serving(app))  # the beacon endpoint's layer, before Flask
    admin.init_app(app)
    reader.init_app(app)
    search.init_app(app, library=articles.get_library, on_load=articles.on_load)
    web.wrap(app)  # last: static files, security headers and the request log wrap everything above
    return app
