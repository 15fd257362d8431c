"""What each outbox row says: the confirmation and welcome emails, and the webhook's JSON body."""

from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, render_template
from werkzeug.routing import MapAdapter

from webapp.newsletter.mailer import Outgoing
from webapp.newsletter.outbox import Job
from webapp.newsletter.tokens import confirm_token, signing_keys, unsubscribe_token

SUBJECTS = {
    "confirm": "Confirm your subscription to {site}",
    "welcome": "Welcome to {site}",
}


def _public_urls() -> MapAdapter:
    """Builds absolute URLs of our routes on the public site (FLASK_SITE_URL), outside any request."""
    site = urlsplit(current_app.config["SITE_URL"])
    return current_app.url_map.bind(site.netloc, script_name=site.path or "/", url_scheme=site.scheme)


def public_url(endpoint: str, **values) -> str:
    """An absolute URL of one of our routes on the public site."""
    return _public_urls().build(endpoint, values, force_external=True)


def unsubscribe_links() -> Callable[[str], str]:
    """A function giving a signup's unsubscribe link from its key (set up once for a whole export)."""
    urls, keys = _public_urls(), signing_keys(current_app.config)
    endpoint = "newsletter.unsubscribe_page"
    return lambda key: urls.build(endpoint, {"token": unsubscribe_token(keys, key)}, force_external=True)


def unsubscribe_url(key: str) -> str:
    """The one-click unsubscribe link of a signup's key."""
    return unsubscribe_links()(key)


def confirm_url(job: Job) -> str:
    """The confirmation link, signed with the time the email was queued (a retry carries the same)."""
    token = confirm_token(signing_keys(current_app.config), job.confirm_nonce, job.created_at)
    return public_url("newsletter.confirm_page", token=token)


def email(job: Job) -> Outgoing:
    """The email an outbox row stands for, addressed to its signup."""
    config = current_app.config
    context = {
        "site_name": config["SITE_NAME"],
        "site_url": public_url("pages.index"),
        "unsubscribe_url": unsubscribe_url(job.unsubscribe_key),
        "confirm_days": config["SIGNUP_CONFIRM_DAYS"],
    }
    if job.topic == "confirm":
        context["confirm_url"] = confirm_url(job)
        context["expires"] = job.created_at + timedelta(days=config["SIGNUP_CONFIRM_DAYS"])
    return Outgoing(
        to=job.email,
        subject=SUBJECTS[job.topic].format(site=config["SITE_NAME"]),
        text=render_template(f"newsletter/email/{job.topic}.txt", **context),
        html=render_template(f"newsletter/email/{job.topic}.html", **context),
        message_id=job.message_id,
        date=job.created_at,
        unsubscribe_url=context["unsubscribe_url"],
    )
