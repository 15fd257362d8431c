"""Command-line tools: `flask signups export|erase|purge|new-unsubscribe-link|backup`."""

import contextlib
import getpass
import os
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy.engine import make_url

from webapp.db.engine import StoreUnavailable
from webapp.newsletter import export, stats
from webapp.newsletter import store as signups
from webapp.newsletter.compose import unsubscribe_url
from webapp.newsletter.emails import InvalidEmail, normalize_email
from webapp.newsletter.sender import housekeeping
from webapp.web import security_log


@click.group("signups", cls=AppGroup)
def signups_cli() -> None:
    """Export, erase or back up the newsletter signups."""


@signups_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="Only signups from this UTC day on.")
@click.option(
    "--status",
    type=click.Choice(["all", *stats.STATUSES]),
    default="confirmed",
    show_default=True,
    help="Which signups: confirmed subscribers, or another status, or all.",
)
@click.option("--output", "-o", type=click.File("w", encoding="utf-8", lazy=True), default="-", help="File.")
def export_command(fmt: str, since: datetime | None, status: str, output) -> None:
    """Write signups as CSV or JSON (JSON with their `events`), streamed; a progress bar in a terminal."""
    since = since.replace(tzinfo=UTC) if since else None
    try:
        total = signups.count_rows(since, status)
        security_log.record("export", None, by=f"command line ({getpass.getuser()})", format=fmt, rows=total)
        records = export.signup_records(since, status, with_events=fmt == "json")
        # The bar goes to stderr, and only when stderr is a terminal that is not also receiving the data.
        if sys.stderr.isatty() and not (output.name == "<stdout>" and sys.stdout.isatty()):
            bar = click.progressbar(
                records, length=total, label=f"Exporting {total} signups", file=sys.stderr
            )
        else:
            bar = contextlib.nullcontext(records)
        with bar as items:
            for chunk in export.csv_chunks(items) if fmt == "csv" else export.json_chunks(items):
                output.write(chunk)
    except StoreUnavailable as error:
        raise click.ClickException(f"the database is unavailable: {error}") from error


def _address(raw: str) -> str:
    """A typed address, normalized, or a usage error saying what is wrong with it."""
    try:
        return normalize_email(raw)
    except InvalidEmail as error:
        raise click.BadParameter(str(error), param_hint="EMAIL") from error


@signups_cli.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_command(email: str, yes: bool) -> None:
    """Remove EMAIL, its consent history and its queued mail for good (the right to erasure)."""
    address = _address(email)
    if not yes:
        click.confirm(f"Erase {address} and its whole history for good?", abort=True)
    try:
        erased = signups.erase(address, webhook=bool(current_app.config["SIGNUP_WEBHOOK_URL"]))
    except StoreUnavailable as error:
        raise click.ClickException(f"the database is unavailable: {error}") from error
    if not erased:
        raise click.ClickException(f"no signup for {address}")
    click.echo(f"Erased {address}; an anonymous tombstone keeps the totals right.")


@signups_cli.command("purge")
def purge_command() -> None:
    """Delete signups never confirmed within FLASK_SIGNUP_PENDING_DAYS (the sender does it hourly too)."""
    deleted, reverted, messages = housekeeping()
    click.echo(
        f"Deleted {deleted} never-confirmed signups; {reverted} re-signups lapsed back to unsubscribed;"
        f" {messages} old delivered messages removed."
    )


@signups_cli.command("new-unsubscribe-link")
@click.argument("email")
def new_unsubscribe_link_command(email: str) -> None:
    """Revoke EMAIL's unsubscribe links (a leaked one, say) and print its new one."""
    key = signups.new_unsubscribe_key(_address(email))
    if key is None:
        raise click.ClickException(f"no signup for {_address(email)}")
    click.echo(unsubscribe_url(key))


@signups_cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Copy the SQLite database to PATH with the online backup API, then check the copy."""
    url = make_url(current_app.config["DATABASE_URL"])
    if url.get_backend_name() != "sqlite":
        raise click.ClickException("backup copies SQLite databases; for PostgreSQL use pg_dump")
    source_path = Path(url.database or "")
    if not source_path.is_file():
        raise click.ClickException(f"no database at {source_path}")
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
    try:
        target = sqlite3.connect(partial)
        with target:
            source.backup(target, pages=1024)  # In steps, so writers are never held up for long.
        verdict = target.execute("PRAGMA integrity_check").fetchall()
        rows = target.execute("SELECT count(*) FROM signups").fetchone()[0]
        target.close()
    except sqlite3.Error as error:
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"backup failed: {error}") from error
    finally:
        source.close()
    if verdict != [("ok",)]:
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"the copy failed its integrity check: {verdict[:5]}")
    os.replace(partial, path)
    click.echo(f"Backed up {rows} signups to {path} (integrity check: ok).")


def init_app(app: Flask) -> None:
    """Register `flask signups`."""
    app.cli.add_command(signups_cli)
