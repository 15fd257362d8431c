"""The mail sender: drains the outbox (emails and webhook calls), retrying with backoff, never twice at once.

It runs as a thread in each web worker (`make run`, FLASK_MAIL_BACKGROUND_SENDER) and/or as its own
process (`flask mail send-loop`); the outbox's leases make every row go out once whatever runs.
"""

import logging
import os
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from flask import Flask, current_app

from webapp.db.engine import StoreUnavailable, writing
from webapp.db.schema import utcnow
from webapp.newsletter import compose, events, mailer, outbox, webhook
from webapp.newsletter import store as signups
from webapp.newsletter.mailer import Deferred, Refused, Unreachable

log = logging.getLogger(__name__)
FIRST_RETRY = 60  # seconds: the first retry comes within a minute,
LONGEST_WAIT = 6 * 3600  # then waits double (with jitter) up to six hours,
GIVE_UP_AFTER = timedelta(days=3)  # for three days, after which the message is marked failed.
SENT_EVENTS = {"confirm": "confirmation_sent", "welcome": "welcome_sent"}
STILL_WANTED = {"confirm": "pending", "welcome": "confirmed"}
GATHER_SECONDS = 0.5


def retry_at(attempts: int, now: datetime) -> datetime:
    """When to try again after `attempts` failures: 30-60 s, then doubling with jitter, capped."""
    ceiling = min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)
    return now + timedelta(seconds=random.uniform(ceiling / 2, ceiling))


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one claimed row: sent, deferred (retry) or refused (5xx: undeliverable)."""

    job: outbox.Job
    result: str  # "sent" | "deferred" | "refused" | "obsolete"
    error: str = ""


def _attempt(job: outbox.Job, send: Callable[[], object]) -> tuple[Outcome, str]:
    """Deliver one claimed row: its outcome, and the error when the server could not be reached at all
    (the rest of the batch then waits, so a batch costs one timeout, not one per message)."""
    try:
        send()
    except Refused as error:
        return Outcome(job, "refused", str(error)), ""
    except Unreachable as error:
        return Outcome(job, "deferred", str(error)), str(error)
    except Deferred as error:
        return Outcome(job, "deferred", str(error)), ""
    return Outcome(job, "sent"), ""


def _deliver_emails(jobs: list[outbox.Job]) -> list[Outcome]:
    """Send the claimed emails over one transport connection."""
    config = current_app.config
    mail_from = config["MAIL_FROM"] or mailer.default_from(config["SITE_NAME"], config["SITE_URL"])
    domain = mailer.sender_domain(config["SITE_URL"])
    outcomes, unreachable = [], ""
    with mailer.transport(config["MAIL_URL"], current_app.instance_path) as transport:
        for job in jobs:
            if job.status != STILL_WANTED[job.topic]:  # unsubscribed or erased since it was queued
                outcomes.append(Outcome(job, "obsolete"))
                continue
            if unreachable:  # one timeout per batch, not one per message: the leases must outlast it
                outcomes.append(Outcome(job, "deferred", unreachable))
                continue
            message = mailer.build(compose.email(job), mail_from, domain)
            name = f"{job.created_at:%Y%m%dT%H%M%S}-{job.id}"
            outcome, unreachable = _attempt(job, partial(transport.send, message, name))
            outcomes.append(outcome)
    return outcomes


def _deliver_webhooks(jobs: list[outbox.Job]) -> list[Outcome]:
    """POST the claimed webhook events (an unset URL keeps them waiting: never lost)."""
    config = current_app.config
    url, secret, agent = config["SIGNUP_WEBHOOK_URL"], config["SIGNUP_WEBHOOK_SECRET"], config["SITE_NAME"]
    outcomes, unreachable = [], "" if url else "FLASK_SIGNUP_WEBHOOK_URL is not set"
    for job in jobs:
        if unreachable:
            outcomes.append(Outcome(job, "deferred", unreachable))
            continue
        post = partial(webhook.post, url, secret, job.payload, job.message_id, f"{agent} webhook")
        outcome, unreachable = _attempt(job, post)
        outcomes.append(outcome)
    return outcomes


def _record(outcomes: list[Outcome], now: datetime) -> None:
    """Record every outcome of a batch in one transaction (with the events they add)."""
    webhook_on = bool(current_app.config["SIGNUP_WEBHOOK_URL"])
    with writing() as connection:
        for outcome in outcomes:
            job = outcome.job
            if outcome.result == "sent":
                outbox.mark_sent(connection, job, now)
                if job.kind == "email":
                    events.append(connection, job.signup_id, SENT_EVENTS[job.topic], now)
            elif outcome.result == "obsolete":
                outbox.forget(connection, job)
            elif outcome.result == "refused":
                outbox.mark_failed(connection, job, outcome.error)
                signups.mark_undeliverable(connection, job.signup_id, outcome.error, webhook_on, now)
            elif now - job.created_at >= GIVE_UP_AFTER:
                outbox.mark_failed(
                    connection, job, f"gave up after {GIVE_UP_AFTER.days} days; {outcome.error}"
                )
            else:
                outbox.mark_retry(connection, job, outcome.error, retry_at(job.attempts + 1, now))
    problems = Counter(
        (o.job.kind, o.result, o.error) for o in outcomes if o.result in ("deferred", "refused")
    )
    for (kind, result, error), count in problems.items():  # one line for a batch the same error held up
        log.warning("outbox: %d %s %s: %s", count, kind, result, error)


def send_due(owner: str | None = None, now: datetime | None = None, limit: int = 50) -> dict[str, int]:
    """Claim and deliver one batch of due messages; how many had each outcome."""
    now = now or utcnow()
    jobs = outbox.claim(owner or _owner(), now, limit)
    outcomes = _deliver_emails([job for job in jobs if job.kind == "email"])
    outcomes += _deliver_webhooks([job for job in jobs if job.kind == "webhook"])
    if outcomes:
        _record(outcomes, utcnow() if now is None else now)
    counts = {"sent": 0, "deferred": 0, "refused": 0, "obsolete": 0}
    for outcome in outcomes:
        counts[outcome.result] += 1
    return counts


def send_all(now: datetime | None = None, limit: int = 50) -> dict[str, int]:
    """Send batches until a batch comes back short (nothing more was due); the totals."""
    totals = {"sent": 0, "deferred": 0, "refused": 0, "obsolete": 0}
    while True:
        counts = send_due(now=now, limit=limit)
        for key, value in counts.items():
            totals[key] += value
        if sum(counts.values()) < limit:
            return totals


def housekeeping(now: datetime | None = None) -> tuple[int, int, int]:
    """Purge never-confirmed signups and old delivered messages: (deleted, reverted, messages)."""
    now = now or utcnow()
    deleted, reverted = signups.purge_pending(timedelta(days=current_app.config["SIGNUP_PENDING_DAYS"]), now)
    return deleted, reverted, outbox.purge_sent(now - timedelta(days=30))


def _owner() -> str:
    """This sender's name in the leases it takes."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{threading.get_ident() % 100000}"


