"""Command-line tools for marketers' accounts: `flask users create|set-password|disable|enable|reset-2fa`.

Changing a password, disabling an account or removing its second factor ends every session it has.
"""

import getpass

import click
from flask import Flask
from flask.cli import AppGroup

from webapp.admin import accounts, two_factor
from webapp.db.engine import StoreUnavailable
from webapp.web import security_log


@click.group("users", cls=AppGroup)
def users_cli() -> None:
    """Manage marketers' accounts."""


def _run(change, *args):
    """Call an account change, turning its errors into one-line messages."""
    try:
        return change(*args)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from error
    except StoreUnavailable as error:
        message = f"the database is unavailable (run `flask db upgrade`?): {error}"
        raise click.ClickException(message) from error


def _log(event: str, user: accounts.User) -> None:
    """Record an account change made on the server, with the operating-system user who made it."""
    security_log.record(event, user, by=f"command line ({getpass.getuser()})")


@users_cli.command("create")
@click.argument("email")
@click.password_option(help="Prompted for (twice) when not given.")
def create_user_command(email: str, password: str) -> None:
    """Create a marketer's account for EMAIL; the password is asked for and stored hashed."""
    user = _run(accounts.create_user, email, password)
    _log("account created", user)
    click.echo(f"Created an account for {user.email}.")


@users_cli.command("set-password")
@click.argument("email")
@click.password_option(help="Prompted for (twice) when not given.")
def set_password_command(email: str, password: str) -> None:
    """Give EMAIL's account a new password; every session it has ends."""
    user = _run(accounts.set_password, email, password)
    _log("password changed", user)
    click.echo(f"New password set for {user.email}; its sessions have ended.")


@users_cli.command("disable")
@click.argument("email")
def disable_command(email: str) -> None:
    """Stop EMAIL's account from signing in; every session it has ends."""
    user = _run(accounts.disable, email)
    _log("account disabled", user)
    click.echo(f"Disabled {user.email}; its sessions have ended.")


@users_cli.command("enable")
@click.argument("email")
def enable_command(email: str) -> None:
    """Let a disabled account sign in again."""
    user = _run(accounts.enable, email)
    _log("account enabled", user)
    click.echo(f"Enabled {user.email}.")


@users_cli.command("reset-2fa")
@click.argument("email")
def reset_two_factor_command(email: str) -> None:
    """Remove EMAIL's authenticator and recovery codes (a lost phone); every session it has ends."""
    user = _run(accounts.find_user, email)
    if user is None:
        raise click.ClickException(f"There is no account for {email.strip().lower()}.")
    _run(two_factor.disable, user.id)
    _run(accounts.end_sessions, user.id)
    _log("two-factor sign-in removed", user)
    click.echo(f"Removed two-factor sign-in from {user.email}; it signs in with its password alone.")


def init_app(app: Flask) -> None:
    """Register `flask users`."""
    app.cli.add_command(users_cli)
