"""Command-line tools for marketers' accounts: `flask users create`."""

import click
from flask import Flask
from flask.cli import AppGroup

from webapp.admin import accounts
from webapp.db.engine import StoreUnavailable


@click.group("users", cls=AppGroup)
def users_cli() -> None:
    """Manage marketers' accounts."""


@users_cli.command("create")
@click.argument("email")
@click.password_option(help="Prompted for (twice) when not given.")
def create_user_command(email: str, password: str) -> None:
    """Create a marketer's account for EMAIL; the password is asked for and stored hashed."""
    try:
        user = accounts.create_user(email, password)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error
    except StoreUnavailable as error:
        raise click.ClickException(
            f"the database is unavailable (run `flask db upgrade`?): {error}"
        ) from error
    click.echo(f"Created an account for {user.email}.")


def init_app(app: Flask) -> None:
    """Register `flask users`."""
    app.cli.add_command(users_cli)