def run_forever(app: Flask, stop: threading.Event, poll: float = 5.0) -> None:
    """Send whatever is due, then wait for new mail (or `poll` seconds); purge once an hour."""
    next_housekeeping, outage = 0.0, False
    while not stop.is_set():
        outbox.queued.clear()
        wait = poll
        try:
            with app.app_context():
                send_all()
                if (clock := time.monotonic()) >= next_housekeeping:
                    housekeeping()
                    next_housekeeping = clock + 3600
            if outage:
                log.warning("mail sender: the database is back")
            outage = False
        except StoreUnavailable as error:
            if not outage:  # once per outage; the driver's words stay out (they are the signups' to log)
                cause = type(error.__cause__).__name__
                log.warning("mail sender: the database is unavailable (%s); trying again", cause)
            outage, wait = True, 30.0
        except Exception:  # noqa: BLE001 - the sender thread must survive anything and keep trying
            log.exception("mail sender: unexpected error; trying again")
            wait = 30.0
        if outbox.queued.wait(wait) and not outage:
            # Woken by a signup: let the signups of a busy moment gather into one batch, so the sender
            # takes the database's write lock once for many of them rather than once per signup.
            stop.wait(GATHER_SECONDS)


_started: dict[int, int] = {}  # id(app) -> the pid whose thread sends for it
_lock = threading.Lock()


def ensure_started() -> None:
    """Start this process's background sender for the current app once (after any fork)."""
    app = current_app._get_current_object()
    if _started.get(id(app)) == os.getpid():
        return
    with _lock:
        if _started.get(id(app)) != os.getpid():
            _started[id(app)] = os.getpid()
            stop = threading.Event()
            threading.Thread(target=run_forever, args=(app, stop), name="mail-sender", daemon=True).start()


def start_in(app) -> None:
    """Start the background sender of a freshly forked server worker (gunicorn's post_worker_init)."""
    if isinstance(app, Flask) and app.config.get("MAIL_BACKGROUND_SENDER") and not app.testing:
        with app.app_context():
            ensure_started()


def init_app(app: Flask) -> None:
    """Run the sender in the background of each serving process, unless turned off or testing."""
    if app.config["MAIL_BACKGROUND_SENDER"] and not app.testing:
        app.before_request(ensure_started)
