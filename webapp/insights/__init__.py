"""Article insights for marketers: daily counters of views, reads, FAQ opens, calls to action seen,
signups and confirmations, fed by a small beacon script. No cookies, no addresses, no per-reader rows."""

from collections.abc import Callable

from flask import Flask

from webapp.insights import buffer, cli, recorder, views
from webapp.insights.recorder import record_confirmed, record_signup

__all__ = ["init_app", "record_signup", "record_confirmed"]


def init_app(app: Flask, library: Callable[[], object]) -> None:
    """Register the beacon endpoint and `flask insights`; `library()` is the articles being served."""
    app.extensions["insights"] = recorder.State(library, buffer.init_app(app))
    views.init_app(app)
    cli.init_app(app)
