"""The newsletter: the reader's signup, its confirmation by email, unsubscribing, the consent history,
the outbox and its sender, and the signups store."""

from flask import Flask

from webapp.newsletter import cli, confirm, mail_cli, mailer, sender, views  # noqa: F401 - confirm adds routes


def check_settings(app: Flask) -> None:
    """Refuse to start with mail or webhook settings that could never work, saying which and why."""
    if app.config["MAIL_URL"]:
        mailer.parse_url(app.config["MAIL_URL"])
    if app.config["SIGNUP_WEBHOOK_URL"] and not app.config["SIGNUP_WEBHOOK_SECRET"]:
        raise ValueError(
            "FLASK_SIGNUP_WEBHOOK_URL is set: set FLASK_SIGNUP_WEBHOOK_SECRET too (it signs calls)"
        )


def init_app(app: Flask) -> None:
    """Register the reader's newsletter routes, the background sender, `flask signups` and `flask mail`."""
    check_settings(app)
    views.init_app(app)
    sender.init_app(app)
    cli.init_app(app)
    mail_cli.init_app(app)
