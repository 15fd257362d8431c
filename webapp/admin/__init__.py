"""The marketers' side: sign-in, accounts, the signups dashboard and exports."""

from flask import Flask

from webapp.admin import cli, subscribers, views  # noqa: F401 - subscribers adds routes to views.bp


def init_app(app: Flask) -> None:
    """Register /admin and `flask users`."""
    views.init_app(app)
    cli.init_app(app)
