"""The signups database: the engine (SQLite or PostgreSQL), the schema and its migrations."""

from flask import Flask

from webapp.db import migrate


def init_app(app: Flask) -> None:
    """Register `flask db`."""
    migrate.init_app(app)
