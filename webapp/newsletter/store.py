"""The signups store: each change of a signup's state, with its event and the mail it causes, in one
transaction (SQLAlchemy Core, SQLite or PostgreSQL). Reading figures and rows is in `stats.py`."""

from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, exists, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from webapp.db.engine import StoreUnavailable, reading, writing
from webapp.db.schema import erasures, signup_events, signups, utcnow
from webapp.newsletter import events, outbox
from webapp.newsletter.consent import Consent
from webapp.newsletter.emails import email_key
from webapp.newsletter.stats import Stats, count_rows, iter_rows, stats
from webapp.newsletter.tokens import client_hash, new_key

__all__ = [
    "StoreUnavailable", "add_signup", "confirm", "unsubscribe", "mark_undeliverable", "erase",
    "purge_pending", "new_unsubscribe_key", "find", "by_unsubscribe_key", "by_confirm_nonce",
    "Stats", "stats", "count_rows", "iter_rows", "client_hash",
]  # fmt: skip
RESEND_AFTER = timedelta(minutes=10)  # A repeated signup re-sends the confirmation at most this often.


# Insert a signup unless its address is already there (another request may be inserting it now); built
# once per backend, as a signup's transaction is on the hot path (make bench).
_INSERT_NEW = {
    name: dialect.insert(signups)
    .on_conflict_do_nothing(index_elements=[signups.c.email_key])
    .returning(signups.c.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


def _insert_new(connection: Connection, values: dict) -> int | None:
    """The new signup's id, or None when its address was already stored."""
    return connection.execute(_INSERT_NEW[connection.dialect.name], values).scalar()


def add_signup(
    email: str,
    consent: Consent,
    article_slug: str | None = None,
    client_hash: str | None = None,
    now: datetime | None = None,
) -> str:
    """Sign an address up as pending and queue its confirmation email; what happened, for the logs.

    'new'; 'resubscribed' (it had unsubscribed or bounced: a new confirmation, the history kept);
    'pending' (asked again before confirming: the email is queued again, at most every 10 minutes);
    'confirmed' (nothing to do). The reader is shown the same answer in every case.
    """
    now = now or utcnow()
    key = email_key(email)
    with writing() as connection:
        signup_id = _insert_new(
            connection,
            dict(
                email=email,
                email_key=key,
                status="pending",
                created_at=now,
                consented_at=now,
                consent_version=consent.version,
                consent_text=consent.text,
                article_slug=article_slug,
                client_hash=client_hash,
                confirm_nonce=new_key(),
                unsubscribe_key=new_key(),
            ),
        )
        if signup_id is not None:
            events.append(connection, signup_id, "signed_up", now, consent.version, client_hash, article_slug)
            outbox.add(connection, "email", "confirm", now, signup_id)
            outcome = "new"
        else:
            outcome = _sign_up_again(connection, key, consent, article_slug, client_hash, now)
    if outcome != "confirmed":
        outbox.queued.set()
    return outcome


def _sign_up_again(
    connection: Connection, key: str, consent: Consent, slug: str | None, client: str | None, now: datetime
) -> str:
    """A known address signs up again: a new confirmation when it had left, a reminder while pending."""
    row = connection.execute(select(signups).where(signups.c.email_key == key).with_for_update()).one()
    if row.status == "confirmed":
        return "confirmed"
    if row.status == "pending":
        last = outbox.last_queued(connection, row.id, "confirm")
        if last is None or now - last >= RESEND_AFTER:
            outbox.add(connection, "email", "confirm", now, row.id)
        return "pending"
    # Unsubscribed or undeliverable: the new consent is recorded as a new event; nothing earlier changes.
    connection.execute(
        update(signups)
        .where(signups.c.id == row.id)
        .values(
            status="pending",
            consented_at=now,
            consent_version=consent.version,
            consent_text=consent.text,
            confirm_nonce=new_key(),  # Links from before the unsubscribe stop working.
        )
    )
    events.append(connection, row.id, "resubscribed", now, consent.version, client, slug)
    outbox.add(connection, "email", "confirm", now, row.id)
    return "resubscribed"


def find(email: str):
    """The signup of an address (any spelling), or None."""
    with reading() as connection:
        return connection.execute(select(signups).where(signups.c.email_key == email_key(email))).first()


def by_confirm_nonce(nonce: str):
    """The signup a confirmation nonce belongs to, or None."""
    with reading() as connection:
        return connection.execute(select(signups).where(signups.c.confirm_nonce == nonce)).first()


def by_unsubscribe_key(key: str):
    """The signup an unsubscribe key belongs to, or None."""
    with reading() as connection:
        return connection.execute(select(signups).where(signups.c.unsubscribe_key == key)).first()


def confirm(nonce: str, client: str | None, webhook: bool, now: datetime | None = None) -> str | None:
    """Confirm the pending signup holding this nonce; its status afterwards ('confirmed' also when it
    already was), or None when no signup holds it (the link was replaced by a newer signup)."""
    now = now or utcnow()
    with writing() as connection:
        row = connection.execute(
            select(signups).where(signups.c.confirm_nonce == nonce).with_for_update()
        ).first()
        if row is None or row.status != "pending":
            return row.status if row else None
        connection.execute(
            update(signups).where(signups.c.id == row.id).values(status="confirmed", confirmed_at=now)
        )
        events.append(connection, row.id, "confirmed", now, row.consent_version, client)
        outbox.add(connection, "email", "welcome", now, row.id)
        if webhook:
            _tell_webhook(connection, row, "confirmed", now)
    outbox.queued.set()
    return "confirmed"


def _tell_webhook(connection: Connection, row, event: str, now: datetime, signup_id: int | None = -1) -> None:
    """Queue the webhook call telling the marketers' tool about one change of a signup."""
    payload = {"event": event, "email": row.email, "at": now.isoformat()}
    if event == "confirmed":
        payload |= {"consent_version": row.consent_version, "consent_text": row.consent_text}
        payload |= {"consented_at": row.consented_at.isoformat(), "article": row.article_slug}
    outbox.add(connection, "webhook", event, now, row.id if signup_id == -1 else signup_id, payload)


def unsubscribe(key: str, client: str | None, webhook: bool, now: datetime | None = None) -> str | None:
    """Unsubscribe the signup holding this unsubscribe key (the record and history are kept); its status
    afterwards, or None when no signup holds the key."""
    now = now or utcnow()
    with writing() as connection:
        row = connection.execute(
            select(signups).where(signups.c.unsubscribe_key == key).with_for_update()
        ).first()
        if row is None or row.status not in ("pending", "confirmed"):
            return row.status if row else None
        connection.execute(
            update(signups).where(signups.c.id == row.id).values(status="unsubscribed", unsubscribed_at=now)
        )
        events.append(connection, row.id, "unsubscribed", now, row.consent_version, client)
        outbox.drop_pending_emails(connection, row.id)
        if webhook and row.status == "confirmed":
            _tell_webhook(connection, row, "unsubscribed", now)
    outbox.queued.set()
    return "unsubscribed"


def mark_undeliverable(
    connection: Connection, signup_id: int, reply: str, webhook: bool, now: datetime
) -> None:
    """The mail server refused the address for good: stop mailing it and say why (sender's transaction)."""
    row = connection.execute(select(signups).where(signups.c.id == signup_id).with_for_update()).first()
    if row is None or row.status not in ("pending", "confirmed"):
        return
    connection.execute(update(signups).where(signups.c.id == row.id).values(status="undeliverable"))
    events.append(connection, row.id, "bounced", now, row.consent_version, None, reply)
    outbox.drop_pending_emails(connection, row.id)
    if webhook and row.status == "confirmed":
        _tell_webhook(connection, row, "undeliverable", now)


def erase(email: str, webhook: bool, now: datetime | None = None) -> bool:
    """Remove an address, its history and its queued mail for good, keeping an anonymous tombstone
    (the day it signed up, its status and article) so totals stay right; False when it is not stored."""
    now = now or utcnow()
    with writing() as connection:
        row = connection.execute(
            select(signups).where(signups.c.email_key == email_key(email)).with_for_update()
        ).first()
        if row is None:
            return False
        day = row.created_at.replace(hour=0, minute=0, second=0, microsecond=0)
        connection.execute(
            insert(erasures).values(
                erased_at=now, signed_up_at=day, status=row.status, article_slug=row.article_slug
            )
        )
        connection.execute(delete(signup_events).where(signup_events.c.signup_id == row.id))
        connection.execute(delete(signups).where(signups.c.id == row.id))  # its outbox rows cascade
        if webhook and row.status == "confirmed":  # The marketers' copy must go too.
            _tell_webhook(connection, row, "erased", now, signup_id=None)
    return True


def purge_pending(older_than: timedelta, now: datetime | None = None) -> tuple[int, int]:
    """Pending signups never confirmed within `older_than`: deleted when they never were subscribed,
    back to unsubscribed (history kept) when they were; (deleted, reverted)."""
    now = now or utcnow()
    stale = (signups.c.status == "pending") & (signups.c.consented_at < now - older_than)
    subscribed_before = exists().where(
        signup_events.c.signup_id == signups.c.id, signup_events.c.kind.in_(("confirmed", "unsubscribed"))
    )
    with writing() as connection:
        ids = connection.execute(select(signups.c.id).where(stale, ~subscribed_before)).scalars().all()
        for chunk in range(0, len(ids), 500):
            part = ids[chunk : chunk + 500]
            connection.execute(delete(signup_events).where(signup_events.c.signup_id.in_(part)))
            connection.execute(delete(signups).where(signups.c.id.in_(part)))
        returning = connection.execute(select(signups).where(stale, subscribed_before)).all()
        for row in returning:
            connection.execute(update(signups).where(signups.c.id == row.id).values(status="unsubscribed"))
            events.append(connection, row.id, "confirmation_expired", now, row.consent_version)
            outbox.drop_pending_emails(connection, row.id)
    return len(ids), len(returning)


def new_unsubscribe_key(email: str) -> str | None:
    """Give an address a new unsubscribe key (its older links stop working); None when not stored."""
    key = new_key()
    with writing() as connection:
        result = connection.execute(
            update(signups).where(signups.c.email_key == email_key(email)).values(unsubscribe_key=key)
        )
    return key if result.rowcount else None
