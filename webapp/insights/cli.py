"""`flask insights export|flush`: the daily rows for other tools, and a manual flush of the Redis buffer."""

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import datetime

import click
from flask import Flask
from flask.cli import AppGroup

from webapp.insights import recorder, store

COLUMNS = ("day", "article", "views", "reads", "faq_opens", "cta_views", "signups", "confirmed")


def records(rows: Iterable) -> Iterator[dict]:
    """Store rows as export records (the day in ISO 8601)."""
    for row in rows:
        yield {name: row.day.isoformat() if name == "day" else getattr(row, name) for name in COLUMNS}


def csv_chunks(items: Iterable[dict], rows_per_chunk: int = 500) -> Iterator[str]:
    """The header, then the rows in chunks of CSV text."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for count, item in enumerate(items, start=1):
        writer.writerow(item)  # slugs start with a letter or digit: no cell reads as a formula
        if count % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def json_chunks(items: Iterable[dict]) -> Iterator[str]:
    """A JSON array, one object per line, streamed like the CSV."""
    yield "["
    for index, item in enumerate(items):
        yield ("," if index else "") + "\n" + json.dumps(item)
    yield "\n]\n"


@click.group("insights", cls=AppGroup)
def insights_cli() -> None:
    """Article insights: export the daily counters, flush the Redis buffer."""


@insights_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="Only days from this UTC day on.")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8", lazy=True), default="-", help="File.")
def export_command(fmt: str, since: datetime | None, output) -> None:
    """Write one row per article and day: day, article, views, reads, faq_opens, cta_views, signups,
    confirmed (days in UTC)."""
    items = records(store.rows(since.date() if since else None))
    try:
        for chunk in csv_chunks(items) if fmt == "csv" else json_chunks(items):
            output.write(chunk)
    except store.StoreUnavailable as error:
        message = f"the database is unavailable (run `flask db upgrade`?): {error}"
        raise click.ClickException(message) from error


@insights_cli.command("flush")
def flush_command() -> None:
    """Apply the Redis buffer to the database now (the servers do it every few seconds anyway)."""
    buffer = recorder.state().buffer
    if buffer is None:
        click.echo("No buffer configured (FLASK_INSIGHTS_REDIS_URL): every batch is already in the database.")
        return
    click.echo(f"Applied {buffer.flush()} counters.")


def init_app(app: Flask) -> None:
    """Register `flask insights`."""
    app.cli.add_command(insights_cli)
