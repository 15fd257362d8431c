"""`flask mail outbox|send|send-loop`: see what waits and what was written, and run the sender."""

import signal
import threading
from email import policy
from email.parser import BytesHeaderParser
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from webapp.db.engine import StoreUnavailable
from webapp.newsletter import outbox, sender


@click.group("mail", cls=AppGroup)
def mail_cli() -> None:
    """The newsletter's outgoing mail."""


@mail_cli.command("outbox")
@click.option("--limit", default=20, show_default=True, help="How many .eml files and failures to list.")
def outbox_command(limit: int) -> None:
    """What waits to be sent, what failed, and (without FLASK_MAIL_URL) the .eml files written."""
    try:
        counts = outbox.counts()
        failed = outbox.failures(limit)
    except StoreUnavailable as error:
        raise click.ClickException(f"the database is unavailable: {error}") from error
    click.echo(f"Outbox: {counts['pending']} waiting, {counts['sent']} sent, {counts['failed']} failed.")
    for row in failed:
        click.echo(f"  failed #{row.id} {row.kind} {row.topic}: {row.last_error}")
    if current_app.config["MAIL_URL"]:
        click.echo(f"Mail goes out through {current_app.config['MAIL_URL'].split('@')[-1]}.")
        return
    folder = Path(current_app.instance_path) / "mail"
    files = sorted(folder.glob("*.eml"))
    click.echo(f"Email is not configured (FLASK_MAIL_URL): {len(files)} messages written to {folder}/")
    parser = BytesHeaderParser(policy=policy.default)
    for path in files[-limit:]:
        with path.open("rb") as handle:
            headers = parser.parse(handle)
        click.echo(f"  {path.name}  {headers['Date']}  to {headers['To']}  {headers['Subject']}")


@mail_cli.command("send")
def send_command() -> None:
    """Send everything due now, once (for cron, or to try a new mail setting)."""
    try:
        totals = sender.send_all()
    except StoreUnavailable as error:
        raise click.ClickException(f"the database is unavailable: {error}") from error
    click.echo(", ".join(f"{count} {outcome}" for outcome, count in totals.items()))


@mail_cli.command("send-loop")
@click.option("--poll", default=5.0, show_default=True, help="Seconds between looks at the outbox.")
def send_loop_command(poll: float) -> None:
    """Run the sender until SIGTERM or Ctrl-C (the systemd unit healthytips-mail runs this)."""
    stop = threading.Event()

    def finish(*_):
        stop.set()
        outbox.queued.set()  # wake the loop so it sees `stop`

    signal.signal(signal.SIGTERM, finish)
    signal.signal(signal.SIGINT, finish)
    click.echo("Mail sender running; SIGTERM or Ctrl-C stops it.")
    sender.run_forever(current_app._get_current_object(), stop, poll)
    click.echo("Mail sender stopped.")


def init_app(app: Flask) -> None:
    """Register `flask mail`."""
    app.cli.add_command(mail_cli)
