"""The marketers' side: sign-in, accounts, the signups dashboard and exports."""

from flask import Flask

from webapp.admin import (  # noqa: F401 - these modules add their routes to views.bp
    authenticator,
    cli,
    insights_views,
    sign_in,
    subscribers,
    views,
)


def init_app(app: Flask) -> None:
    """Register /admin and `flask users`."""
    views.init_app(app)
    cli.init_app(app)
