"""The newsletter: the reader's signup and unsubscribe, the consent they give, and the signups store."""

from flask import Flask

from webapp.newsletter import cli, views


def init_app(app: Flask) -> None:
    """Register the reader's newsletter routes and `flask signups`."""
    views.init_app(app)
    cli.init_app(app)
