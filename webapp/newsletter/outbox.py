"""The transactional outbox: emails and webhook calls written in the transaction that caused them.

A sender claims due rows with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's write lock makes
the claim atomic), delivers them outside any transaction, then records each outcome. A sender that dies
mid-way leaves its rows leased until the lease runs out; another then sends them again (at least once,
never lost, the same Message-ID).
"""

import json
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, delete, func, insert, or_, select, update

from webapp.db.engine import reading, writing
from webapp.db.schema import outbox, signups
from webapp.newsletter.tokens import new_key

_INSERT = insert(outbox)  # built once: a signup's transaction is on the hot path (make bench)
queued = threading.Event()  # Set after a commit that queued something: this process's sender wakes up.


def add(
    connection: Connection,
    kind: str,
    topic: str,
    now: datetime,
    signup_id: int | None = None,
    payload: dict | None = None,
) -> None:
    """Queue one email (`kind="email"`) or webhook call, inside the caller's transaction."""
    connection.execute(
        _INSERT,
        dict(
            kind=kind,
            topic=topic,
            signup_id=signup_id,
            payload=json.dumps(payload, ensure_ascii=False, sort_keys=True) if payload else None,
            message_id=new_key(),
            status="pending",
            attempts=0,
            created_at=now,
            next_attempt_at=now,
        ),
    )


def drop_pending_emails(connection: Connection, signup_id: int) -> None:
    """Forget the emails still waiting for a signup (after an unsubscribe, say)."""
    connection.execute(
        delete(outbox).where(
            outbox.c.signup_id == signup_id, outbox.c.kind == "email", outbox.c.status == "pending"
        )
    )


def last_queued(connection: Connection, signup_id: int, topic: str) -> datetime | None:
    """When the newest message of this topic was queued for a signup."""
    query = select(func.max(outbox.c.created_at)).where(
        outbox.c.signup_id == signup_id, outbox.c.topic == topic
    )
    return connection.execute(query).scalar()


@dataclass(frozen=True, slots=True)
class Job:
    """A claimed outbox row, with what the signup it is for looks like now."""

    id: int
    kind: str
    topic: str
    message_id: str
    attempts: int
    created_at: datetime
    payload: dict | None
    signup_id: int | None
    email: str | None
    status: str | None
    confirm_nonce: str | None
    unsubscribe_key: str | None


def _due(now: datetime):
    """Rows ready to be sent: pending, due, and not leased by a live sender."""
    return and_(
        outbox.c.status == "pending",
        outbox.c.next_attempt_at <= now,
        or_(outbox.c.leased_until.is_(None), outbox.c.leased_until < now),
    )


def claim(owner: str, now: datetime, limit: int = 50, lease_seconds: int = 120) -> list[Job]:
    """Lease up to `limit` due rows to `owner`; rows another sender holds are skipped, never shared."""
    with reading() as connection:  # A cheap look first: an idle sender never takes the write lock.
        if connection.execute(select(outbox.c.id).where(_due(now)).limit(1)).first() is None:
            return []
    with writing() as connection:
        ids_query = select(outbox.c.id).where(_due(now)).order_by(outbox.c.next_attempt_at, outbox.c.id)
        ids_query = ids_query.limit(limit)
        if connection.dialect.name == "postgresql":
            ids_query = ids_query.with_for_update(skip_locked=True)
        ids = connection.execute(ids_query).scalars().all()
        if not ids:
            return []
        connection.execute(
            update(outbox)
            .where(outbox.c.id.in_(ids))
            .values(leased_until=now + timedelta(seconds=lease_seconds), lease_owner=owner)
        )
        rows = connection.execute(
            select(
                outbox,
                signups.c.email,
                signups.c.status.label("signup_status"),  # outbox has a status column of its own
                signups.c.confirm_nonce,
                signups.c.unsubscribe_key,
            )
            .select_from(outbox.outerjoin(signups, outbox.c.signup_id == signups.c.id))
            .where(outbox.c.id.in_(ids))
            .order_by(outbox.c.id)
        ).all()
    return [
        Job(
            id=row.id,
            kind=row.kind,
            topic=row.topic,
            message_id=row.message_id,
            attempts=row.attempts,
            created_at=row.created_at,
            payload=json.loads(row.payload) if row.payload else None,
            signup_id=row.signup_id,
            email=row.email,
            status=row.signup_status,
            confirm_nonce=row.confirm_nonce,
            unsubscribe_key=row.unsubscribe_key,
        )
        for row in rows
    ]


def mark_sent(connection: Connection, job: Job, now: datetime) -> None:
    """Record a delivery."""
    connection.execute(
        update(outbox)
        .where(outbox.c.id == job.id)
        .values(status="sent", sent_at=now, attempts=job.attempts + 1, leased_until=None, last_error=None)
    )


def mark_retry(connection: Connection, job: Job, error: str, at: datetime) -> None:
    """Record a failed attempt and when to try again."""
    connection.execute(
        update(outbox)
        .where(outbox.c.id == job.id)
        .values(attempts=job.attempts + 1, next_attempt_at=at, leased_until=None, last_error=error[:500])
    )


def mark_failed(connection: Connection, job: Job, error: str) -> None:
    """Record that this message will never be sent (refused for good, or retried for too long)."""
    connection.execute(
        update(outbox)
        .where(outbox.c.id == job.id)
        .values(status="failed", attempts=job.attempts + 1, leased_until=None, last_error=error[:500])
    )


def forget(connection: Connection, job: Job) -> None:
    """Drop a message that no longer applies (its signup changed state before it went out)."""
    connection.execute(delete(outbox).where(outbox.c.id == job.id))


def counts() -> dict[str, int]:
    """How many messages are pending, sent and failed."""
    with reading() as connection:
        found = connection.execute(select(outbox.c.status, func.count()).group_by(outbox.c.status)).all()
    return {"pending": 0, "sent": 0, "failed": 0} | {status: int(count) for status, count in found}


def failures(limit: int = 20) -> list:
    """The newest messages given up on, with their last error."""
    query = select(outbox).where(outbox.c.status == "failed").order_by(outbox.c.id.desc()).limit(limit)
    with reading() as connection:
        return connection.execute(query).all()


def purge_sent(before: datetime) -> int:
    """Delete messages delivered before `before` (the consent events keep what matters)."""
    with writing() as connection:
        result = connection.execute(
            delete(outbox).where(outbox.c.status == "sent", outbox.c.sent_at < before)
        )
    return result.rowcount
