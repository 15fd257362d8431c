"""A signup's consent history: append-only events (the database refuses to update one).

Kinds: signed_up, resubscribed, confirmation_sent, confirmed, welcome_sent, unsubscribed, bounced,
confirmation_expired. Erasure deletes a signup's events with it and leaves an anonymous tombstone.
"""

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Connection, insert, select

from webapp.db.engine import reading
from webapp.db.schema import signup_events

KINDS = (
    "signed_up",
    "resubscribed",
    "confirmation_sent",
    "confirmed",
    "welcome_sent",
    "unsubscribed",
    "bounced",
    "confirmation_expired",
)

_INSERT = insert(signup_events)  # built once: a signup's transaction is on the hot path (make bench)


def append(
    connection: Connection,
    signup_id: int,
    kind: str,
    at: datetime,
    consent_version: str | None = None,
    client_hash: str | None = None,
    detail: str | None = None,
) -> None:
    """Append one event to a signup's history, inside the caller's transaction."""
    if kind not in KINDS:
        raise ValueError(f"unknown signup event {kind!r}")
    values = dict(signup_id=signup_id, kind=kind, at=at, consent_version=consent_version)
    connection.execute(
        _INSERT, values | {"client_hash": client_hash, "detail": detail[:500] if detail else None}
    )


def as_record(row) -> dict[str, str | None]:
    """One event as export fields."""
    return {
        "event": row.kind,
        "at": row.at.isoformat(),
        "consent_version": row.consent_version,
        "client_hash": row.client_hash,
        "detail": row.detail,
    }


def history(signup_id: int) -> list[dict[str, str | None]]:
    """A signup's events, oldest first."""
    query = select(signup_events).where(signup_events.c.signup_id == signup_id).order_by(signup_events.c.id)
    with reading() as connection:
        return [as_record(row) for row in connection.execute(query)]


def stream(connection: Connection, batch: int = 1000) -> Iterator:
    """Every event ordered by signup then time, streamed (the export merges it with the signups)."""
    query = select(signup_events).order_by(signup_events.c.signup_id, signup_events.c.id)
    yield from connection.execution_options(stream_results=True, yield_per=batch).execute(query)
