"""Schema migrations with Alembic, run programmatically: `flask db upgrade` and `make run` call them."""

from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import text

from webapp.db.engine import build_engine

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config() -> Config:
    """An Alembic configuration pointing at our migrations folder (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` up to `revision` in one transaction, one migrator at a time."""
    engine = build_engine(url)
    try:
        with engine.connect() as connection:
            connection.execution_options(write=True)
            with connection.begin():
                if connection.dialect.name == "postgresql":
                    # Two servers starting at once: the second waits, then finds nothing to do.
                    connection.execute(text("SELECT pg_advisory_xact_lock(4242001)"))
                config = alembic_config()
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
    finally:
        engine.dispose()


def current_revision(url: str) -> str | None:
    """The revision the database at `url` is at, or None when it was never migrated."""
    engine = build_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


@click.group("db", cls=AppGroup)
def db_cli() -> None:
    """Manage the signups database schema."""


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def upgrade_command(revision: str) -> None:
    """Apply the migrations up to REVISION (default: the newest)."""
    url = current_app.config["DATABASE_URL"]
    upgrade(url, revision)
    click.echo(f"Database at revision {current_revision(url)}.")


@db_cli.command("current")
def current_command() -> None:
    """Print the database's revision."""
    click.echo(current_revision(current_app.config["DATABASE_URL"]) or "not migrated")


def init_app(app: Flask) -> None:
    """Register `flask db`."""
    app.cli.add_command(db_cli)
